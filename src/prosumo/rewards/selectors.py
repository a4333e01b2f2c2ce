"""Reads of points: balances summed from the ledger (never stored), histories, rules, leaderboards."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Prefetch, Q, Sum
from django.utils.translation import gettext_lazy as _

from prosumo.activity.models import Event
from prosumo.community.models import Member
from prosumo.core.input import id_in_range
from prosumo.ideas.models import Campaign, CoAuthor, CoAuthorStatus, Comment, Idea, IdeaLineage, Stage
from prosumo.rewards import credit
from prosumo.rewards.models import (
    AccountKind,
    Entry,
    ImprovementMark,
    LeaderboardChoice,
    Payout,
    Posting,
    PostingKind,
    RoyaltyPool,
    RuleVersion,
    SalesPeriod,
    Trigger,
)


def balance(*, member_id: int) -> int:
    """A member's points now: the sum of their account's entries (one query)."""
    found = Entry.objects.filter(account__kind=AccountKind.MEMBER, account__member_id=member_id).aggregate(
        total=Sum("points")
    )
    return int(found["total"] or 0)


def balances(*, member_ids: list[int]) -> dict[int, int]:
    """Many members' points at once (one query); a member with no entry has 0."""
    rows = (
        Entry.objects.filter(account__kind=AccountKind.MEMBER, account__member_id__in=member_ids)
        .values("account__member_id")
        .annotate(total=Sum("points"))
    )
    found = {row["account__member_id"]: int(row["total"]) for row in rows}
    return {member_id: found.get(member_id, 0) for member_id in member_ids}


def earned(*, member_id: int) -> int:
    """Points ever earned (awards and their corrections, not spends): what levels are measured in."""
    found = Posting.objects.filter(member_id=member_id).exclude(kind=PostingKind.SPEND)
    found = found.exclude(kind=PostingKind.CORRECTION, corrects__kind=PostingKind.SPEND)
    return int(found.aggregate(total=Sum("points"))["total"] or 0)


def history(*, member_id: int, limit: int = 50) -> list[Posting]:
    """A member's latest postings, newest first, each correction with the posting it corrects (one query)."""
    return list(
        Posting.objects.filter(member_id=member_id)
        .select_related("rule_version", "corrects", "created_by")
        .order_by("-created_at", "-id")[:limit]
    )


def ledger_member(*, query: str) -> Member | None:
    """The member a staff search names: by member number, or by email address exactly (one query)."""
    query = query.strip().lstrip("#")
    if query.isdigit():
        return Member.objects.filter(pk=int(query)).first() if id_in_range(int(query)) else None
    if "@" in query:
        return Member.objects.filter(email__iexact=query).first()
    return None


def site_totals() -> dict[str, int]:
    """The site's accounts: points issued (negative, as double entry writes it) and spent; they sum with members' to 0."""
    rows = Entry.objects.values("account__kind").annotate(total=Sum("points"))
    totals = {kind.value: 0 for kind in AccountKind}
    totals.update({row["account__kind"]: int(row["total"]) for row in rows})
    return totals


@dataclass(frozen=True)
class RuleRow:
    trigger: str
    label: str
    current: RuleVersion | None
    site: RuleVersion | None
    versions: list[RuleVersion]


def rules(*, campaign_id: int | None) -> list[RuleRow]:
    """Every trigger with the campaign's own current version, the site's, and the campaign's history (two queries)."""
    wanted = Q(rule__campaign__isnull=True)
    if campaign_id is not None:
        wanted |= Q(rule__campaign_id=campaign_id)
    versions = list(RuleVersion.objects.filter(wanted).select_related("rule", "created_by").order_by("-number"))
    rows = []
    for trigger in Trigger:
        site = [v for v in versions if v.rule.trigger == trigger and v.rule.campaign_id is None]
        own = [v for v in versions if v.rule.trigger == trigger and v.rule.campaign_id == campaign_id]
        rows.append(RuleRow(trigger.value, str(trigger.label), own[0] if own else None, site[0] if site else None, own))
    return rows


@dataclass(frozen=True)
class Standing:
    rank: int
    member: Member
    points: int
    awards: int


