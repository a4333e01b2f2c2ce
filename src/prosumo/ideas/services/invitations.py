"""Invitations to a campaign, or to join and co-author an idea: what ideas adds to the community's invitation."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext

from prosumo.activity.services import event_record
from prosumo.community import services as community
from prosumo.community.models import Invitation as JoinInvitation
from prosumo.community.models import Member
from prosumo.community.permissions import is_staff, require_member
from prosumo.core.errors import InvalidInput, NotFound, PermissionDenied, ProsumoError
from prosumo.core.phrases import phrase
from prosumo.ideas.models import Campaign, Invitation
from prosumo.ideas.services.ideas import coauthor_invite
from prosumo.notifications.services import notify

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


#: The longest personal note staff may add to an invitation to take part.
NOTE_MAX = 1000
#: The most members one invitation to take part may go to (the Insights ranking shows 20 at a time).
MEMBERS_MAX = 200


def members_invite(
    *, actor: Member, member_ids: Sequence[int], campaign_id: int | None = None, note: str = ""
) -> list[int]:
    """Staff invite members to take part, in one campaign or in the community's campaigns, with a personal note.

    Each member is told by a notification (and its email, as they chose), worded in
    their language, with staff's note as its body; an invitation-only campaign lets them
    in. One ``member.invited_to_take_part`` event per member. Unknown, suspended or
    erased members are refused by id, and nothing is sent to anyone. Returns the ids invited.
    """
    require_member(actor)
    if not is_staff(actor):
        raise PermissionDenied(gettext("Only staff can invite members to take part."))
    ids = sorted(set(member_ids))
    note = note.strip()
    if not ids:
        raise InvalidInput(gettext("Choose at least one member to invite."), fields={"member": ["required"]})
    if len(ids) > MEMBERS_MAX:
        raise InvalidInput(
            gettext("Invite at most {limit} members at a time.").format(limit=MEMBERS_MAX),
            fields={"member": ["too_many"]},
        )
    if len(note) > NOTE_MAX:
        raise InvalidInput(
            gettext("The note is {length} characters long; at most {limit}.").format(length=len(note), limit=NOTE_MAX),
            fields={"note": ["too_long"]},
        )
    with transaction.atomic():
        campaign = None
        if campaign_id is not None:
            campaign = Campaign.objects.filter(pk=campaign_id).first()
            if campaign is None:
                raise NotFound(gettext("No campaign {id}.").format(id=campaign_id))
        found = set(
            Member.objects.filter(
                pk__in=ids, is_active=True, suspended_at__isnull=True, erased_at__isnull=True
            ).values_list("pk", flat=True)
        )
        missing = [i for i in ids if i not in found]
        if missing:
            raise InvalidInput(
                gettext("No member to invite with id {ids}.").format(ids=", ".join(str(i) for i in missing)),
                fields={"member": ["invalid"]},
            )
        if campaign is not None:
            campaign.invitees.add(*ids)
        for member_id in ids:
            event_record(
                verb="member.invited_to_take_part",
                actor_id=actor.pk,
                object_type="member",
                object_id=member_id,
                target_member_id=member_id,
                campaign_id=campaign_id,
                channel="invite",
                details={"note": bool(note)},
            )
        if campaign is not None:
            title = phrase("member.invited_to_campaign", name=actor.name, campaign=campaign.title)
            url = reverse("campaign", args=[campaign.slug])
        else:
            title = phrase("member.invited_to_take_part", name=actor.name)
            url = reverse("campaigns")
        notify(recipient_ids=ids, verb="member.invited_to_take_part", title=title, body=note, url=url)
    return ids
