"""Invitations to a campaign, or to join and co-author an idea: what ideas adds to the community's invitation."""

from __future__ import annotations

import logging
import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext

from prosumo.community import services as community
from prosumo.community.models import Invitation as JoinInvitation
from prosumo.community.models import Member
from prosumo.community.permissions import is_staff, require_member
from prosumo.core.errors import InvalidInput, PermissionDenied, ProsumoError
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


INVITATIONS_AT_ONCE = 50
NOTE_MAX = 1000


def invitations_create(
    *, actor: Member, emails: str, campaign_id: int | None = None, note: str = ""
) -> list[JoinInvitation]:
    """Invite several addresses at once (separated by commas, semicolons, spaces or lines), with a note: all or none.

    Every address is checked before any is invited, so one mistyped address sends nothing
    and the error names it; an address given twice is invited once.
    """
    require_member(actor)
    addresses = list(dict.fromkeys(a.lower() for a in re.split(r"[\s,;]+", emails) if a))
    if not addresses:
        raise InvalidInput(gettext("Give at least one email address."), fields={"email": ["required"]})
    if len(addresses) > INVITATIONS_AT_ONCE:
        raise InvalidInput(
            gettext("Invite at most {n} addresses at once.").format(n=INVITATIONS_AT_ONCE),
            fields={"email": ["too_many"]},
        )
    bad = []
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError:
            bad.append(address)
    if bad:
        raise InvalidInput(
            gettext("Not email addresses: {bad}. No invitation was sent.").format(bad=", ".join(bad)),
            fields={"email": ["invalid"]},
        )
    if len(note.strip()) > NOTE_MAX:
        raise InvalidInput(
            gettext("The note may have at most {n} characters.").format(n=NOTE_MAX), fields={"note": ["too_long"]}
        )
    with transaction.atomic():
        return [_invite(actor=actor, email=a, campaign_id=campaign_id, note=note) for a in addresses]


def _invite(*, actor: Member, email: str, campaign_id: int | None, note: str) -> JoinInvitation:
    if campaign_id is None:
        return community.invitation_create(actor=actor, email=email, note=note)
    if not is_staff(actor):
        raise PermissionDenied(gettext("Only staff can invite members to a campaign."))
    return community.invitation_create(
        actor=actor, email=email, invitation=Invitation(campaign_id=campaign_id), campaign_id=campaign_id, note=note
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
