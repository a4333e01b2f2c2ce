from datetime import timedelta

from django.apps import AppConfig

from prosumo.core.periodic import Periodic


class SurveysConfig(AppConfig):
    name = "prosumo.surveys"
    label = "surveys"
    periodic = [
        Periodic("surveys_due", timedelta(minutes=10), "prosumo.surveys.tasks.surveys_due"),
    ]

    def ready(self) -> None:
        from prosumo.notifications.services import audience_register
        from prosumo.surveys.selectors import survey_audience

        # Notifications know nothing of surveys: the group told when one opens is ours.
        audience_register("survey.audience", survey_audience)
