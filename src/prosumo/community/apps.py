from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "prosumo.community"
    label = "community"
