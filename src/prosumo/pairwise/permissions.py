"""Who may compare the ideas of a pairwise campaign; see docs/permissions.md."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from prosumo.community.models import Member
from prosumo.community.permissions import require_member
from prosumo.core.errors import Conflict, NotFound
from prosumo.ideas.models import Campaign, VotingMode
from prosumo.ideas.permissions import access_campaign


def access_pairwise_campaign(actor: Any, campaign: int | str) -> Campaign:
    """A campaign the actor may see (ideas' rule) that compares its ideas in pairs, else NotFound."""
    found = access_campaign(actor, campaign)
    if found.voting_mode != VotingMode.PAIRWISE:
        raise NotFound(gettext("This campaign does not compare ideas in pairs."))
    return found


def is_running(campaign: Campaign) -> bool:
    """Choices are taken from the campaign's start until its end (as new ideas are)."""
    now = timezone.now()
    return campaign.starts_at <= now and (campaign.ends_at is None or campaign.ends_at > now)


def access_pairwise_to_choose(actor: Any, campaign: int | str) -> tuple[Member, Campaign]:
    """A member who may take part (signed in, not suspended) and a running pairwise campaign they may see."""
    member = require_member(actor)
    found = access_pairwise_campaign(member, campaign)
    if not is_running(found):
        raise Conflict(gettext("This campaign is not taking choices now."), code="campaign_closed")
    return member, found
