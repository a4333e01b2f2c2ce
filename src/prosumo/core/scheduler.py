"""Periodic tasks, enqueued by `prosumo worker` when they are due.

Each worker checks the schedule every minute; a row lock on `ScheduledRun` makes
sure a periodic task is enqueued once per period however many workers run.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from prosumo.core.models import ScheduledRun


def schedule() -> list[tuple[str, timedelta, Callable[[], Any]]]:
    from prosumo.community.tasks import resume_customer_imports
    from prosumo.core.tasks import prune_mail, prune_rate_limits, retry_mail
    from prosumo.ideas.tasks import expire_support_gates
    from prosumo.insights.tasks import nightly_insights
    from prosumo.integrations.tasks import retry_webhooks
    from prosumo.notifications.tasks import resume_fan_outs, send_daily_digests
    from prosumo.privacy.tasks import expire_member_exports

    return [
        ("expire_support_gates", timedelta(hours=1), expire_support_gates.enqueue),
        ("retry_webhooks", timedelta(minutes=1), retry_webhooks.enqueue),
        ("retry_mail", timedelta(minutes=1), retry_mail.enqueue),
        ("resume_fan_outs", timedelta(minutes=5), resume_fan_outs.enqueue),
        ("resume_customer_imports", timedelta(minutes=1), resume_customer_imports.enqueue),
        ("send_daily_digests", timedelta(days=1), send_daily_digests.enqueue),
        ("nightly_insights", timedelta(days=1), nightly_insights.enqueue),
        ("prune_mail", timedelta(days=1), prune_mail.enqueue),
        ("expire_member_exports", timedelta(days=1), expire_member_exports.enqueue),
        ("prune_rate_limits", timedelta(hours=1), prune_rate_limits.enqueue),
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
