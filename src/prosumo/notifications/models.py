"""What a member is told: in the app, and by email at once or in a daily digest."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from prosumo.core.phrases import words


class Fanout(models.Model):
    """One `notify` call: what to tell whom, written in the transaction of the change.

    The `fan_out` task turns it into notifications (and immediate emails) in batches,
    in the order of the recipients' ids; `done_through` is the last id handled, so a
    second run, or a run after a crash, tells nobody twice.
    """

    verb = models.CharField(max_length=48)
    title = models.CharField(max_length=200)
    title_phrase = models.JSONField(default=dict, blank=True)
    body = models.TextField(blank=True)
    body_phrase = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=300, blank=True)
    event_id = models.BigIntegerField(null=True, blank=True)
    audience = models.CharField(
        max_length=32, blank=True, help_text="A group resolved by the task (idea.involved), or empty for recipient_ids"
    )
    audience_id = models.BigIntegerField(null=True, blank=True)
    recipient_ids = models.JSONField(default=list, blank=True)
    about_idea = models.BigIntegerField(
        null=True, blank=True, help_text="The idea the news is about: only members who may read it are told"
    )
    exclude_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()
    done_through = models.BigIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.verb} #{self.pk}"

    def notification(self, **recipient_and_state: Any) -> Notification:
        """This fan-out's notification for one recipient (`recipient` or `recipient_id`), unsaved.

        The rest of ``recipient_and_state`` is the recipient's own: `emailed_at`,
        `digest_pending`, `read_at`.
        """
        return Notification(
            fanout=self,
            verb=self.verb,
            title=self.title,
            title_phrase=self.title_phrase,
            body=self.body,
            body_phrase=self.body_phrase,
            url=self.url,
            event_id=self.event_id,
            created_at=self.created_at,
            **recipient_and_state,
        )


class IdeaNewsLock(models.Model):
    """One row per idea whose news waits in a collapse window: the lock its fan-outs take in turn.

    Two workers fanning out two stage changes of one idea at the same instant would each
    find no waiting email and queue one of their own: two emails where the window promises
    one. Each batch that may collapse first takes this row's lock (created on first use), so
    the second worker reads the waiting emails only once the first has committed them.
    """

    idea_id = models.BigIntegerField(primary_key=True)

    def __str__(self) -> str:
        return f"news of idea {self.idea_id}"


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
    emailed_at = models.DateTimeField(null=True, blank=True, help_text="When an email carrying it was queued")
    fanout = models.ForeignKey(Fanout, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    digest_pending = models.BooleanField(default=False, help_text="Waits for the recipient's next daily digest")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["recipient"], name="notification_digest_pending", condition=Q(digest_pending=True)),
        ]
        constraints = [models.UniqueConstraint(fields=["fanout", "recipient"], name="notification_once_per_fanout")]

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
