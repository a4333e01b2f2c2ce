"""Background work for outreach: the proof log of revisions, arms, experiment email, supports as conversions."""

from __future__ import annotations

from django_tasks import task


@task()
def log_message_revision(revision_id: int) -> int | None:
    """Idempotent: the proof log keeps a revision once; the entry's index, or None when the revision is gone."""
    from prosumo.provenance.services import entry_append

    entry = entry_append(kind="message", object_id=revision_id)
    return entry.index if entry is not None else None


@task()
def assign_experiment(experiment_id: int) -> int:
    """Idempotent: members who have their arm keep it; the count of those given one now."""
    from prosumo.outreach.services import experiment_assign

    return experiment_assign(experiment_id=experiment_id)


@task()
def mail_experiments() -> dict[int, int]:
    """Queue one batch of each sending experiment's email (idempotent: an email has one key, and is marked)."""
    from prosumo.outreach.services.delivery import mail_due

    return mail_due()


@task()
def convert_supports() -> int:
    """Supports of ideas after a member opened their link, as conversions (idempotent: each member converts once)."""
    from prosumo.outreach.services import support_conversions

    return support_conversions()
