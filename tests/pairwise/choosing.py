"""Answer a pair as the pages and the API do: with the offer the site signs when it shows the pair."""

from __future__ import annotations

from typing import Any

from prosumo.ideas.models import Campaign
from prosumo.pairwise.models import Choice
from prosumo.pairwise.offers import offer_sign
from prosumo.pairwise.services import pairwise_choose


def choose(*, actor: Any, campaign_id: int | str, left_id: int, right_id: int, outcome: str) -> Choice:
    """`pairwise_choose` with a fresh offer of this pair to this member, as if the site had just shown it."""
    campaign = (
        Campaign.objects.filter(slug=str(campaign_id)).first()
        or Campaign.objects.filter(pk=int(campaign_id) if str(campaign_id).isdigit() else 0).first()
    )
    offer = offer_sign(
        member_id=getattr(actor, "pk", None) or 0,
        campaign_id=campaign.pk if campaign else 0,
        left_id=left_id,
        right_id=right_id,
    )
    return pairwise_choose(
        actor=actor, campaign_id=campaign_id, left_id=left_id, right_id=right_id, outcome=outcome, offer=offer
    )
