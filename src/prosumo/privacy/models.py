"""A member's request for a copy of their data, and the zip it produced."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MemberExport(models.Model):
    """One copy of a member's data, built by a task on the "bulk" queue; a member keeps one at a time.

    Only the member it belongs to may download it (`access_member_export`); it is deleted
    `EXPORT_KEEP_DAYS` after it is ready, and with the account when the member erases it.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Being prepared")
        BUILDING = "building", _("Being prepared")
        READY = "ready", _("Ready to download")
        FAILED = "failed", _("Failed")

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports")
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    requested_at = models.DateTimeField(default=timezone.now)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    file_name = models.CharField(max_length=100, blank=True)
    size_bytes = models.PositiveBigIntegerField(default=0)
    error = models.TextField(blank=True)

    ACTIVE = (State.QUEUED, State.BUILDING)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            # A member asking twice while a copy is being built gets the one on its way.
            models.UniqueConstraint(
                fields=["member"],
                condition=models.Q(state__in=["queued", "building"]),
                name="one_data_export_at_a_time",
            )
        ]

    def __str__(self) -> str:
        return f"data export {self.pk} of member {self.member_id} ({self.state})"

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE


class MemberExportFile(models.Model):
    """The zip of a ready export, in a table of its own so that reading an export's state never reads it."""

    export = models.OneToOneField(MemberExport, primary_key=True, on_delete=models.CASCADE, related_name="file")
    data = models.BinaryField()

    def __str__(self) -> str:
        return f"file of data export {self.export_id}"
