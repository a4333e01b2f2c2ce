"""Background work for surveys: open and close them at their planned times."""

from __future__ import annotations

from django_tasks import task


@task()
def surveys_due() -> list[int]:
    """Idempotent: a survey already opened or closed is left as it is."""
    from prosumo.surveys.services import surveys_due as due

    return list(due())
