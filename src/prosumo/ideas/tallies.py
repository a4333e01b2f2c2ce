"""How votes move an idea's tallies and ranking keys: functions of plain values.

An idea stores the counts of its votes (supporters; up and down votes; the sum and the
number of scores) and three ranking keys computed from them (`ideas.ranking`: top, hot
and trending). Every path that adds or takes away votes moves them through here: a vote
cast, changed or withdrawn (`services/votes.py`), a merge (`services/merge.py`) and the
demo loader. So the numbers an idea stores are the same whichever path wrote them, and
nothing here reads or writes the database.

`of` and `store` copy the values from and to anything with an idea's field names (a
model instance, or a row the vote statement read); the caller saves `FIELDS`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from prosumo.ideas import ranking

# The idea's columns that `store` writes.
FIELDS = [
    "support_count",
    "up_count",
    "down_count",
    "score_sum",
    "score_count",
    "rank_top",
    "rank_hot",
    "rank_trending",
]


@dataclass(frozen=True, slots=True)
class Tallies:
    """An idea's vote counts and its trending key (a log-sum of its positive votes' weights)."""

    support: int = 0
    up: int = 0
    down: int = 0
    score_sum: int = 0
    score_count: int = 0
    trending: float = 0.0


# An idea without votes.
EMPTY = Tallies()


def counted(tallies: Tallies, *, mode: str, value: int, sign: int) -> Tallies:
    """The counts with one vote of `value` added (sign=+1) or taken away (sign=-1); trending unchanged."""
    if mode == "support":
        return replace(tallies, support=tallies.support + sign)
    if mode == "updown":
        if value > 0:
            return replace(tallies, up=tallies.up + sign)
        return replace(tallies, down=tallies.down + sign)
    return replace(tallies, score_sum=tallies.score_sum + sign * value, score_count=tallies.score_count + sign)


def vote_added(tallies: Tallies, *, mode: str, value: int, at: datetime) -> Tallies:
    """A vote of `value` cast at `at` (its row's `updated_at`) is counted, and weighs in trending if positive."""
    after = counted(tallies, mode=mode, value=value, sign=+1)
    if ranking.is_positive(mode, value):
        after = replace(after, trending=ranking.trending_add(after.trending, at))
    return after


def vote_removed(tallies: Tallies, *, mode: str, value: int, at: datetime) -> Tallies:
    """A vote of `value` cast at `at` is withdrawn: the exact inverse of `vote_added`.

    When no vote that could be positive is left, trending is exactly empty again: the
    log-sum cannot tell a tiny remaining weight from its own rounding error (see
    `ranking.trending_remove`), but the counts can.
    """
    after = counted(tallies, mode=mode, value=value, sign=-1)
    if ranking.is_positive(mode, value):
        after = replace(after, trending=ranking.trending_remove(after.trending, at))
    if _may_have_positive(after, mode) == 0:
        after = replace(after, trending=0.0)
    return after


def _may_have_positive(tallies: Tallies, mode: str) -> int:
    """How many of the votes left may be positive (for scores, all of them: which ones are is not counted)."""
    if mode == "support":
        return tallies.support
    if mode == "updown":
        return tallies.up
    return tallies.score_count


def keys(tallies: Tallies, *, mode: str, created_at: datetime) -> tuple[float, float, float]:
    """The ranking keys (top, hot, trending) of an idea created at `created_at` with these tallies."""
    counts = {
        "support": tallies.support,
        "up": tallies.up,
        "down": tallies.down,
        "score_sum": tallies.score_sum,
        "score_count": tallies.score_count,
    }
    top = ranking.top(mode, **counts)
    hot = ranking.hot(ranking.net_support(mode, **counts), created_at)
    return top, hot, tallies.trending


def of(idea: Any) -> Tallies:
    """The tallies an idea stores."""
    return Tallies(
        support=idea.support_count,
        up=idea.up_count,
        down=idea.down_count,
        score_sum=idea.score_sum,
        score_count=idea.score_count,
        trending=idea.rank_trending,
    )


def store(idea: Any, tallies: Tallies, *, mode: str) -> None:
    """Set an idea's counts and ranking keys from its tallies; the caller saves `FIELDS`."""
    idea.support_count = tallies.support
    idea.up_count = tallies.up
    idea.down_count = tallies.down
    idea.score_sum = tallies.score_sum
    idea.score_count = tallies.score_count
    idea.rank_top, idea.rank_hot, idea.rank_trending = keys(tallies, mode=mode, created_at=idea.created_at)
