"""Invitations to a campaign, or to join and co-author an idea: what ideas adds to the community's invitation."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils.translation import gettext

from prosumo.community import services as community
from prosumo.community.models import Invitation as JoinInvitation
from prosumo.community.models import Member
from prosumo.community.permissions import is_staff, require_member
from prosumo.core.errors import PermissionDenied, ProsumoError
from prosumo.ideas.models import Invitation
from prosumo.ideas.services.ideas import coauthor_invite

logger = logging.getLogger(__name__)


def invitation_create(*, actor: Member, email: str, campaign_id: int | None = None) -> JoinInvitation:
    """Invite someone by email: to the community, or (staff only) to one invitation-only campaign too."""
    if campaign_id is None:
        return community.invitation_create(actor=actor, email=email)
    require_member(actor)
    if not is_staff(actor):
        raise PermissionDenied(gettext("Only staff can invite members to a campaign."))
    return community.invitation_create(
        actor=actor, email=email, invitation=Invitation(campaign_id=campaign_id), campaign_id=campaign_id
    )


def invitation_take_up(*, invitation: JoinInvitation, member: Member) -> JoinInvitation:
    """The invited member accepts an invitation (`invitation_accept`), and what it offers besides joining.

    An invitation to a campaign lets them into it. One to co-author becomes the author's
    offer, made as if the author made it now, with the same checks: if it no longer fits
    (the author gave the share away meanwhile, or the idea closed), the member has still
    joined, and the co-author offer lapses. Returns ideas' Invitation when it offered more.
    """
    with transaction.atomic():
        offer = Invitation.objects.select_related("campaign", "invited_by").filter(pk=invitation.pk).first()
        accepted = community.invitation_accept(
            invitation=invitation, member=member, campaign_id=offer.campaign_id if offer else None
        )
        if offer is None:
            return accepted
        offer.accepted_by, offer.accepted_at = accepted.accepted_by, accepted.accepted_at
        if offer.campaign is not None:
            offer.campaign.invitees.add(member)
        if offer.idea_id is not None and offer.invited_by is not None and offer.share is not None:
            try:
                with transaction.atomic():
                    coauthor_invite(
                        actor=offer.invited_by, idea_id=offer.idea_id, member_id=member.pk, share=offer.share
                    )
            except ProsumoError:
                logger.info("The co-author offer of invitation %s lapsed", offer.pk, exc_info=True)
    return offer
