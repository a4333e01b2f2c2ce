"""Reads of points: balances summed from the ledger (never stored), histories, rules, leaderboards."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, Sum

from prosumo.community.models import Member
from prosumo.rewards.models import (
    AccountKind,
    Entry,
    LeaderboardChoice,
    Posting,
    PostingKind,
    RuleVersion,
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
    """A member's latest postings, newest first (one query)."""
    return list(
        Posting.objects.filter(member_id=member_id)
        .select_related("rule_version")
        .order_by("-created_at", "-id")[:limit]
    )


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
