"""Points, levels, badges, leaderboards and reward rules in the JSON API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status

from prosumo.community.auth import PUBLIC, needs
from prosumo.community.http import MemberRequest
from prosumo.community.models import Scope
from prosumo.community.permissions import require_member
from prosumo.core.errors import NotFound
from prosumo.core.input import BodyIn, Id
from prosumo.core.schemas import ERRORS
from prosumo.ideas.permissions import access_campaign, access_idea
from prosumo.rewards import selectors, services
from prosumo.rewards.models import Payout, Posting, RuleVersion, SalesPeriod
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


class PointsSpendIn(BodyIn):
    points: int = Field(description="Points spent, at least 1, never more than the balance")
    reason: str = Field(description="What they were spent on, 2 to 48 characters")
    note: str = ""


class CorrectionIn(BodyIn):
    points: int = Field(description="Signed: -10 takes 10 points back, 10 adds 10")
    note: str = Field(description="Why the points are corrected")


@router.post("/rewards/members/{member_id}/spend", response={201: PostingOut, **ERRORS}, auth=needs(Scope.STAFF))
def points_spend(request: MemberRequest, member_id: Id, payload: PointsSpendIn) -> Any:
    """Record points a member spent (a gift, a discount)."""
    posting = services.points_spend(
        actor=request.user, member_id=member_id, points=payload.points, reason=payload.reason, note=payload.note
    )
    return Status(201, posting)


@router.post("/rewards/postings/{posting_id}/correction", response={201: PostingOut, **ERRORS}, auth=needs(Scope.STAFF))
def points_correct(request: MemberRequest, posting_id: Id, payload: CorrectionIn) -> Any:
    """Correct a posting with a new one that points at it; the original is never changed."""
    posting = services.points_correct(
        actor=request.user, posting_id=posting_id, points=payload.points, note=payload.note
    )
    return Status(201, posting)


# -- royalties ------------------------------------------------------------------------------------------------------


class PoolIn(BodyIn):
    idea_id: Id
    kind: str = Field(description="rate (a share of net sales) or prize (a fixed amount)")
    rate_bp: int | None = Field(None, description="For a rate: basis points of net sales, 1 to 10000 (100 is 1%)")
    prize_cents: int | None = Field(None, description="For a prize: the amount in cents")
    currency: str = Field(description="Three letters, such as EUR")
    split_rule: str = Field(description="equal, shares, roles or shapley")
    merged_percent: int = Field(20, description="Part of each payout for the authors of merged ideas, 0 to 100")
    role_weights: dict[str, int] | None = Field(None, description="For roles: weights of author, coauthor, merged")


class PayoutOut(Schema):
    id: int
    member_id: int
    period_id: int | None
    amount_cents: int
    roles: list[str]
    weight: str = Field(description="The contributor's weight under the pool's rule, as an exact fraction")


class PeriodOut(Schema):
    id: int
    starts_on: date
    ends_on: date
    net_sales_cents: int
    pool_cents: int
    source: str
    payouts: list[PayoutOut]

    @staticmethod
    def resolve_payouts(obj: SalesPeriod) -> list[Payout]:
        return list(obj.payouts.all())


class PoolOut(Schema):
    id: int
    idea_id: int
    kind: str
    rate_bp: int | None
    prize_cents: int | None
    currency: str
    split_rule: str
    merged_percent: int
    opened_at: datetime


class PoolDetailOut(PoolOut):
    periods: list[PeriodOut]
    prize_payouts: list[PayoutOut]


@router.post("/royalties/pools", response={201: PoolOut, **ERRORS}, auth=needs(Scope.STAFF))
def pool_open(request: MemberRequest, payload: PoolIn) -> Any:
    """Open the royalty pool of a launched idea; a prize pool pays out at once."""
    opened = services.pool_open(actor=request.user, **payload.model_dump())
    return Status(201, opened)


@router.get("/royalties/pools/{pool_id}", response={200: PoolDetailOut, **ERRORS}, auth=needs(Scope.STAFF))
def pool_detail(request: MemberRequest, pool_id: Id) -> Any:
    require_rewards_admin(request.user)
    found = selectors.pool(pool_id=pool_id)
    if found is None:
        raise NotFound(gettext("That pool does not exist."))
    return {
        **{f: getattr(found, f) for f in PoolOut.model_fields},
        "idea_id": found.idea_id,
        "periods": selectors.pool_periods(pool_id=pool_id),
        "prize_payouts": selectors.prize_payouts(pool_id=pool_id),
    }


class PeriodIn(BodyIn):
    starts_on: date = Field(strict=False, description="First day, 2027-01-01")
    ends_on: date = Field(strict=False, description="Last day, 2027-03-31")
    net_sales_cents: int = Field(description="Net sales in the period, in cents of the pool's currency")


@router.post("/royalties/pools/{pool_id}/periods", response={201: PeriodOut, **ERRORS}, auth=needs(Scope.STAFF))
def period_add(request: MemberRequest, pool_id: Id, payload: PeriodIn) -> Any:
    """Enter a period's net sales; the pool's part is split among the contributors and paid at once."""
    period = services.sales_period_add(
        actor=request.user,
        pool_id=pool_id,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        net_sales_cents=payload.net_sales_cents,
        source=SalesPeriod.Source.API,
    )
    return Status(201, period)


class StatementOut(Schema):
    payout_id: int
    pool_id: int
    idea_id: int
    period_id: int | None
    starts_on: date | None
    ends_on: date | None
    currency: str
    net_sales_cents: int | None
    pool_cents: int | None
    amount_cents: int
    roles: list[str]


@router.get("/royalties/statements", response={200: list[StatementOut], **ERRORS}, auth=needs(Scope.READ))
def statements(request: MemberRequest) -> Any:
    """Your royalty payouts, newest period first."""
    member = require_member(request.user)
    return [
        {
            "payout_id": p.pk,
            "pool_id": p.pool_id,
            "idea_id": p.pool.idea_id,
            "period_id": p.period_id,
            "starts_on": p.period.starts_on if p.period else None,
            "ends_on": p.period.ends_on if p.period else None,
            "currency": p.pool.currency,
            "net_sales_cents": p.period.net_sales_cents if p.period else None,
            "pool_cents": p.period.pool_cents if p.period else p.pool.prize_cents,
            "amount_cents": p.amount_cents,
            "roles": p.roles,
        }
        for p in selectors.statements(member_id=member.pk)
    ]


class CreditOut(Schema):
    member_id: int
    name: str


@router.get("/ideas/{idea_id}/credits", response={200: list[CreditOut], **ERRORS}, auth=PUBLIC)
def credits(request: MemberRequest, idea_id: Id) -> Any:
    """ "Designed with ...": a launched idea's contributors, as they chose to be named; empty before launch."""
    idea = access_idea(request.user, idea_id)
    return [{"member_id": m.pk, "name": m.name} for m in selectors.credit_line(idea=idea)]
