"""The admin shows surveys and answers as they are (read only): they change through the services only."""

from django.contrib import admin

from prosumo.core.admin import ReadOnlyAdmin
from prosumo.surveys.models import Response, Survey


@admin.register(Survey)
class SurveyAdmin(ReadOnlyAdmin):
    list_display = ["pk", "template", "audience", "status", "opens_at", "closes_at"]
    list_filter = ["status", "template"]


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    list_display = ["pk", "survey", "member", "answered_at", "changed_at"]
