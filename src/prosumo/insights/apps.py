from datetime import timedelta

from django.apps import AppConfig

from prosumo.core.periodic import Periodic


class InsightsConfig(AppConfig):
    name = "prosumo.insights"
    label = "insights"
    periodic = [
        Periodic("nightly_insights", timedelta(days=1), "prosumo.insights.tasks.nightly_insights"),
    ]
