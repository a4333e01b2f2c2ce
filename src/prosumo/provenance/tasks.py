"""Background work of the proof log: logging new content, signing tree heads."""

from __future__ import annotations

import logging

from django_tasks import task

from prosumo.provenance import services
from prosumo.provenance.timestamping import TimestampError

logger = logging.getLogger(__name__)


@task()
def log_event(event_id: int) -> None:
    """Log what an event created; run after its commit, idempotent."""
    services.event_log(event_id=event_id)


@task()
def sign_tree_head() -> None:
    """Periodic: log anything a lost task left out, sign a new head if the log grew, retry missing time-stamps."""
    services.log_catch_up()
    services.tree_head_sign()
    services.tree_heads_timestamp_missing()


@task()
def timestamp_tree_head(head_id: int) -> None:
    """Ask the configured RFC 3161 authority to time-stamp a signed head; idempotent.

    A failure never reaches whoever caused the head to be signed: it is logged, and the
    periodic `sign_tree_head` asks again for recent heads that still lack a time-stamp.
    """
    try:
        services.tree_head_timestamp(head_id=head_id)
    except TimestampError as exc:
        logger.warning("Time-stamp of tree head %s failed: %s", head_id, exc)
