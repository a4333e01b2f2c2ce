"""Pairwise campaigns in the JSON API: the next pair, a member's choice, and the scores."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Router, Schema, Status

from prosumo.community.auth import PUBLIC, needs
from prosumo.community.http import MemberRequest
from prosumo.community.models import Scope
from prosumo.core.input import BodyIn, Id
from prosumo.core.schemas import ERRORS
from prosumo.pairwise import selectors, services
from prosumo.pairwise.offers import offer_sign
from prosumo.pairwise.permissions import access_pairwise_campaign, access_pairwise_to_choose

router = Router(tags=["pairwise"])


class PairIdeaOut(Schema):
    id: int
    title: str
    body: str


class PairOut(Schema):
    left: PairIdeaOut | None = Field(description="Null while the campaign has fewer than two open ideas")
    right: PairIdeaOut | None
    answered: int = Field(description="Pairs the member has answered in this campaign")
    offer: str | None = Field(
        description="Send it back with the answer: only a pair offered to you, in this order, is taken, once"
    )


@router.get("/campaigns/{campaign}/pairs/next", response={200: PairOut, **ERRORS}, auth=needs(Scope.READ))
def pair_next(request: MemberRequest, campaign: str) -> Any:
    """Two ideas to compare, chosen so that new ideas get as many appearances as the others."""
    member, found = access_pairwise_to_choose(request.user, campaign)
    pair = selectors.next_pair(found)
    left, right = pair if pair else (None, None)
    offer = (
        offer_sign(member_id=member.pk, campaign_id=found.pk, left_id=left.pk, right_id=right.pk)
        if left and right
        else None
    )
    return {"left": left, "right": right, "answered": selectors.choices_made(found, member.pk), "offer": offer}


class ChoiceIn(BodyIn):
    left_id: Id
    right_id: Id
    outcome: str = Field(description="left, right or cant_decide")
    offer: str = Field(description="The offer that came with the pair (pairs/next)")


class ChoiceOut(Schema):
    id: int
    left_id: int
    right_id: int
    outcome: str
    winner_id: int | None
    created_at: datetime


@router.post("/campaigns/{campaign}/pairs/choices", response={201: ChoiceOut, **ERRORS}, auth=needs(Scope.WRITE))
def pair_choose(request: MemberRequest, campaign: str, payload: ChoiceIn) -> Any:
    """Answer a pair: the left idea, the right one, or cant_decide; as many pairs as the member likes."""
    choice = services.pairwise_choose(actor=request.user, campaign_id=campaign, **payload.dict())
    return Status(201, choice)


class ScoreOut(Schema):
    idea_id: int
    title: str
    score: float = Field(description="Estimated chance (0 to 1) that the idea beats a randomly chosen other idea")
    low: float = Field(description="Lower end of the ~95% interval")
    high: float = Field(description="Upper end of the ~95% interval")
    wins: int
    losses: int
    appearances: int = Field(description="Times shown and answered, can't decide included")


@router.get("/campaigns/{campaign}/pairs/results", response={200: list[ScoreOut], **ERRORS}, auth=PUBLIC)
def pair_results(request: MemberRequest, campaign: str) -> Any:
    """Every listed idea's score, best first (docs/running-a-community.md explains the estimate)."""
    found = access_pairwise_campaign(request.user, campaign)
    return [
        {
            "idea_id": row.idea.pk,
            "title": row.idea.title,
            "score": row.score.score,
            "low": row.score.low,
            "high": row.score.high,
            "wins": row.score.wins,
            "losses": row.score.losses,
            "appearances": row.appearances,
        }
        for row in selectors.results(found)
    ]
