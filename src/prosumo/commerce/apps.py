from django.apps import AppConfig


class CommerceConfig(AppConfig):
    """The company's own commercial data: orders (revenue) and channel spend."""

    name = "prosumo.commerce"
    label = "commerce"
