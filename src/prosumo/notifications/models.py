"""What a member is told: in the app, and by email at once or in a daily digest."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from prosumo.core.phrases import words


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    verb = models.CharField(max_length=48)
    title = models.CharField(max_length=200, help_text="In English; members read title_phrase in their language")
    body = models.TextField(blank=True)
    title_phrase = models.JSONField(default=dict, blank=True)
    body_phrase = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=300, blank=True)
    event_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.title

    @property
    def display_title(self) -> str:
        """The title in the active language."""
        return words(self.title_phrase, self.title)

    @property
    def display_body(self) -> str:
        """The body in the active language (a member's own words, like a comment, stay as written)."""
        return words(self.body_phrase, self.body)
