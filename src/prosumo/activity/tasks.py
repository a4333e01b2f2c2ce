"""Running the reactions to new events (`prosumo.activity.reactions`): after each commit, and every minute."""

from __future__ import annotations

from django_tasks import task

from prosumo.activity.reactions import reactions_retry, reactions_run


@task()
def react_to_events() -> int:
    """Run the reactions on the events in the outbox; enqueued after the commit of an event some reaction wants."""
    return reactions_run()


@task()
def reactions_sweep() -> int:
    """What a lost task left in the outbox, then the reactions that raised once more; how many events were handled."""
    handled = reactions_run()
    reactions_retry()
    return handled
