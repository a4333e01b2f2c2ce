"""Reads for the orders and spend pages and endpoints, each a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum

from prosumo.commerce.models import ChannelSpend, Order
from prosumo.community.models import Member


@dataclass(frozen=True)
class OrderTotals:
    currency: str
    orders: int
    amount_cents: int
    matched: int
    co_created_cents: int


def order_totals() -> list[OrderTotals]:
    """Orders per currency: how many, how much, how many matched to a member, how much from ideas."""
    rows = (
        Order.objects.order_by()
        .values("currency")
        .annotate(
            orders=Count("pk"),
            amount=Sum("amount_cents"),
            matched=Count("pk", filter=Q(member__isnull=False)),
            co_created=Sum("amount_cents", filter=Q(idea__isnull=False)),
        )
        .order_by("currency")
    )
    return [OrderTotals(r["currency"], r["orders"], r["amount"] or 0, r["matched"], r["co_created"] or 0) for r in rows]


def recent_orders(*, limit: int = 50) -> QuerySet[Order]:
    return Order.objects.select_related("product", "member", "idea").order_by("-ordered_at", "-id")[:limit]


def spends(*, channel: str | None = None) -> QuerySet[ChannelSpend]:
    found = ChannelSpend.objects.order_by("-starts_on", "channel", "-id")
    return found.filter(channel=channel) if channel else found


def known_channels() -> list[str]:
    """The channels members came from, and those spend was recorded for: the names the analytics join on."""
    members = set(Member.objects.exclude(channel="").values_list("channel", flat=True).distinct())
    recorded = set(ChannelSpend.objects.values_list("channel", flat=True).distinct())
    return sorted(members | recorded)
