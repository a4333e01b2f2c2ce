from django.apps import AppConfig
from django.db.models.signals import post_migrate

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

    def ready(self) -> None:
        post_migrate.connect(ensure_decline_reasons, sender=self)
