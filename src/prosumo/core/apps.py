from datetime import timedelta

from django.apps import AppConfig

from prosumo.core.periodic import Periodic


class CoreConfig(AppConfig):
    name = "prosumo.core"
    label = "core"
    periodic = [
        Periodic("retry_mail", timedelta(minutes=1), "prosumo.core.tasks.retry_mail"),
        Periodic("prune_mail", timedelta(days=1), "prosumo.core.tasks.prune_mail"),
        Periodic("prune_rate_limits", timedelta(hours=1), "prosumo.core.tasks.prune_rate_limits"),
    ]
