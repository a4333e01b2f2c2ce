"""Reads of a member's notifications."""

from __future__ import annotations

from typing import Any

from prosumo.community.models import Member
from prosumo.notifications.models import Notification

SHOWN = 100  # on the notifications page
LATEST = 50  # in the API


def notifications_of(member: Any, *, limit: int = SHOWN) -> list[Notification]:
    """A member's latest notifications, in the model's order."""
    return list(Notification.objects.filter(recipient=member)[:limit])


def unread_count(member: Member) -> int:
    """How many of the member's notifications are unread (the header's badge)."""
    return Notification.objects.filter(recipient=member, read_at__isnull=True).count()


def notifications_for(*, member: Member) -> dict[str, Any]:
    """The member's unread count and their latest notifications, newest first (the API's answer)."""
    return {
        "unread": unread_count(member),
        "items": notifications_of(member, limit=LATEST),
    }
