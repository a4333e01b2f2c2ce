"""Writing to the event log. Every service that changes state calls `event_record`.

The event log knows nothing of the apps above it; those that act on new events register
a reaction (`prosumo.activity.reactions`), which a task runs after the event commits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from prosumo.activity import reactions
from prosumo.activity.models import DailyPresence, Event, EventOutbox
from prosumo.activity.tasks import react_to_events
from prosumo.core import statements


def event_record(
    *,
    verb: str,
    actor_id: int | None,
    object_type: str = "",
    object_id: int | None = None,
    target_member_id: int | None = None,
    campaign_id: int | None = None,
    channel: str = "",
    value: float | None = None,
    details: dict[str, Any] | None = None,
    occurred_at: datetime | None = None,
) -> Event:
    """Append one event. Call it inside the transaction of the change it records."""
    # A statement written once, not compiled per call: events are the most frequent write there is,
    # and through the ORM a vote cost 0.13-0.16 ms more CPU (bench/RESULTS.md).
    event = statements.insert(
        Event(
            occurred_at=occurred_at or timezone.now(),
            actor_id=actor_id,
            verb=verb,
            object_type=object_type,
            object_id=object_id,
            target_member_id=target_member_id,
            campaign_id=campaign_id,
            channel=channel or "",
            value=value,
            details=details or {},
        )
    )
    if reactions.wanted(verb):
        # The outbox row commits with the event; the task after commit (or the sweep) runs the reactions.
        EventOutbox.objects.create(event_id=event.pk)
        transaction.on_commit(_react_soon)
    return event


def _react_soon() -> None:
    react_to_events.enqueue()


def presence_record(
    *,
    member_id: int,
    verb: str,
    object_type: str = "",
    object_id: int | None = None,
    campaign_id: int | None = None,
    channel: str = "",
    key: int | None = None,
) -> bool:
    """Record a once-a-day event (member.visited, idea.viewed); True if this was the first today.

    Once a day per member, verb and `key` (by default the object's id).
    """
    now = timezone.now()
    try:
        with transaction.atomic():
            DailyPresence.objects.create(
                member_id=member_id, day=now.date(), verb=verb, object_id=(object_id if key is None else key) or 0
            )
            event_record(
                verb=verb,
                actor_id=member_id,
                object_type=object_type,
                object_id=object_id,
                campaign_id=campaign_id,
                channel=channel,
                occurred_at=now,
            )
    except IntegrityError:
        return False
    return True


def events_record_many(events: list[Event]) -> list[Event]:
    """Append many events at once (e.g. the supporters carried by a merge); no reactions run on them."""
    now = timezone.now()
    for event in events:
        event.occurred_at = event.occurred_at or now
    return Event.objects.bulk_create(events)
