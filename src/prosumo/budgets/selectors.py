"""Reads of a participatory budget: the ideas on the ballot with their costs, a member's ballot, the results."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from prosumo.budgets.models import Ballot, Budget, Cost
from prosumo.community.models import Member
from prosumo.ideas.models import LISTED, VOTABLE_STAGES, Campaign, Idea


def budget_of(campaign: Campaign) -> Budget | None:
    return Budget.objects.filter(campaign=campaign).first()


@dataclass(frozen=True, slots=True)
class Option:
    idea: Idea
    cost_cents: int


def options(campaign: Campaign) -> list[Option]:
    """The ideas a ballot may hold: listed, open for votes, and costed by staff; oldest first."""
    ideas = Idea.objects.filter(LISTED, campaign=campaign, stage__in=VOTABLE_STAGES, budget_cost__isnull=False)
    return [Option(i, i.budget_cost.amount_cents) for i in ideas.select_related("budget_cost").order_by("pk")]


def ballot_of(campaign: Campaign, member: Member) -> Ballot | None:
    return Ballot.objects.filter(campaign=campaign, member=member).prefetch_related("ideas").first()


def ballot_ideas(ballot: Ballot | None) -> list[int]:
    return sorted(i.pk for i in ballot.ideas.all()) if ballot else []


@dataclass(frozen=True, slots=True)
class ResultRow:
    idea: Idea
    cost_cents: int
    ballots: int
    funded: bool


def results(campaign: Campaign) -> list[ResultRow]:
    """The costed ideas in order of support (ballots holding them), and which fit the budget.

    As Decidim selects projects: walk down the list from the most supported and fund each
    idea whose cost still fits what is left of the budget; one that does not fit is passed
    over, and a cheaper one below it may still be funded. Ties: the cheaper idea, then the older.
    """
    budget = budget_of(campaign)
    left = budget.amount_cents if budget else 0
    ideas = (
        Idea.objects.filter(LISTED, campaign=campaign, budget_cost__isnull=False)
        .select_related("budget_cost")
        .annotate(n=Count("budget_ballots"))
    )
    ranked = sorted(ideas, key=lambda i: (-i.n, i.budget_cost.amount_cents, i.pk))  # type: ignore[attr-defined]
    rows = []
    for idea in ranked:
        cost = idea.budget_cost.amount_cents
        funded = idea.n > 0 and cost <= left  # type: ignore[attr-defined]
        if funded:
            left -= cost
        rows.append(ResultRow(idea=idea, cost_cents=cost, ballots=idea.n, funded=funded))  # type: ignore[attr-defined]
    return rows


def costs(campaign: Campaign) -> dict[int, int]:
    return dict(Cost.objects.filter(idea__campaign=campaign).values_list("idea_id", "amount_cents"))


def costing(campaign: Campaign) -> list[tuple[Idea, int | None]]:
    """Every listed idea of the campaign with its cost (None when not set), for staff to cost; oldest first."""
    ideas = Idea.objects.filter(LISTED, campaign=campaign).select_related("budget_cost").order_by("pk")
    return [(i, i.budget_cost.amount_cents if hasattr(i, "budget_cost") else None) for i in ideas]
