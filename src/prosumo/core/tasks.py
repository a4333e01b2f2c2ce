"""Sending the outgoing mail (`prosumo.core.mail`): the first try after commit, and the retries; pruning rate counts."""

from __future__ import annotations

from django_tasks import task

from prosumo.core.mail import mail_deliver, mail_give_up_lapsed, mail_prune
from prosumo.core.ratelimit import prune_rate_counters

RETRY_BUDGET_SECONDS = 50  # the scheduler enqueues the next retry a minute later; it takes over from there


@task()
def deliver_mail(mail_ids: list[int]) -> int:
    """Send these rows if they are still due (a row sent or taken by another worker is skipped); how many went."""
    return mail_deliver(ids=mail_ids).sent


@task()
def retry_mail() -> int:
    """Send every row that is due: retries after their backoff, and rows a dead worker had claimed."""
    mail_give_up_lapsed()
    return mail_deliver(budget_seconds=RETRY_BUDGET_SECONDS).sent


@task(queue_name="bulk")
def prune_mail() -> int:
    """Delete the sent mail older than PROSUMO_MAIL_KEEP_DAYS; how many rows went."""
    return mail_prune()


@task(queue_name="bulk")
def prune_rate_limits() -> int:
    """Delete the rate-limit counts whose window has ended; how many rows went."""
    return prune_rate_counters()
