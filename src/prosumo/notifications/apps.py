from datetime import timedelta

from django.apps import AppConfig

from prosumo.core.periodic import Periodic


class NotificationsConfig(AppConfig):
    name = "prosumo.notifications"
    label = "notifications"
    periodic = [
        Periodic("resume_fan_outs", timedelta(minutes=5), "prosumo.notifications.tasks.resume_fan_outs"),
        Periodic("send_daily_digests", timedelta(days=1), "prosumo.notifications.tasks.send_daily_digests"),
    ]
