from datetime import timedelta

from django.apps import AppConfig

from prosumo.core.periodic import Periodic


class ProvenanceConfig(AppConfig):
    name = "prosumo.provenance"
    label = "provenance"
    periodic = [
        Periodic("sign_tree_head", timedelta(minutes=10), "prosumo.provenance.tasks.sign_tree_head"),
    ]

    def ready(self) -> None:
        from prosumo.activity.reactions import react_to
        from prosumo.provenance.services import LOGGED_VERBS, event_recorded

        # Each new revision, attachment and comment is logged by a task after its commit;
        # naming the verbs spares every other event (votes above all) an outbox row and a task.
        react_to(event_recorded, verbs=LOGGED_VERBS)