def leaderboard(*, campaign_id: int | None = None, limit: int = 20) -> list[Standing]:
    """The members with the most points earned (in one campaign, or overall), leaving out those who opted out.

    Earned, not balance: spending points does not move a member down. Ties share a rank,
    and are listed by member id. Two queries.
    """
    postings = Posting.objects.exclude(kind=PostingKind.SPEND).exclude(
        kind=PostingKind.CORRECTION, corrects__kind=PostingKind.SPEND
    )
    if campaign_id is not None:
        postings = postings.filter(campaign_id=campaign_id)
    hidden = LeaderboardChoice.objects.filter(hidden=True).values("member_id")
    rows = list(
        postings.exclude(member_id__in=hidden)
        .filter(member__erased_at__isnull=True)
        .values("member_id")
        .annotate(points=Sum("points"), awards=Count("id", filter=Q(kind=PostingKind.AWARD)))
        .filter(points__gt=0)
        .order_by("-points", "member_id")[:limit]
    )
    members = Member.objects.in_bulk([row["member_id"] for row in rows])
    standings: list[Standing] = []
    for index, row in enumerate(rows):
        tied = standings and standings[-1].points == row["points"]
        rank = standings[-1].rank if tied else index + 1
        standings.append(Standing(rank, members[row["member_id"]], int(row["points"]), int(row["awards"])))
    return standings


def hidden_from_leaderboards(*, member_id: int) -> bool:
    return LeaderboardChoice.objects.filter(member_id=member_id, hidden=True).exists()


# -- levels and badges ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Level:
    number: int
    name: str
    points: int  # earned points it starts at
    next_at: int | None  # earned points the next level starts at


# The points earned that each level starts at; spending points never lowers a level.
LEVELS = (
    (0, _("Newcomer")),
    (50, _("Contributor")),
    (200, _("Regular")),
    (500, _("Innovator")),
    (1500, _("Co-creator")),
    (5000, _("Visionary")),
)


def level_for(points: int) -> Level:
    number = max(i for i, (start, _name) in enumerate(LEVELS) if points >= start or i == 0)
    start, name = LEVELS[number]
    following = LEVELS[number + 1][0] if number + 1 < len(LEVELS) else None
    return Level(number + 1, str(name), start, following)


@dataclass(frozen=True)
class Badge:
    key: str
    name: str
    description: str


BADGES = (
    ("first_idea", _("First idea"), _("Shared a first idea.")),
    ("ten_ideas", _("Ten ideas"), _("Shared ten ideas.")),
    ("commenter", _("In the conversation"), _("Wrote 25 comments.")),
    ("improver", _("Improver"), _("Wrote a comment that staff marked as having improved an idea.")),
    ("supported", _("Supported"), _("Authored or co-authored an idea that reached its campaign's support threshold.")),
    ("accepted", _("Accepted"), _("Authored or co-authored an idea the company accepted.")),
    ("launched", _("Launched"), _("Authored or co-authored an idea that became a product.")),
    ("ambassador", _("Ambassador"), _("Brought three friends who joined.")),
)


@dataclass(frozen=True)
class MemberRewards:
    earned: int
    level: Level
    badges: list[Badge]


