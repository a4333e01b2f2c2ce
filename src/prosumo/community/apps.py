from datetime import timedelta

from django.apps import AppConfig

from prosumo.core.periodic import Periodic


class CommunityConfig(AppConfig):
    name = "prosumo.community"
    label = "community"
    periodic = [
        Periodic("resume_customer_imports", timedelta(minutes=1), "prosumo.community.tasks.resume_customer_imports"),
    ]
