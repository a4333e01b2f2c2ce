from datetime import timedelta

from django.apps import AppConfig

from prosumo.core.periodic import Periodic


class IntegrationsConfig(AppConfig):
    name = "prosumo.integrations"
    label = "integrations"
    periodic = [
        Periodic("retry_webhooks", timedelta(minutes=1), "prosumo.integrations.tasks.retry_webhooks"),
    ]

    def ready(self) -> None:
        from prosumo.activity.reactions import react_to
        from prosumo.integrations.services import event_recorded

        # In the event's transaction: a suspension or a new password ends the member's
        # tokens with the change, and a webhook's deliveries are written with their event.
        react_to(event_recorded)
