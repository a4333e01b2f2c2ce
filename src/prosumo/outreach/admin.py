"""The admin shows briefs and messages as they are (read only): they change through the services only."""

from django.contrib import admin

from prosumo.core.admin import ReadOnlyAdmin
from prosumo.outreach.models import Message, MessageBrief, MessageRevision


@admin.register(MessageBrief)
class MessageBriefAdmin(ReadOnlyAdmin):
    list_display = ["pk", "title", "product", "segment", "deadline", "created_at"]


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "brief",
        "author",
        "company",
        "terms_version",
        "licence",
        "revision",
        "vote_count",
        "shortlisted_at",
    ]
    list_filter = ["company"]


@admin.register(MessageRevision)
class MessageRevisionAdmin(ReadOnlyAdmin):
    list_display = ["pk", "message", "number", "author", "by_staff", "created_at"]
