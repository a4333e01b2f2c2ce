from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "prosumo.insights"
    label = "insights"
