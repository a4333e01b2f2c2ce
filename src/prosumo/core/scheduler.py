"""Periodic tasks, enqueued by `prosumo worker` when they are due.

Each app declares its periodic tasks in its AppConfig (``periodic``, a list of
``prosumo.core.periodic.Periodic``). Each worker checks the schedule every minute; a row
lock on `ScheduledRun` makes sure a periodic task is enqueued once per period however
many workers run.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from prosumo.core.models import ScheduledRun


def schedule() -> list[tuple[str, timedelta, Callable[[], Any]]]:
    """Every installed app's periodic tasks: (name, period, enqueue)."""
    return [
        (job.name, job.every, import_string(job.task).enqueue)
        for config in apps.get_app_configs()
        for job in getattr(config, "periodic", ())
    ]


def enqueue_due() -> list[str]:
    """Enqueue every periodic task whose period has passed; returns their names."""
    now = timezone.now()
    enqueued = []
    for name, period, enqueue in schedule():
        with transaction.atomic():
            run, created = ScheduledRun.objects.select_for_update().get_or_create(
                name=name, defaults={"last_enqueued_at": now}
            )
            if created or now - run.last_enqueued_at >= period:
                run.last_enqueued_at = now
                run.save(update_fields=["last_enqueued_at"])
                transaction.on_commit(enqueue)
                enqueued.append(name)
    return enqueued
