from django.apps import AppConfig


class RewardsConfig(AppConfig):
    name = "prosumo.rewards"
    label = "rewards"

    def ready(self) -> None:
        from prosumo.activity.reactions import react_to
        from prosumo.community.selectors import profile_part_register
        from prosumo.rewards.selectors import profile_part
        from prosumo.rewards.services.points import REWARDED_VERBS, event_recorded

        # Run from the event outbox after commit, for the verbs a rule can reward only (votes
        # write no outbox row); idempotent: an award is unique per (rule version, source
        # event, member).
        react_to(event_recorded, verbs=REWARDED_VERBS)
        profile_part_register(profile_part)
