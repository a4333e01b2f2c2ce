"""Stored analytics results: one run of the engine over the platform's data, with its filters."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class InsightRun(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    filters = models.JSONField(default=dict, blank=True, help_text="segment, campaign, channel, since, until")
    filter_key = models.CharField(max_length=200, db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    extent = models.JSONField(default=dict, blank=True, help_text="members, ideas, events, first and last event read")
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"run {self.pk} ({self.filter_key}, {self.status})"

    @property
    def seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None

    def section(self, key: str) -> dict | None:
        """One section of the result, its figures and columns in the order the analytics wrote them."""
        for section in self.result.get("sections", []):
            if section.get("key") == key:
                return in_written_order(section)
        return None


def _ordered(values: dict, names: list) -> dict:
    return {**{name: values[name] for name in names if name in values}, **values}


def in_written_order(section: dict) -> dict:
    """The section with its headline and table rows in the order of ``section["order"]``.

    PostgreSQL keeps the result as jsonb, which stores an object's keys in an order of its
    own: without this, the columns of a table and its CSV would come out shuffled there.
    """
    order = section.get("order")
    if not order:
        return section
    headline = _ordered(section.get("headline", {}), order.get("headline", []))
    tables = {
        name: [_ordered(row, order.get("tables", {}).get(name, [])) for row in rows]
        for name, rows in section.get("tables", {}).items()
    }
    return {**section, "headline": headline, "tables": tables}


class OpinionGrouping(models.Model):
    """The opinion groups of the latest run over all the platform's votes (docs/insights.md, "Opinion groups").

    Only the latest is kept: storing a new one deletes the one before, and with it its
    rows per idea. ``k_state`` carries Pol.is's k smoother to the next computation.
    """

    computed_at = models.DateTimeField()
    run = models.ForeignKey(InsightRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    k = models.PositiveSmallIntegerField(help_text="groups found, shown or not")
    groups_shown = models.PositiveSmallIntegerField()
    members_placed = models.PositiveIntegerField()
    k_state = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-computed_at", "-id"]

    def __str__(self) -> str:
        return f"opinion groups of {self.computed_at:%Y-%m-%d %H:%M} (k={self.k})"


class IdeaOpinion(models.Model):
    """What the shown opinion groups think of one idea, by the rules of the analytics (metrics/opinions.py)."""

    grouping = models.ForeignKey(OpinionGrouping, on_delete=models.CASCADE, related_name="ideas")
    idea = models.ForeignKey("ideas.Idea", on_delete=models.CASCADE, related_name="+")
    unites = models.BooleanField(help_text="more than half of every shown group agrees")
    divides = models.BooleanField(help_text="one shown group agrees and another disagrees")
    consensus = models.FloatField(null=True, blank=True, help_text="agree share of the least agreeing group")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["grouping", "idea"], name="idea_opinion_once")]
        indexes = [models.Index(fields=["idea"], name="idea_opinion_idea")]

    def __str__(self) -> str:
        return f"opinion on idea {self.idea_id}"


class IdeaGroupVotes(models.Model):
    """How one shown opinion group voted on one idea: its agrees, disagrees and passes."""

    opinion = models.ForeignKey(IdeaOpinion, on_delete=models.CASCADE, related_name="groups")
    group = models.PositiveSmallIntegerField(help_text="0 is the largest group")
    name = models.CharField(max_length=300, blank=True, help_text="the title of the idea the group agrees on most")
    members = models.PositiveIntegerField()
    agree = models.PositiveIntegerField()
    disagree = models.PositiveIntegerField()
    passed = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["opinion", "group"], name="idea_group_votes_once")]
        ordering = ["group"]

    def __str__(self) -> str:
        return f"group {self.group} on idea {self.opinion_id}"


class OpenDataRelease(models.Model):
    """One build of the open-data version of the dataset (docs/open-data.md), under the licence staff chose.

    Built by a task on the "bulk" queue into a zip in the media folder (``open-data/``, which
    is not served as it is); at most one release is published at a time, and only that one
    may be downloaded, from the public page ``/open-data/``.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Being prepared")
        BUILDING = "building", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    licence = models.CharField(max_length=100)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    ready_at = models.DateTimeField(null=True, blank=True)
    published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    file = models.CharField(max_length=200, blank=True, help_text="its name in the media storage")
    size_bytes = models.PositiveBigIntegerField(default=0)
    error = models.TextField(blank=True)

    ACTIVE = (State.QUEUED, State.BUILDING)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["published"], condition=models.Q(published=True), name="one_published_open_data"
            ),
            # One build at a time, held by the database: a release being built is never published,
            # so two of them would share published=False.
            models.UniqueConstraint(
                fields=["published"],
                condition=models.Q(state__in=["queued", "building"]),
                name="one_open_data_build_at_a_time",
            ),
        ]

    def __str__(self) -> str:
        return f"open data {self.pk} ({self.licence}, {self.state})"

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE

    @property
    def download_name(self) -> str:
        stamp = self.ready_at or self.requested_at
        return f"open-data-{stamp:%Y-%m-%d}.zip"
