"""Reads of a pairwise campaign: the next pair to show, and every idea's score."""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count

from prosumo.ideas.models import LISTED, VOTABLE_STAGES, Campaign, Idea
from prosumo.pairwise import scoring
from prosumo.pairwise.models import Choice

_random = secrets.SystemRandom()


def candidates(campaign: Campaign) -> list[Idea]:
    """The ideas a member may be shown: listed (not hidden, approved, not merged) and open for votes."""
    return list(Idea.objects.filter(LISTED, campaign=campaign, stage__in=VOTABLE_STAGES).order_by("pk"))


def appearances(campaign: Campaign) -> Counter[int]:
    """How many times each idea has been shown and answered, on either side, "can't decide" included."""
    shown: Counter[int] = Counter()
    for side in ("left_id", "right_id"):
        rows = Choice.objects.filter(campaign=campaign).values(side).annotate(n=Count("pk")).values_list(side, "n")
        shown.update(dict(rows))
    return shown


def next_pair(campaign: Campaign) -> tuple[Idea, Idea] | None:
    """Two different ideas to compare, chosen so that new ideas catch up; None with fewer than two ideas.

    The first is drawn among the ideas shown least so far, so an idea added late is shown
    until it has as many appearances as the others (All Our Ideas' concern: a new idea must
    get a fair number of appearances, or its score says nothing). The second is drawn from
    the rest with weight 1 / (1 + appearances), which still favours the less shown ideas
    without always pairing the same two. Which side each lands on is random.
    """
    ideas = candidates(campaign)
    if len(ideas) < 2:
        return None
    shown = appearances(campaign)
    fewest = min(shown[i.pk] for i in ideas)
    first = _random.choice([i for i in ideas if shown[i.pk] == fewest])
    rest = [i for i in ideas if i.pk != first.pk]
    second = _random.choices(rest, weights=[1 / (1 + shown[i.pk]) for i in rest])[0]
    return (first, second) if _random.random() < 0.5 else (second, first)


@dataclass(frozen=True, slots=True)
class ResultRow:
    idea: Idea
    score: scoring.Score
    appearances: int

    @property
    def percent(self) -> int:
        """The score as All Our Ideas shows it: 0 to 100."""
        return round(100 * self.score.score)

    @property
    def low_percent(self) -> int:
        return round(100 * self.score.low)

    @property
    def high_percent(self) -> int:
        return round(100 * self.score.high)


def results(campaign: Campaign) -> list[ResultRow]:
    """Every listed idea of the campaign with its score, best first (ties: more appearances, then older)."""
    ideas = list(Idea.objects.filter(LISTED, campaign=campaign).order_by("pk"))
    outcomes = Choice.objects.filter(campaign=campaign, winner__isnull=False).values_list("winner_id", "loser_id")
    found = scoring.scores([i.pk for i in ideas], outcomes)
    shown = appearances(campaign)
    rows = [ResultRow(idea=i, score=found[i.pk], appearances=shown[i.pk]) for i in ideas]
    return sorted(rows, key=lambda r: (-r.score.score, -r.appearances, r.idea.pk))


def choices_made(campaign: Campaign, member_id: int) -> int:
    """How many pairs the member has answered in this campaign."""
    return Choice.objects.filter(campaign=campaign, member_id=member_id).count()
