"""Small shared model pieces."""

from __future__ import annotations

from django.db import models


class Timestamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ScheduledRun(models.Model):
    """When a periodic task was last enqueued, so several workers enqueue it once."""

    name = models.CharField(max_length=80, unique=True)
    last_enqueued_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name


class WorkerHeartbeat(models.Model):
    """A running task worker says it is alive: `prosumo worker` updates `beat_at` every few seconds.

    A task left RUNNING by a worker that stopped beating is put back in the queue
    (prosumo.core.workers.tasks_requeue_stale), and /readyz reports a queue with no
    live worker.
    """

    worker_id = models.CharField(max_length=64, unique=True)
    queues = models.JSONField(default=list)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} ({', '.join(self.queues)})"


class OutgoingMail(models.Model):
    """One email to send: written in the transaction of what caused it, sent and retried by tasks.

    The rendered message is stored, so every try sends the same bytes under the same
    Message-ID; a receiver can tell a repeat (after a worker died between the SMTP
    server's "250 OK" and our record of it) from a new message. `prosumo.core.mail`
    sends and retries.
    """

    class Status(models.TextChoices):
        PENDING = "pending"
        SENDING = "sending"
        SENT = "sent"
        FAILED = "failed"

    key = models.CharField(max_length=160, unique=True, help_text="What the mail is for; the same key is queued once")
    kind = models.CharField(max_length=32, db_index=True)
    to = models.EmailField(max_length=254)
    subject = models.TextField()
    body = models.TextField()
    html_body = models.TextField(blank=True, default="", help_text="An HTML alternative to the text, if any")
    headers = models.JSONField(default=dict, blank=True)
    message_id = models.CharField(max_length=255, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="The next try; while sending, when the claim on it lapses"
    )
    claim = models.CharField(max_length=32, blank=True, help_text="The sender that holds the row while sending")
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outgoing_mail_due"),
            models.Index(fields=["claim"], name="outgoing_mail_claim", condition=models.Q(status="sending")),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to} ({self.status})"


class RateCounter(models.Model):
    """How many times one member or one address did one action in the current window (prosumo.core.ratelimit).

    The default store of the rate limits: every web process counts in this one table, so
    a limit holds however many processes serve the site. Rows whose window has ended are
    reused by the next hit and pruned daily.
    """

    key = models.CharField(max_length=255, primary_key=True)
    hits = models.PositiveIntegerField()
    expires_at = models.FloatField(db_index=True, help_text="End of the window, in seconds since the epoch")

    def __str__(self) -> str:
        return f"{self.key}: {self.hits}"
