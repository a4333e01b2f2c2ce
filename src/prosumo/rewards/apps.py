from django.apps import AppConfig


class RewardsConfig(AppConfig):
    name = "prosumo.rewards"
    label = "rewards"

    def ready(self) -> None:
        from prosumo.activity.reactions import react_to
        from prosumo.rewards.services import event_recorded

        # Idempotent, and correct in the event's transaction or after it from a task:
        # an award is unique per (rule version, source event, member).
        react_to(event_recorded)
