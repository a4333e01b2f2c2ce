from django.contrib import admin

from prosumo.activity.models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """The event log is append-only: readable here, never edited."""

    list_display = ["occurred_at", "verb", "actor_id", "object_type", "object_id", "campaign_id", "channel"]
    list_filter = ["verb", "channel"]
    date_hierarchy = "occurred_at"

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
