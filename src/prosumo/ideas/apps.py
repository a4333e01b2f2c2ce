from datetime import timedelta

from django.apps import AppConfig
from django.db.models.signals import post_migrate

from prosumo.core.periodic import Periodic

DEFAULT_DECLINE_REASONS = [
    "Already planned or in progress",
    "Duplicate of another idea",
    "Out of scope for this campaign",
    "Not feasible now",
    "Does not fit our product direction",
    "Did not reach the supporters needed in time",
]


def ensure_decline_reasons(sender: AppConfig, using: str = "default", **kwargs: object) -> None:
    """Keep the default reasons present, as Django keeps its site row (a flush removes them)."""
    from prosumo.ideas.models import DeclineReason

    for label in DEFAULT_DECLINE_REASONS:
        DeclineReason.objects.using(using).get_or_create(label=label)


class IdeasConfig(AppConfig):
    name = "prosumo.ideas"
    label = "ideas"
    periodic = [
        Periodic("expire_support_gates", timedelta(hours=1), "prosumo.ideas.tasks.expire_support_gates"),
    ]

    def ready(self) -> None:
        post_migrate.connect(ensure_decline_reasons, sender=self)
        from prosumo.ideas.selectors import idea_followers, idea_involved_members, idea_readers
        from prosumo.notifications.services import audience_register, idea_readers_register

        # Notifications know nothing of ideas: the groups and the reading rule are ideas'.
        audience_register("idea.involved", idea_involved_members)
        audience_register("idea.followers", idea_followers)
        idea_readers_register(idea_readers)
