"""Background work of the proof log: logging new content, signing tree heads."""

from __future__ import annotations

from django_tasks import task

from prosumo.provenance import services


@task()
def log_event(event_id: int) -> None:
    """Log what an event created; run after its commit, idempotent."""
    services.event_log(event_id=event_id)


@task()
def sign_tree_head() -> None:
    """Periodic: log anything a lost task left out, then sign a new head if the log grew."""
    services.log_catch_up()
    services.tree_head_sign()
