from django.contrib import admin

from prosumo.activity.models import Event, ReactionFailure


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


@admin.register(ReactionFailure)
class ReactionFailureAdmin(admin.ModelAdmin):
    """Reactions that raised on an event; the sweep runs each again every minute until it succeeds."""

    list_display = ["reaction", "event_id", "attempts", "failed_at", "last_error"]
    list_filter = ["reaction"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