def member_rewards(*, member_id: int) -> MemberRewards:
    """Points earned, level and badges, read from the ledger and the activity (four queries)."""
    postings = Posting.objects.filter(member_id=member_id)
    ledger = postings.aggregate(
        earned=Sum(
            "points",
            filter=~Q(kind=PostingKind.SPEND) & ~Q(kind=PostingKind.CORRECTION, corrects__kind=PostingKind.SPEND),
        ),
        supported=Count("id", filter=Q(kind=PostingKind.AWARD, reason=Trigger.SUPPORT_THRESHOLD)),
    )
    acts = Event.objects.filter(
        actor_id=member_id, verb__in=["idea.submitted", "comment.posted", "member.referred"]
    ).aggregate(
        ideas=Count("id", filter=Q(verb="idea.submitted")),
        comments=Count("id", filter=Q(verb="comment.posted")),
        referrals=Count("id", filter=Q(verb="member.referred")),
    )
    mine = Q(author_id=member_id) | Q(coauthors__member_id=member_id, coauthors__status=CoAuthorStatus.ACCEPTED)
    reached = Idea.objects.filter(mine).aggregate(
        accepted=Count("id", distinct=True, filter=Q(stage__in=[Stage.ACCEPTED, Stage.IN_DEVELOPMENT, Stage.LAUNCHED])),
        launched=Count("id", distinct=True, filter=Q(stage=Stage.LAUNCHED)),
        supported=Count(
            "id",
            distinct=True,
            filter=Q(campaign__support_threshold__gt=0, support_count__gte=F("campaign__support_threshold")),
        ),
    )
    improved = ImprovementMark.objects.filter(comment__author_id=member_id).exists()
    held = {
        "first_idea": acts["ideas"] >= 1,
        "ten_ideas": acts["ideas"] >= 10,
        "commenter": acts["comments"] >= 25,
        "improver": improved,
        "supported": ledger["supported"] >= 1 or reached["supported"] >= 1,
        "accepted": reached["accepted"] >= 1,
        "launched": reached["launched"] >= 1,
        "ambassador": acts["referrals"] >= 3,
    }
    earned_points = int(ledger["earned"] or 0)
    return MemberRewards(
        earned=earned_points,
        level=level_for(earned_points),
        badges=[Badge(key, str(name), str(text)) for key, name, text in BADGES if held[key]],
    )


# -- staff ----------------------------------------------------------------------------------------------------------


def campaigns_for_rules() -> list[Campaign]:
    """Every campaign, newest first, for the rules page's choice (one query)."""
    return list(Campaign.objects.order_by("-starts_at").only("pk", "title", "slug", "starts_at"))


@dataclass(frozen=True)
class Improvement:
    comment: Comment
    marked: bool


def improvement_candidates(*, limit: int = 50) -> list[Improvement]:
    """The latest visible comments that propose an improvement, marked or not (two queries)."""
    comments = list(
        Comment.objects.filter(builds_on=True, hidden=False)
        .select_related("idea", "author")
        .order_by("-created_at", "-id")[:limit]
    )
    marked = set(
        ImprovementMark.objects.filter(comment_id__in=[c.pk for c in comments]).values_list("comment_id", flat=True)
    )
    return [Improvement(comment, comment.pk in marked) for comment in comments]


# -- contributors of a launched idea ---------------------------------------------------------------------------------


def lineage(idea_id: int) -> list[int]:
    """The ideas merged into this one, directly or through another merged idea (oldest merge first)."""
    found: list[int] = []
    frontier = [idea_id]
    while frontier:
        sources = list(
            IdeaLineage.objects.filter(target_id__in=frontier)
            .order_by("created_at", "id")
            .values_list("source_id", flat=True)
        )
        sources = [s for s in sources if s not in found and s != idea_id]
        found.extend(sources)
        frontier = sources
    return found


def contributions(idea_id: int) -> list[credit.Contribution]:
    """The launched idea's and its merged ideas' authors and accepted co-authors, with declared shares."""
    merged = lineage(idea_id)
    ideas = dict(Idea.objects.filter(pk__in=[idea_id, *merged]).values_list("pk", "author_id"))
    coauthors = CoAuthor.objects.filter(idea_id__in=list(ideas), status=CoAuthorStatus.ACCEPTED)
    given: dict[int, Decimal] = {}
    found: list[credit.Contribution] = []
    for row in coauthors.order_by("idea_id", "member_id").values("idea_id", "member_id", "share"):
        given[row["idea_id"]] = given.get(row["idea_id"], Decimal(0)) + row["share"]
        found.append(
            credit.Contribution(row["member_id"], row["idea_id"], False, row["share"], row["idea_id"] != idea_id)
        )
    for pk, author_id in ideas.items():
        found.append(credit.Contribution(author_id, pk, True, Decimal(100) - given.get(pk, Decimal(0)), pk != idea_id))
    return found


# -- royalty pools --------------------------------------------------------------------------------------------------


def pools() -> list[RoyaltyPool]:
    """Every pool, newest first, with its idea and what it has paid (one query)."""
    return list(
        RoyaltyPool.objects.select_related("idea")
        .annotate(paid_cents=Sum("payouts__amount_cents"))
        .order_by("-opened_at", "-id")
    )


def pool(*, pool_id: int) -> RoyaltyPool | None:
    return RoyaltyPool.objects.select_related("idea", "idea__campaign").filter(pk=pool_id).first()


