"""The proof log in the Django admin: to read only, never to change (a changed row breaks the log)."""

from django.contrib import admin

from prosumo.core.admin import ReadOnlyAdmin
from prosumo.provenance.models import IdeaFlag, LogEntry, SignedTreeHead


@admin.register(LogEntry)
class LogEntryAdmin(ReadOnlyAdmin):
    list_display = ["index", "kind", "object_id", "version", "idea_id", "author_id", "logged_at"]
    list_filter = ["kind"]


@admin.register(SignedTreeHead)
class SignedTreeHeadAdmin(ReadOnlyAdmin):
    list_display = ["size", "root_hash", "signed_at"]


@admin.register(IdeaFlag)
class IdeaFlagAdmin(ReadOnlyAdmin):
    list_display = ["idea", "kind", "earlier_idea", "flagged_by", "flagged_at"]
    list_filter = ["kind"]
