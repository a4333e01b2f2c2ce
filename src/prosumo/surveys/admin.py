"""The admin shows surveys and answers as they are (read only): they change through the services only."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from prosumo.surveys.models import Response, Survey


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Survey)
class SurveyAdmin(ReadOnly):
    list_display = ["pk", "template", "audience", "status", "opens_at", "closes_at"]
    list_filter = ["status", "template"]


@admin.register(Response)
class ResponseAdmin(ReadOnly):
    list_display = ["pk", "survey", "member", "answered_at", "changed_at"]
