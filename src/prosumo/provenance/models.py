"""The proof log: an append-only Merkle log of every idea revision, attachment and comment, and its signed heads.

Ids of ideas, objects and members are plain integers, not foreign keys, as in the event
log: the proof log never cascades and never blocks a deletion, and a row, once written,
is never changed (docs/ip.md).
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from prosumo.provenance.proof import b64


class EntryKind(models.TextChoices):
    REVISION = "revision"  # an idea's revision (the first one is the idea as submitted)
    ATTACHMENT = "attachment"
    COMMENT = "comment"


class LogEntry(models.Model):
    """One leaf of the log: what was logged (by its content hash), about what, by whom, when."""

    index = models.PositiveBigIntegerField(unique=True)
    kind = models.CharField(max_length=16, choices=EntryKind.choices)
    object_id = models.BigIntegerField(help_text="The revision, attachment or comment")
    version = models.PositiveIntegerField(default=0, help_text="A comment's edit number (0: as posted)")
    idea_id = models.BigIntegerField(db_index=True, null=True, help_text="The idea; null for another subject")
    subject_kind = models.CharField(
        max_length=16, blank=True, help_text="What an entry about no idea is about (an app's kind, e.g. message)"
    )
    subject_id = models.BigIntegerField(null=True, blank=True)
    author_id = models.BigIntegerField(null=True, help_text="The member who wrote it; a number only")
    content_hash = models.CharField(max_length=64)
    logged_at = models.DateTimeField()
    leaf_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name_plural = "log entries"
        constraints = [
            # Logging the same thing twice is a no-op: the append is idempotent.
            models.UniqueConstraint(fields=["kind", "object_id", "version"], name="provenance_entry_once"),
        ]

    def __str__(self) -> str:
        return f"#{self.index} {self.kind} {self.object_id}.{self.version}"

    def fields(self) -> dict[str, Any]:
        """The entry as its leaf hashes it (prosumo.provenance.proof.leaf_data).

        An entry about something other than an idea names it in place of the idea
        (``"message": 12``); an idea's entry reads as it always has.
        """
        about = {self.subject_kind: self.subject_id} if self.subject_kind else {"idea": self.idea_id}
        return {
            "index": self.index,
            "kind": self.kind,
            "object": self.object_id,
            "version": self.version,
            **about,
            "author": self.author_id,
            "content": self.content_hash,
            "logged_at": self.logged_at.astimezone(UTC).isoformat(timespec="microseconds"),
        }


class LogState(models.Model):
    """One row: the log's size. Appends lock it, so that no two take the same index."""

    size = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.size} entries"


class SignedTreeHead(models.Model):
    """The root of the first ``size`` entries, signed by the instance's Ed25519 key."""

    size = models.PositiveBigIntegerField()
    root_hash = models.CharField(max_length=64)
    signed_at = models.DateTimeField(db_index=True)
    origin = models.CharField(max_length=200)
    public_key = models.CharField(max_length=64, help_text="Base64 of the raw Ed25519 public key")
    signature = models.CharField(max_length=128, help_text="Base64 of the Ed25519 signature")
    timestamp_token = models.BinaryField(
        null=True, blank=True, help_text="An RFC 3161 time-stamp token for the root, when an authority is configured"
    )

    def __str__(self) -> str:
        return f"{self.size} entries at {self.signed_at:%Y-%m-%d %H:%M}"

    def as_json(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "root_hash": self.root_hash,
            "timestamp": self.signed_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "origin": self.origin,
            "signature": self.signature,
            # Only when an authority time-stamped the head: a certificate without one reads as before.
            **({"timestamp_token": b64(bytes(self.timestamp_token))} if self.timestamp_token is not None else {}),
        }


class FlagKind(models.TextChoices):
    DISPUTE = "dispute", _("Authorship disputed")
    PRIOR_ART = "prior_art", _("Prior art: an earlier idea")


class IdeaFlag(models.Model):
    """Staff flagged an idea: someone disputes its authorship, or an earlier idea is prior art to it.

    A record for the analytics and for whoever settles the matter; it changes nothing
    about the idea, its credit or the proof log.
    """

    idea = models.ForeignKey("ideas.Idea", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=FlagKind.choices)
    earlier_idea = models.ForeignKey("ideas.Idea", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField()
    flagged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    flagged_at = models.DateTimeField()

    class Meta:
        ordering = ["-flagged_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} on idea {self.idea_id}"
