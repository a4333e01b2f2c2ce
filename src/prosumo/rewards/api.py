"""Points, levels, badges, leaderboards and reward rules in the JSON API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Query, Router, Schema

from prosumo.community.auth import PUBLIC, needs
from prosumo.community.http import MemberRequest
from prosumo.community.models import Scope
from prosumo.community.permissions import require_member
from prosumo.core.input import BodyIn, Id
from prosumo.core.schemas import ERRORS
from prosumo.ideas.permissions import access_campaign
from prosumo.rewards import selectors, services
from prosumo.rewards.models import Posting, RuleVersion
from prosumo.rewards.permissions import require_rewards_admin

router = Router(tags=["rewards"])


class LevelOut(Schema):
    number: int
    name: str
    points: int = Field(description="Points earned at which this level starts")
    next_at: int | None = Field(description="Points earned at which the next level starts; null at the top")


class BadgeOut(Schema):
    key: str
    name: str
    description: str


class PostingOut(Schema):
    id: int
    kind: str = Field(description="award, spend or correction")
    reason: str
    points: int = Field(description="What the balance moved by")
    campaign_id: int | None
    object_type: str
    object_id: int | None
    source_event_id: int | None
    rule_version: int | None = Field(description="The version number of the rule the award was made under")
    corrects_id: int | None
    created_at: datetime

    @staticmethod
    def resolve_rule_version(obj: Posting) -> int | None:
        return obj.rule_version.number if obj.rule_version else None


class MyRewardsOut(Schema):
    balance: int = Field(description="Points now: the sum of the ledger's entries")
    earned: int = Field(description="Points ever earned (spends left out): what levels count")
    level: LevelOut
    badges: list[BadgeOut]
    hidden_from_leaderboards: bool
    history: list[PostingOut] = Field(description="The latest 50 postings, newest first")


@router.get("/rewards/me", response={200: MyRewardsOut, **ERRORS}, auth=needs(Scope.READ))
def my_rewards(request: MemberRequest) -> Any:
    member = require_member(request.user)
    found = selectors.member_rewards(member_id=member.pk)
    return {
        "balance": selectors.balance(member_id=member.pk),
        "earned": found.earned,
        "level": found.level,
        "badges": found.badges,
        "hidden_from_leaderboards": selectors.hidden_from_leaderboards(member_id=member.pk),
        "history": selectors.history(member_id=member.pk),
    }


class LeaderboardChoiceIn(BodyIn):
    hidden: bool


class LeaderboardChoiceOut(Schema):
    hidden: bool


@router.put("/rewards/me/leaderboard", response={200: LeaderboardChoiceOut, **ERRORS}, auth=needs(Scope.WRITE))
def leaderboard_choice(request: MemberRequest, payload: LeaderboardChoiceIn) -> Any:
    choice = services.leaderboard_choose(actor=request.user, hidden=payload.hidden)
    return {"hidden": choice.hidden}


class StandingOut(Schema):
    rank: int
    member_id: int
    name: str
    points: int
    awards: int


class LeaderboardParams(Schema):
    campaign_id: Id | None = Field(None, description="One campaign's leaderboard; overall when left out")


@router.get("/rewards/leaderboard", response={200: list[StandingOut], **ERRORS}, auth=PUBLIC)
def leaderboard(request: MemberRequest, params: Query[LeaderboardParams]) -> Any:
    campaign_id = None
    if params.campaign_id is not None:
        campaign_id = access_campaign(request.user, params.campaign_id).pk
    return [
        {"rank": s.rank, "member_id": s.member.pk, "name": s.member.name, "points": s.points, "awards": s.awards}
        for s in selectors.leaderboard(campaign_id=campaign_id)
    ]


class RuleOut(Schema):
    campaign_id: int | None
    trigger: str
    version: int
    points: int
    daily_cap: int
    created_at: datetime

    @staticmethod
    def resolve_campaign_id(obj: RuleVersion) -> int | None:
        return obj.rule.campaign_id

    @staticmethod
    def resolve_trigger(obj: RuleVersion) -> str:
        return obj.rule.trigger

    @staticmethod
    def resolve_version(obj: RuleVersion) -> int:
        return obj.number


class RulesParams(Schema):
    campaign_id: Id | None = Field(None, description="A campaign's own rules; the site's rules when left out")


@router.get("/rewards/rules", response={200: list[RuleOut], **ERRORS}, auth=needs(Scope.STAFF))
def rules(request: MemberRequest, params: Query[RulesParams]) -> Any:
    """Every version of the campaign's (or the site's) rules, newest first."""
    require_rewards_admin(request.user)
    rows = selectors.rules(campaign_id=params.campaign_id)
    return [version for row in rows for version in row.versions]


class RuleIn(BodyIn):
    campaign_id: Id | None = None
    trigger: str = Field(description="idea_submitted, support_threshold, idea_accepted, idea_launched, ...")
    points: int = Field(ge=0)
    daily_cap: int = Field(0, ge=0)


@router.put("/rewards/rules", response={200: RuleOut, **ERRORS}, auth=needs(Scope.STAFF))
def rule_set(request: MemberRequest, payload: RuleIn) -> Any:
    """Set a rule: a new version when the points or the cap change, the current one otherwise."""
    return services.rule_set(
        actor=request.user,
        campaign_id=payload.campaign_id,
        trigger=payload.trigger,
        points=payload.points,
        daily_cap=payload.daily_cap,
    )


class ImprovementOut(Schema):
    comment_id: int
    marked_at: datetime


@router.post("/comments/{comment_id}/improvement", response={200: ImprovementOut, **ERRORS}, auth=needs(Scope.STAFF))
def improvement_mark(request: MemberRequest, comment_id: Id) -> Any:
    mark = services.comment_mark_improved(actor=request.user, comment_id=comment_id)
    return {"comment_id": mark.comment_id, "marked_at": mark.created_at}
