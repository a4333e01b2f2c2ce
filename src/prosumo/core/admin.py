"""Outgoing mail in the admin: what was sent, what waits for another try and why, what failed."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from prosumo.core.mail import mail_retry_now
from prosumo.core.models import OutgoingMail


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """An admin page that shows records and never adds, changes or deletes one.

    For the append-only records (ledgers, the proof log, imported orders, answers),
    whose only writers are their app's services.
    """

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin[OutgoingMail]):
    list_display = ["created_at", "kind", "to", "subject", "status", "attempts", "next_attempt_at", "error"]
    list_filter = ["status", "kind"]
    search_fields = ["to", "subject", "message_id", "key"]
    date_hierarchy = "created_at"
    actions = ["send_again"]
    readonly_fields = [f.name for f in OutgoingMail._meta.get_fields()]

    @admin.display(description="last error")
    def error(self, obj: OutgoingMail) -> str:
        return obj.last_error[:120]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Send again now (failed or waiting mail)")
    def send_again(self, request: HttpRequest, queryset: QuerySet[OutgoingMail]) -> None:
        queued = mail_retry_now(ids=queryset.values_list("pk", flat=True))
        skipped = queryset.count() - len(queued)
        self.message_user(request, f"Queued again: {len(queued)}.", messages.SUCCESS)
        if skipped:
            self.message_user(request, f"Left alone, already sent or being sent: {skipped}.")
