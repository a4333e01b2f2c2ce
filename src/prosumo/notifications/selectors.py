"""Reads of notifications."""

from __future__ import annotations

from typing import Any

from prosumo.community.models import Member
from prosumo.notifications.models import Notification

LATEST = 50


def notifications_for(*, member: Member) -> dict[str, Any]:
    """The member's unread count and their latest notifications, newest first."""
    mine = Notification.objects.filter(recipient=member)
    return {"unread": mine.filter(read_at__isnull=True).count(), "items": list(mine[:LATEST])}
