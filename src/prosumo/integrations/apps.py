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
        from prosumo.integrations.services import event_recorded, webhook_verb_wanted

        # After the event commits, from the event log's outbox: a webhook's deliveries. Any verb
        # may be subscribed to, so an event takes an outbox row only when an active webhook wants it.
        react_to(event_recorded, when=webhook_verb_wanted)
