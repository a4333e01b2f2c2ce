"""Reads of a member's notifications."""

from __future__ import annotations

from typing import Any

from prosumo.notifications.models import Notification

SHOWN = 100


def notifications_of(member: Any, *, limit: int = SHOWN) -> list[Notification]:
    """A member's latest notifications, in the model's order."""
    return list(Notification.objects.filter(recipient=member)[:limit])
