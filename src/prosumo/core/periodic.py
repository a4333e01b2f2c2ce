"""How an app declares its periodic tasks: a ``periodic`` list on its AppConfig.

``prosumo.core.scheduler`` reads every installed app's list, so an app's scheduled jobs
live beside the app and no lower layer names a task of a higher one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Periodic:
    """Enqueue the task at dotted path ``task`` (a django-tasks task) every ``every``; ``name`` keys its last run."""

    name: str
    every: timedelta
    task: str
