from datetime import timedelta

from django.apps import AppConfig

from prosumo.core.periodic import Periodic


class InsightsConfig(AppConfig):
    name = "prosumo.insights"
    label = "insights"
    periodic = [
        Periodic("nightly_insights", timedelta(days=1), "prosumo.insights.tasks.nightly_insights"),
    ]

    def ready(self) -> None:
        from prosumo.ideas.opinions import opinion_source_register
        from prosumo.insights.opinions import StoredOpinions

        # Ideas' pages show the opinion groups, which insights stores: ideas knows nothing of insights.
        opinion_source_register(StoredOpinions())
