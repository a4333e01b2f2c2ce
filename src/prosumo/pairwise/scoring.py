"""The score of an idea in a pairwise wiki-survey, with its uncertainty; plain Python, no Django.

All Our Ideas (Salganik and Levy, "Wiki Surveys", PLOS ONE 2015) scores an idea by the
estimated chance that it beats a randomly chosen other idea of the survey. Their site
shows the simple estimator kept here: an idea that won ``W`` and lost ``L`` of its
comparisons scores

    score = (W + 1) / (W + L + 2)

which is the mean of the Beta(W + 1, L + 1) posterior for its chance of winning, from a
uniform prior (Laplace's rule of succession): an idea never compared scores 1/2. Its
uncertainty is the posterior's spread: the interval is the mean plus or minus 1.96
standard deviations of that Beta, cut to [0, 1],

    sd = sqrt(a * b / ((a + b)^2 * (a + b + 1))),  a = W + 1, b = L + 1

(a normal approximation, close to the exact 95% credible interval once an idea has been
compared a few times, and written by hand in a line). "Can't decide" answers count as
neither a win nor a loss, as on All Our Ideas.

>>> s = idea_score(3, 1)
>>> round(s.score, 4), round(s.low, 4), round(s.high, 4)
(0.6667, 0.3174, 1.0)
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

#: The interval is the mean plus or minus this many posterior standard deviations (95%).
Z = 1.96


@dataclass(frozen=True, slots=True)
class Score:
    """An idea's wins and losses, its estimated chance of beating another idea, and the interval around it."""

    wins: int
    losses: int
    score: float
    low: float
    high: float


def idea_score(wins: int, losses: int) -> Score:
    """The score of an idea with ``wins`` and ``losses``: the mean of Beta(W + 1, L + 1) and its ~95% interval."""
    a, b = wins + 1, losses + 1
    mean = a / (a + b)
    sd = math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
    return Score(wins, losses, mean, max(0.0, mean - Z * sd), min(1.0, mean + Z * sd))


def scores(idea_ids: Iterable[int], outcomes: Iterable[tuple[int, int]]) -> dict[int, Score]:
    """Every idea's score from ``(winner, loser)`` pairs; an idea with no comparison scores 1/2."""
    won: Counter[int] = Counter()
    lost: Counter[int] = Counter()
    for winner, loser in outcomes:
        won[winner] += 1
        lost[loser] += 1
    return {pk: idea_score(won[pk], lost[pk]) for pk in idea_ids}
