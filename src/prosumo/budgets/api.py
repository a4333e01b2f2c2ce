"""Participatory budgets in the JSON API: admins set budgets and costs; members read and cast ballots."""

from __future__ import annotations

from typing import Any

from ninja import Field, Router, Schema

from prosumo.budgets import selectors, services
from prosumo.budgets.permissions import access_budget_campaign, access_budget_to_vote
from prosumo.community.auth import PUBLIC, needs
from prosumo.community.http import MemberRequest
from prosumo.community.models import Scope
from prosumo.core.input import BodyIn, Id
from prosumo.core.schemas import ERRORS

router = Router(tags=["budgets"])


class BudgetIn(BodyIn):
    amount_cents: int = Field(description="The budget, in integer cents")
    currency: str = Field("EUR", description="Three capital letters")


class BudgetOut(Schema):
    campaign_id: int
    amount_cents: int
    currency: str


@router.put("/campaigns/{campaign}/budget", response={200: BudgetOut, **ERRORS}, auth=needs(Scope.STAFF))
def budget_set(request: MemberRequest, campaign: str, payload: BudgetIn) -> Any:
    """Set or change a budget campaign's budget (admins)."""
    return services.budget_set(actor=request.user, campaign_id=campaign, **payload.dict())


class CostIn(BodyIn):
    amount_cents: int = Field(description="What the idea would cost, in integer cents of the budget's currency")


class CostOut(Schema):
    idea_id: int
    amount_cents: int


@router.put("/ideas/{idea_id}/cost", response={200: CostOut, **ERRORS}, auth=needs(Scope.STAFF))
def cost_set(request: MemberRequest, idea_id: Id, payload: CostIn) -> Any:
    """Set or change what an idea of a budget campaign would cost (admins)."""
    return services.cost_set(actor=request.user, idea_id=idea_id, amount_cents=payload.amount_cents)


class OptionOut(Schema):
    idea_id: int
    title: str
    cost_cents: int


class BallotOut(Schema):
    amount_cents: int
    currency: str
    options: list[OptionOut]
    idea_ids: list[int] = Field(description="The member's saved ballot; empty before they cast one")
    total_cents: int


def _ballot(member: Any, campaign: Any) -> dict[str, Any]:
    budget = selectors.budget_of(campaign)
    ballot = selectors.ballot_of(campaign, member)
    return {
        "amount_cents": budget.amount_cents if budget else 0,
        "currency": budget.currency if budget else "",
        "options": [
            {"idea_id": o.idea.pk, "title": o.idea.title, "cost_cents": o.cost_cents}
            for o in selectors.options(campaign)
        ],
        "idea_ids": selectors.ballot_ideas(ballot),
        "total_cents": ballot.total_cents if ballot else 0,
    }


@router.get("/campaigns/{campaign}/budget/ballot", response={200: BallotOut, **ERRORS}, auth=needs(Scope.READ))
def ballot_read(request: MemberRequest, campaign: str) -> Any:
    """The budget, the costed ideas, and the member's saved ballot."""
    found = access_budget_campaign(request.user, campaign)
    return _ballot(request.user, found)


class BallotIn(BodyIn):
    idea_ids: list[Id] = Field(description="The ideas to fund; their costs together within the budget")


@router.put("/campaigns/{campaign}/budget/ballot", response={200: BallotOut, **ERRORS}, auth=needs(Scope.WRITE))
def ballot_cast(request: MemberRequest, campaign: str, payload: BallotIn) -> Any:
    """Cast the ballot, or change it until the campaign closes; over the budget is `400 over_budget`."""
    services.ballot_cast(actor=request.user, campaign_id=campaign, idea_ids=payload.idea_ids)
    member, found = access_budget_to_vote(request.user, campaign)
    return _ballot(member, found)


class ResultOut(Schema):
    idea_id: int
    title: str
    cost_cents: int
    ballots: int
    funded: bool


@router.get("/campaigns/{campaign}/budget/results", response={200: list[ResultOut], **ERRORS}, auth=PUBLIC)
def budget_results(request: MemberRequest, campaign: str) -> Any:
    """The costed ideas in order of support, and which the budget funds."""
    found = access_budget_campaign(request.user, campaign)
    return [
        {
            "idea_id": r.idea.pk,
            "title": r.idea.title,
            "cost_cents": r.cost_cents,
            "ballots": r.ballots,
            "funded": r.funded,
        }
        for r in selectors.results(found)
    ]
