from django.apps import AppConfig


class PairwiseConfig(AppConfig):
    name = "prosumo.pairwise"
    label = "pairwise"
