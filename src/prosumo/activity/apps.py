from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "prosumo.activity"
    label = "activity"
