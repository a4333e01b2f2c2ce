"""Reactions to new events, registered by the apps above the event log.

The event log knows no app above it: `event_record` writes its row and then calls the
reactions that apps registered, in the same transaction. An app registers one in its
AppConfig.ready() with `react_to`. A reaction does only what must commit or roll back
with the change itself: revoking a suspended member's API tokens, or writing the
deliveries a webhook owes to its outbox table (a task sends them after commit). Anything
slow belongs in a task that the reaction enqueues with ``transaction.on_commit``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from prosumo.activity.models import Event


class Reaction(Protocol):
    def __call__(self, *, event: Event) -> None: ...


_reactions: list[Reaction] = []


def react_to(reaction: Reaction) -> Reaction:
    """Call ``reaction(event=...)`` for every event recorded from now on (once, however often registered)."""
    if reaction not in _reactions:
        _reactions.append(reaction)
    return reaction


def react(event: Event) -> None:
    """Run every registered reaction on a new event, in the order they were registered."""
    for reaction in _reactions:
        reaction(event=event)
