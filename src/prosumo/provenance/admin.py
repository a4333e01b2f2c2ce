"""The proof log in the Django admin: to read only, never to change (a changed row breaks the log)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from prosumo.provenance.models import IdeaFlag, LogEntry, SignedTreeHead


class ReadOnly(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LogEntry)
class LogEntryAdmin(ReadOnly):
    list_display = ["index", "kind", "object_id", "version", "idea_id", "author_id", "logged_at"]
    list_filter = ["kind"]


@admin.register(SignedTreeHead)
class SignedTreeHeadAdmin(ReadOnly):
    list_display = ["size", "root_hash", "signed_at"]


@admin.register(IdeaFlag)
class IdeaFlagAdmin(ReadOnly):
    list_display = ["idea", "kind", "earlier_idea", "flagged_by", "flagged_at"]
    list_filter = ["kind"]
