from django.contrib import admin

from prosumo.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "title", "created_at", "read_at", "emailed_at"]
    raw_id_fields = ["recipient"]
