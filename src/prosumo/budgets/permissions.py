"""Who may set a campaign's budget and costs, and who may fill in a ballot; see docs/permissions.md."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from prosumo.community.models import Member, Role
from prosumo.community.permissions import require_member, require_role
from prosumo.core.errors import Conflict, NotFound
from prosumo.ideas.models import Campaign, VotingMode
from prosumo.ideas.permissions import access_campaign


def require_budget_admin(actor: Any) -> Member:
    """Admins set budgets and costs, as they set up campaigns."""
    return require_role(actor, Role.ADMIN)


def access_budget_campaign(actor: Any, campaign: int | str) -> Campaign:
    """A campaign the actor may see (ideas' rule) whose voting mode is the participatory budget, else NotFound."""
    found = access_campaign(actor, campaign)
    if found.voting_mode != VotingMode.BUDGET:
        raise NotFound(gettext("This campaign has no participatory budget."))
    return found


def is_running(campaign: Campaign) -> bool:
    """Ballots are taken, and changed, from the campaign's start until its end."""
    now = timezone.now()
    return campaign.starts_at <= now and (campaign.ends_at is None or campaign.ends_at > now)


def access_budget_to_vote(actor: Any, campaign: int | str) -> tuple[Member, Campaign]:
    """A member who may take part and a running budget campaign they may see."""
    member = require_member(actor)
    found = access_budget_campaign(member, campaign)
    if not is_running(found):
        raise Conflict(
            gettext("This campaign is closed: ballots can no longer be cast or changed."), code="campaign_closed"
        )
    return member, found
