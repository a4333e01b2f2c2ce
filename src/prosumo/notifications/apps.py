from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "prosumo.notifications"
    label = "notifications"
