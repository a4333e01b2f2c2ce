from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "prosumo.core"
    label = "core"
