"""Stored analytics results: one run of the engine over the platform's data, with its filters."""

from __future__ import annotations

from django.conf import settings
from django.db import models


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
        for section in self.result.get("sections", []):
            if section.get("key") == key:
                return section  # type: ignore[no-any-return]
        return None
