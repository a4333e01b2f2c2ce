"""Reactions to new events, registered by the apps above the event log and run from a task (an outbox).

The event log knows no app above it. An app registers a reaction in its AppConfig.ready()
with `react_to`. `event_record` writes the event and, when a reaction wants its verb, an
`EventOutbox` row in the same transaction; after commit it enqueues
`activity.tasks.react_to_events`, which runs the reactions on what the outbox holds. The
sweep (`activity.tasks.reactions_sweep`, every minute) runs them too, so an event whose
task was lost (the process stopped between the commit and the enqueue) waits a minute
at most, and it tries again the reactions that raised.

Each reaction handles each event at most once, as far as the database is concerned: it
runs inside the transaction that takes the event's row out of the outbox, so its writes
commit with that removal or not at all (a crash in between leaves the row, and the next
pass runs the event again from the start). A reaction that raises is rolled back to its
own savepoint, its failure is recorded (`ReactionFailure`) in the same transaction, and
the other reactions go on; the sweep runs it again on that event alone, the same way,
until it succeeds. Work outside the database (a POST, an email) a reaction leaves to a
task it enqueues with ``transaction.on_commit``, and that task is idempotent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from django.db import transaction
from django.utils import timezone

from prosumo.activity.models import Event, EventOutbox, ReactionFailure

logger = logging.getLogger(__name__)

BATCH = 200  # events read from the outbox at a time; each is handled in its own transaction


class Reaction(Protocol):
    def __call__(self, *, event: Event) -> None: ...


@dataclass(frozen=True)
class Registered:
    reaction: Reaction
    name: str  # its dotted path: the key of its failures
    verbs: frozenset[str] | None  # None: every verb
    when: Callable[[str], bool] | None = None  # asked instead of `verbs`: whether it wants this verb now

    def wants(self, verb: str) -> bool:
        if self.when is not None:
            return self.when(verb)
        return self.verbs is None or verb in self.verbs


_reactions: list[Registered] = []


def react_to(
    reaction: Reaction, *, verbs: Iterable[str] | None = None, when: Callable[[str], bool] | None = None
) -> Reaction:
    """Call ``reaction(event=...)`` for every event recorded from now on, or for those with these verbs.

    Once per reaction, however often it is registered. Naming the verbs spares every other
    event an outbox row and a task: give them when the reaction ignores most verbs. ``when``
    decides instead, verb by verb, at the moment the event is recorded (webhooks: the verbs
    some active webhook asked for); it is asked only when no reaction with fixed verbs wants it.
    """
    if all(r.reaction != reaction for r in _reactions):
        name = f"{reaction.__module__}.{getattr(reaction, '__qualname__', type(reaction).__qualname__)}"
        _reactions.append(Registered(reaction, name, None if verbs is None else frozenset(verbs), when))
    return reaction


def wanted(verb: str) -> bool:
    """Whether any registered reaction wants events with this verb (else the event needs no outbox row)."""
    fixed = [r for r in _reactions if r.when is None]
    return any(r.wants(verb) for r in fixed) or any(r.wants(verb) for r in _reactions if r.when is not None)


def reactions_run(*, batch: int = BATCH) -> int:
    """Run the reactions on every event in the outbox, oldest first; how many events this pass handled."""
    handled = 0
    while True:
        ids = list(EventOutbox.objects.order_by("event_id").values_list("event_id", flat=True)[:batch])
        handled += sum(_handle(event_id) for event_id in ids)
        if len(ids) < batch:
            return handled


def _handle(event_id: int) -> bool:
    """Take the event out of the outbox and run its reactions, in one transaction; False if another pass took it."""
    with transaction.atomic():
        # Taking the row is the claim: a second pass's DELETE waits for this one's commit and removes nothing.
        if not EventOutbox.objects.filter(event_id=event_id).delete()[0]:
            return False
        event = Event.objects.filter(pk=event_id).first()
        if event is None:
            return True  # erased since; there is nothing left to react to
        for registered in _reactions:
            if registered.wants(event.verb):
                _run(registered, event, attempts=0)
    return True


def _run(registered: Registered, event: Event, *, attempts: int) -> bool:
    """Run one reaction on one event in a savepoint; on an exception, roll it back and record the failure."""
    try:
        with transaction.atomic():
            registered.reaction(event=event)
    except Exception as exc:
        logger.warning(
            "Reaction %s raised on event %s (attempt %s)", registered.name, event.pk, attempts + 1, exc_info=True
        )
        ReactionFailure.objects.create(
            reaction=registered.name,
            event_id=event.pk,
            attempts=attempts + 1,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            failed_at=timezone.now(),
        )
        return False
    return True


def reactions_retry(*, batch: int = BATCH) -> int:
    """Run again, once each, the reactions that raised, oldest failure first; how many succeeded this time."""
    by_name = {r.name: r for r in _reactions}
    succeeded = 0
    for failure_id in ReactionFailure.objects.order_by("failed_at", "id").values_list("pk", flat=True)[:batch]:
        with transaction.atomic():
            failure = ReactionFailure.objects.filter(pk=failure_id).first()
            if failure is None or not ReactionFailure.objects.filter(pk=failure_id).delete()[0]:
                continue  # another pass took it
            registered = by_name.get(failure.reaction)
            event = Event.objects.filter(pk=failure.event_id).first()
            if registered is None or event is None:
                logger.warning("Dropped the failure of %s on event %s: gone", failure.reaction, failure.event_id)
                continue
            succeeded += _run(registered, event, attempts=failure.attempts)
    return succeeded
