from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "prosumo.web"
    label = "web"
