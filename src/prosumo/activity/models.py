"""The append-only event log: the contract between the platform and the analytics.

One row per thing a member or staff did, written in the same transaction as the
change itself. Ids of members, campaigns and objects are plain integers, not
foreign keys, so the log never cascades or blocks a deletion. See docs/events.md.
"""

from __future__ import annotations

from django.db import models


class Event(models.Model):
    occurred_at = models.DateTimeField(db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    verb = models.CharField(max_length=48, db_index=True)
    object_type = models.CharField(max_length=32, blank=True)
    object_id = models.BigIntegerField(null=True, blank=True)
    target_member_id = models.BigIntegerField(null=True, blank=True)
    campaign_id = models.BigIntegerField(null=True, blank=True)
    channel = models.CharField(max_length=64, blank=True)
    value = models.FloatField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="event_object_idx")]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.verb} {self.object_type}:{self.object_id}"


class DailyPresence(models.Model):
    """Deduplicates once-a-day events (member.visited, idea.viewed)."""

    member_id = models.BigIntegerField()
    day = models.DateField()
    verb = models.CharField(max_length=48)
    object_id = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member_id", "day", "verb", "object_id"], name="presence_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.verb} by {self.member_id} on {self.day}"


class EventOutbox(models.Model):
    """An event the reactions have still to see: written with the event, deleted by the pass that runs them.

    A row per event rather than a cursor on the event's id: on PostgreSQL a transaction
    may commit after one that took a higher id, and a cursor would step over its event.
    """

    event_id = models.BigIntegerField(primary_key=True)

    def __str__(self) -> str:
        return f"event {self.event_id}, reactions to run"


class ReactionFailure(models.Model):
    """A reaction that raised on an event: the sweep tries it again, every pass, until it succeeds."""

    reaction = models.CharField(max_length=200, help_text="the reaction's dotted path")
    event_id = models.BigIntegerField()
    attempts = models.PositiveIntegerField(default=1)
    last_error = models.TextField(blank=True)
    failed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["reaction", "event_id"], name="reaction_failure_once")]

    def __str__(self) -> str:
        return f"{self.reaction} on event {self.event_id} ({self.attempts} attempts)"
