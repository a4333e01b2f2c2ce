from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "prosumo.integrations"
    label = "integrations"