def pool_periods(*, pool_id: int) -> list[SalesPeriod]:
    """A pool's periods, oldest first, each with its payouts and their members (two queries)."""
    return list(
        SalesPeriod.objects.filter(pool_id=pool_id)
        .prefetch_related(Prefetch("payouts", Payout.objects.select_related("member").order_by("member_id")))
        .order_by("starts_on")
    )


def prize_payouts(*, pool_id: int) -> list[Payout]:
    return list(Payout.objects.filter(pool_id=pool_id, period__isnull=True).select_related("member"))


def statements(*, member_id: int) -> list[Payout]:
    """A member's royalty payouts, newest period first, with the pool, idea and period (one query)."""
    return list(
        Payout.objects.filter(member_id=member_id)
        .select_related("pool", "pool__idea", "period")
        .order_by("-period__starts_on", "-created_at", "-id")
    )


def payouts_for_finance(*, pool_id: int | None = None, period_id: int | None = None) -> list[Payout]:
    """Payouts for the finance export: each with its member, pool, idea and period (one query)."""
    found = Payout.objects.select_related("member", "pool", "pool__idea", "period")
    if pool_id is not None:
        found = found.filter(pool_id=pool_id)
    if period_id is not None:
        found = found.filter(period_id=period_id)
    return list(found.order_by("pool_id", "period__starts_on", "member_id"))


def launched_ideas_without_pool() -> list[Idea]:
    return list(
        Idea.objects.filter(stage=Stage.LAUNCHED)
        .exclude(pk__in=RoyaltyPool.objects.values("idea_id"))
        .order_by("-stage_changed_at", "-id")
        .only("pk", "title")
    )


def credit_line(*, idea: Idea) -> list[Member]:
    """Who a launched idea was designed with, as they chose to be named, in credit order (three queries).

    Empty for an idea that has not launched.
    """
    if idea.stage != Stage.LAUNCHED:
        return []
    order = credit.credit_names(contributions(idea.pk))
    members = Member.objects.in_bulk(order)
    return [members[pk] for pk in order if pk in members]


# -- a member's copy of their data (prosumo.privacy) ----------------------------------------------------------------


def export_points(*, member_id: int) -> Iterator[dict[str, object]]:
    """Every posting of the member's points, oldest first: what the data export's points.json holds."""
    rows = Posting.objects.filter(member_id=member_id).select_related("rule_version").order_by("created_at", "id")
    for p in rows.iterator(chunk_size=2000):
        yield {
            "id": p.pk,
            "kind": p.kind,
            "reason": p.reason,
            "points": p.points,
            "campaign_id": p.campaign_id,
            "object_type": p.object_type,
            "object_id": p.object_id,
            "source_event_id": p.source_event_id,
            "rule_version": p.rule_version.number if p.rule_version else None,
            "corrects_id": p.corrects_id,
            "note": p.note,
            "occurred_at": p.occurred_at,
            "created_at": p.created_at,
        }


def export_royalties(*, member_id: int) -> Iterator[dict[str, object]]:
    """Every royalty payout to the member, oldest first: the data export's royalties.json."""
    rows = Payout.objects.filter(member_id=member_id).select_related("pool", "period").order_by("created_at", "id")
    for p in rows.iterator(chunk_size=2000):
        yield {
            "id": p.pk,
            "idea_id": p.pool.idea_id,
            "pool_id": p.pool_id,
            "period_starts_on": p.period.starts_on.isoformat() if p.period else None,
            "period_ends_on": p.period.ends_on.isoformat() if p.period else None,
            "currency": p.pool.currency,
            "net_sales_cents": p.period.net_sales_cents if p.period else None,
            "pool_cents": p.period.pool_cents if p.period else p.pool.prize_cents,
            "amount_cents": p.amount_cents,
            "roles": p.roles,
            "split_rule": p.pool.split_rule,
            "paid_at": p.created_at,
        }


def profile_part(member: Member, viewer: Any) -> dict[str, Any]:
    """The member's level, points and badges on their profile page (`community.selectors.profile_part_register`)."""
    return {"rewards": member_rewards(member_id=member.pk), "profile_sections": ["rewards/_summary.html"]}
