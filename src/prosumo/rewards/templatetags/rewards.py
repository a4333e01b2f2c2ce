"""Template tags of the rewards app: a launched idea's credit line, amounts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from prosumo.rewards import selectors

register = template.Library()


@register.inclusion_tag("rewards/_credit_line.html")
def credit_line(idea: Any) -> dict[str, Any]:
    """ "Designed with ...": a launched idea's contributors as they chose to be named (nothing for other ideas)."""
    return {"people": selectors.credit_line(idea=idea)}


@register.filter
def cents(value: int | None) -> str:
    """12345 -> "123.45"."""
    if value is None:
        return ""
    return f"{Decimal(value) / 100:,.2f}"


@register.filter
def basis_points(value: int | None) -> str:
    """150 -> "1.5" (percent)."""
    if value is None:
        return ""
    return f"{Decimal(value) / 100:f}".rstrip("0").rstrip(".")


@register.inclusion_tag("rewards/_leaderboard_choice.html", takes_context=True)
def leaderboard_choice(context: Any, member: Any, back: str = "") -> dict[str, Any]:
    """The button that takes a member off the leaderboards, or back on; `back="settings"` returns to the settings."""
    return {
        "hidden": selectors.hidden_from_leaderboards(member_id=member.pk),
        "back": back,
        "csrf_token": context.get("csrf_token"),
    }
