"""Ranking keys for the idea list orders: new, top, hot and trending.

Each key is a number stored on the idea and updated by the vote service under the
idea's row lock, so every order is one indexed scan (no per-row work at read time).
The formulas are documented in docs/ranking.md.

* top — support: the number of supporters. up/down: the lower bound of the Wilson
  score interval at 95% for the share of up votes (Evan Miller, "How Not To Sort By
  Average Rating"), so 60 up / 10 down ranks above 2 up / 0 down. score: a Bayesian
  average that pulls ideas with few ratings toward the neutral 3 as if each idea
  had 5 extra ratings of 3.
* hot — Reddit's "hot": sign(s)·log10(max(|s|, 1)) + age/T, where s is the net
  support and T the time scale (72 h by default, PROSUMO_HOT_TIMESCALE_HOURS); ten times
  the support is worth T of recency. Reddit uses 12.5 h for a site with millions of
  votes a day; an idea community moves slower, and with 12.5 h "hot" is just "new".
* trending — support with exponential time decay: log Σ_v exp(λ·(t_v − t0)), over
  positive votes v, with λ = ln 2 / half-life (72 h by default). A vote today weighs
  twice a vote 72 hours ago; the log keeps the sum in range for decades.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

from django.conf import settings

EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
Z95 = 1.959963984540054
SCORE_PRIOR_COUNT = 5
SCORE_PRIOR_MEAN = 3.0


def wilson_lower_bound(up: int, down: int, z: float = Z95) -> float:
    """Lower bound of the Wilson score interval for the share of up votes.

    >>> round(wilson_lower_bound(60, 10), 4)
    0.7566
    >>> wilson_lower_bound(0, 0)
    0.0
    """
    n = up + down
    if n == 0:
        return 0.0
    p = up / n
    centre = p + z * z / (2 * n)
    margin = z * math.sqrt((p * (1 - p) + z * z / (4 * n)) / n)
    return (centre - margin) / (1 + z * z / n)


def bayesian_average(score_sum: int, score_count: int) -> float:
    """Mean score shrunk toward 3 with the weight of 5 prior ratings.

    >>> bayesian_average(25, 5)
    4.0
    """
    return (SCORE_PRIOR_COUNT * SCORE_PRIOR_MEAN + score_sum) / (SCORE_PRIOR_COUNT + score_count)


def hot(net: float, created_at: datetime) -> float:
    """Reddit's hot order: log-scaled net support plus recency."""
    order = math.log10(max(abs(net), 1))
    sign = 1 if net > 0 else -1 if net < 0 else 0
    seconds = (created_at - EPOCH).total_seconds()
    return round(sign * order + seconds / (settings.PROSUMO_HOT_TIMESCALE_HOURS * 3600), 7)


def decay_rate() -> float:
    return math.log(2) / (settings.PROSUMO_TRENDING_HALF_LIFE_HOURS * 3600)


def vote_weight_log(at: datetime) -> float:
    """log of one vote's weight in the trending sum."""
    return decay_rate() * (at - EPOCH).total_seconds()


def trending_add(current: float, at: datetime) -> float:
    """Add a positive vote cast at `at` to a trending key (log-sum-exp)."""
    w = vote_weight_log(at)
    if current <= 0:
        return w
    hi, lo = max(current, w), min(current, w)
    return hi + math.log1p(math.exp(lo - hi))


# A withdrawal that leaves less than this share of the sum leaves nothing. Taking one
# weight from a log-sum cancels digits: when the last vote goes, what seems left is the
# rounding error of earlier steps (up to about 1e-10 of the sum), and its logarithm would
# stay a large key. A real vote worth 1e-9 of the sum is 30 half-lives older than it.
EMPTY_SHARE = 1e-9


def trending_remove(current: float, at: datetime) -> float:
    """Remove a positive vote cast at `at` from a trending key."""
    w = vote_weight_log(at)
    if current <= 0 or w >= current:
        return 0.0
    left = -math.expm1(w - current)  # the share of the sum the other votes hold
    if left <= EMPTY_SHARE:
        return 0.0
    remaining = current + math.log(left)
    return remaining if remaining > 1e-9 else 0.0


def net_support(mode: str, *, support: int, up: int, down: int, score_sum: int, score_count: int) -> float:
    if mode == "support":
        return float(support)
    if mode == "updown":
        return float(up - down)
    return float(score_sum - SCORE_PRIOR_MEAN * score_count)


def top(mode: str, *, support: int, up: int, down: int, score_sum: int, score_count: int) -> float:
    if mode == "support":
        return float(support)
    if mode == "updown":
        return wilson_lower_bound(up, down)
    return bayesian_average(score_sum, score_count) if score_count else 0.0


def is_positive(mode: str, value: int) -> bool:
    """Whether a vote counts toward trending: a support, an up vote, or a score of 4 or 5."""
    return value > 0 if mode != "score" else value >= 4
