from django.apps import AppConfig


class BudgetsConfig(AppConfig):
    name = "prosumo.budgets"
    label = "budgets"
