from datetime import timedelta

from django.apps import AppConfig

from prosumo.core.periodic import Periodic


class PrivacyConfig(AppConfig):
    name = "prosumo.privacy"
    label = "privacy"
    periodic = [
        Periodic("expire_member_exports", timedelta(days=1), "prosumo.privacy.tasks.expire_member_exports"),
    ]
