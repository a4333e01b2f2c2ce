from datetime import timedelta

from django.apps import AppConfig

from prosumo.core.periodic import Periodic


class ActivityConfig(AppConfig):
    name = "prosumo.activity"
    label = "activity"
    periodic = [
        # Reactions whose task was lost after the commit, and reactions that raised (activity/reactions.py).
        Periodic("reactions_sweep", timedelta(minutes=1), "prosumo.activity.tasks.reactions_sweep"),
    ]
