from django.apps import AppConfig


class IdeasConfig(AppConfig):
    name = "prosumo.ideas"
    label = "ideas"
