"""`{% rewards_summary member %}`: a member's level and badges, for the profile page."""

from __future__ import annotations

from typing import Any

from django import template

from prosumo.rewards.selectors import member_rewards

register = template.Library()


@register.inclusion_tag("rewards/_summary.html")
def rewards_summary(member: Any) -> dict[str, Any]:
    return {"rewards": member_rewards(member_id=member.pk)}
