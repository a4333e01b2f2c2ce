"""The admin shows pairwise choices as they are (read only): they are added through the service only."""

from django.contrib import admin

from prosumo.core.admin import ReadOnlyAdmin
from prosumo.pairwise.models import Choice


@admin.register(Choice)
class ChoiceAdmin(ReadOnlyAdmin):
    list_display = ["pk", "campaign", "member", "left", "right", "outcome", "created_at"]
    list_filter = ["outcome"]
