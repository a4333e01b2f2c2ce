from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "prosumo.privacy"
    label = "privacy"
