"""Opinion groups where decisions are made: what ideas shows of them, and where it gets them.

The groups are found by the analytics and stored by insights, an app above this one.
Ideas never imports insights: insights registers an :class:`OpinionSource` in its
``AppConfig.ready()`` (docs/architecture.md, "Turning dependencies around"), and the
selectors ask it. With no source registered, or none computed yet, the pages show no
groups and the "consensus" order falls back to the default one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from django.db.models import Subquery


@dataclass(frozen=True, slots=True)
class GroupVotes:
    """How one opinion group voted on an idea."""

    group: int
    name: str
    members: int
    agree: int
    disagree: int
    passed: int

    @property
    def votes(self) -> int:
        return self.agree + self.disagree + self.passed

    def _percent(self, part: int) -> int:
        return round(100 * part / self.votes) if self.votes else 0

    @property
    def agree_percent(self) -> int:
        return self._percent(self.agree)

    @property
    def disagree_percent(self) -> int:
        return self._percent(self.disagree)

    @property
    def pass_percent(self) -> int:
        return self._percent(self.passed)


@dataclass(frozen=True, slots=True)
class IdeaOpinions:
    """The shown groups' votes on one idea, and whether the idea unites or divides them."""

    groups: tuple[GroupVotes, ...]
    unites: bool
    divides: bool


@dataclass(frozen=True, slots=True)
class OpinionMarks:
    """Among some ideas, those that unite every group and those that divide them."""

    uniting: frozenset[int] = frozenset()
    dividing: frozenset[int] = frozenset()


class OpinionSource(Protocol):
    """What the app that stores the groups offers (insights registers one)."""

    def computed(self) -> bool:
        """Whether any groups are stored."""
        ...

    def of_idea(self, idea_id: int) -> IdeaOpinions | None:
        """The groups' votes on one idea; None when the idea has none stored."""
        ...

    def marks(self, idea_ids: Iterable[int]) -> OpinionMarks:
        """Which of these ideas unite and which divide the groups, in one query."""
        ...

    def consensus(self) -> Subquery[Any]:
        """An expression giving, per idea row, the agree share of its least agreeing group (NULL when unknown)."""
        ...


_sources: list[OpinionSource] = []


def opinion_source_register(source: OpinionSource) -> None:
    """Let the pages show the opinion groups that ``source`` stores (one source: the latest registered)."""
    _sources[:] = [source]


def opinion_source() -> OpinionSource | None:
    return _sources[0] if _sources else None
