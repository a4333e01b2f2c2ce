"""Writes for members, roles and invitations; customer CSV imports are in imports.py."""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import cast

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.text import slugify
from django.utils.translation import gettext

from prosumo.activity.services import event_record, presence_record
from prosumo.community.models import CustomerRecord, Invitation, Member, Role, Segment, TokenEnd
from prosumo.community.permissions import has_role, require_member, require_role
from prosumo.community.tokens import tokens_end
from prosumo.core.errors import InvalidInput, NotFound, PermissionDenied
from prosumo.core.mail import MailDraft, mail_queue
from prosumo.core.uploads import IMAGE_UPLOADS, upload_check

logger = logging.getLogger(__name__)

CHANNEL_MAX = 64


def clean_channel(raw: str | None) -> str:
    """Channel names from `?ch=` are free text from a URL: keep them short and tidy."""
    return slugify(raw or "")[:CHANNEL_MAX]


TOUCHES_KEPT = 10


def touches_add(touches: list[list[str]], channel: str, when: datetime) -> list[list[str]]:
    """A visitor's touches (channel, ISO time) with one more, unless it repeats the last; the latest ten."""
    if touches and touches[-1][0] == channel:
        return touches
    return [*touches, [channel, when.isoformat()]][-TOUCHES_KEPT:]


def channel_touch(*, member_id: int, channel: str) -> bool:
    """A member arrived through a `?ch=` link: one `member.touched` per channel and day."""
    return presence_record(
        member_id=member_id,
        verb="member.touched",
        object_type="member",
        object_id=member_id,
        channel=channel,
        key=zlib.crc32(channel.encode()),
    )


def member_joined(
    *, member: Member, channel: str = "", referrer: Member | None = None, touches: Sequence[Sequence[str]] = ()
) -> None:
    """Record where a new member came from: their channel and, for a tracked link, who referred them.

    `touches` are the `?ch=` links the visitor followed before joining, (channel, ISO
    time) oldest first; each becomes a `member.touched` event at its time.
    """
    with transaction.atomic():
        member.channel = clean_channel(channel) or ("referral" if referrer else "direct")
        update = ["channel"]
        if referrer is not None and referrer.pk != member.pk:
            member.referred_by = referrer
            update.append("referred_by")
        member.save(update_fields=update)
        event_record(
            verb="member.joined",
            actor_id=member.pk,
            object_type="member",
            object_id=member.pk,
            channel=member.channel,
            occurred_at=member.date_joined,
        )
        for touched, when in touches:
            name, at = clean_channel(touched), parse_datetime(str(when))
            if name and at is not None and at <= member.date_joined:
                event_record(
                    verb="member.touched",
                    actor_id=member.pk,
                    object_type="member",
                    object_id=member.pk,
                    channel=name,
                    occurred_at=at,
                )
        if member.referred_by_id:
            event_record(
                verb="member.referred",
                actor_id=member.referred_by_id,
                object_type="member",
                object_id=member.pk,
                target_member_id=member.pk,
                channel=member.channel,
            )
        CustomerRecord.objects.filter(email__iexact=member.email, member__isnull=True).update(member=member)
        record = CustomerRecord.objects.filter(member=member).select_related("segment").first()
        if record is not None and record.segment_id and member.segment_id != record.segment_id:
            member.segment_id = record.segment_id
            if record.country and not member.country:
                member.country = record.country
            member.save(update_fields=["segment", "country"])


def member_update_profile(*, member: Member, **changes: object) -> Member:
    """Change a member's profile; ``avatar`` is an uploaded image, or ``None`` to remove the one they have.

    An avatar is checked like every upload (size, and type read from the bytes). The file
    it replaces, or removes, is deleted once the change is committed.
    """
    allowed = {
        "display_name",
        "locale",
        "country",
        "bio",
        "interests",
        "email_preference",
        "outreach_email",
        "avatar",
        "open_data_name",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidInput(gettext("Unknown profile fields: {names}.").format(names=", ".join(sorted(unknown))))
    if "avatar" in changes:
        upload = changes["avatar"]
        if upload:
            upload_check(
                cast("UploadedFile[bytes]", upload),
                allowed=IMAGE_UPLOADS,
                limit=settings.PROSUMO_MAX_AVATAR_BYTES,
                field="avatar",
                type_message=gettext("An avatar is a PNG, JPEG, GIF or WebP image."),
            )
        else:
            changes["avatar"] = ""
    with transaction.atomic():
        # Read from the database, not the object: a form may have set the new file on it already.
        before = (
            Member.objects.filter(pk=member.pk).values_list("avatar", flat=True).get() if "avatar" in changes else ""
        )
        for name, value in changes.items():
            setattr(member, name, value)
        member.full_clean(exclude=["password"])
        member.save(update_fields=list(changes))
        event_record(verb="member.profile_updated", actor_id=member.pk, object_type="member", object_id=member.pk)
        if before and before != member.avatar.name:
            storage = member.avatar.storage
            transaction.on_commit(lambda: _delete_file(storage, before))
    return member


def member_password_change(*, member: Member, password: str) -> None:
    """Set a member's new password (changed, reset or set); their API tokens are revoked with it.

    Whoever learnt the old password may have made a token. The sign-in pages call this
    through the account adapter.
    """
    with transaction.atomic():
        member.set_password(password)
        member.save(update_fields=["password"])
        tokens_end(member_id=member.pk, reason=TokenEnd.PASSWORD_CHANGED)
        event_record(verb="member.password_changed", actor_id=member.pk, object_type="member", object_id=member.pk)


def _delete_file(storage: Storage, name: str) -> None:
    try:
        storage.delete(name)
    except OSError as exc:  # the change stands; the operator learns of the file left behind
        logger.error("Could not delete %s: %s", name, exc)


def member_set_role(*, actor: Member, member: Member, role: str) -> Member:
    require_role(actor, Role.ADMIN)
    if role not in Role.values:
        raise InvalidInput(
            gettext("Unknown role {role!r}; choose one of {names}.").format(role=role, names=", ".join(Role.values)),
            fields={"role": ["unknown"]},
        )
    with transaction.atomic():
        before = member.role
        member.role = role
        member.save(update_fields=["role"])
        event_record(
            verb="member.role_changed",
            actor_id=actor.pk,
            object_type="member",
            object_id=member.pk,
            target_member_id=member.pk,
            details={"from": before, "to": role},
        )
    return member


def member_set_segment(*, actor: Member, member: Member, segment: Segment | None) -> Member:
    """Put a member in a segment, or in none (``segment=None``); an admin's act. The same segment again writes nothing."""
    require_role(actor, Role.ADMIN)
    if member.erased_at is not None:
        raise InvalidInput(gettext("This account was erased."), fields={"member_id": ["erased"]})
    new_id = segment.pk if segment is not None else None
    if member.segment_id == new_id:
        return member
    with transaction.atomic():
        before = member.segment_id
        member.segment = segment
        member.save(update_fields=["segment"])
        event_record(
            verb="member.segment_changed",
            actor_id=actor.pk,
            object_type="member",
            object_id=member.pk,
            target_member_id=member.pk,
            details={"from": before, "to": new_id},
        )
    return member


def _require_may_suspend(actor: Member, member: Member) -> None:
    """Moderators suspend members; only an admin may suspend or reinstate staff."""
    require_role(actor, Role.MODERATOR, Role.ADMIN)
    if (member.role != Role.MEMBER or member.is_superuser) and not has_role(actor, Role.ADMIN):
        raise PermissionDenied(gettext("Only an admin can suspend or reinstate staff."))


def member_suspend(*, actor: Member, member: Member, reason: str) -> Member:
    """Stop a member taking part; their API tokens are revoked with it."""
    _require_may_suspend(actor, member)
    if not reason.strip():
        raise InvalidInput(gettext("Give the member a reason for the suspension."), fields={"reason": ["required"]})
    if member.pk == actor.pk:
        raise InvalidInput(gettext("You cannot suspend yourself."))
    with transaction.atomic():
        member.suspended_at = timezone.now()
        member.suspended_reason = reason.strip()
        member.save(update_fields=["suspended_at", "suspended_reason"])
        tokens_end(member_id=member.pk, reason=TokenEnd.SUSPENDED)
        event_record(
            verb="member.suspended",
            actor_id=actor.pk,
            object_type="member",
            object_id=member.pk,
            target_member_id=member.pk,
            details={"reason": member.suspended_reason},
        )
    return member


def member_unsuspend(*, actor: Member, member: Member) -> Member:
    _require_may_suspend(actor, member)
    with transaction.atomic():
        member.suspended_at = None
        member.suspended_reason = ""
        member.save(update_fields=["suspended_at", "suspended_reason"])
        event_record(
            verb="member.unsuspended",
            actor_id=actor.pk,
            object_type="member",
            object_id=member.pk,
            target_member_id=member.pk,
        )
    return member


# --- invitations ----------------------------------------------------------------


def invitation_create(
    *, actor: Member, email: str, invitation: Invitation | None = None, campaign_id: int | None = None, note: str = ""
) -> Invitation:
    """Invite someone by email to join the community: the invitation, its event and its email commit together.

    An app above that invites to more than joining (ideas: to a campaign, or to co-author
    an idea) checks its own rules, then passes its unsaved ``invitation`` (a subclass of
    this one) and the campaign the event is about (`ideas.services.invitation_create`).
    A `note` in the inviter's own words goes into the email as written.
    """
    require_member(actor)
    try:
        validate_email(email)
    except ValidationError as exc:
        raise InvalidInput(
            gettext("{email!r} is not an email address.").format(email=email), fields={"email": ["invalid"]}
        ) from exc
    invitation = invitation if invitation is not None else Invitation()
    invitation.email = email.strip().lower()
    invitation.invited_by = actor
    with transaction.atomic():
        invitation.save()
        event_record(
            verb="member.invited",
            actor_id=actor.pk,
            object_type="invitation",
            object_id=invitation.pk,
            campaign_id=campaign_id,
            channel="invite",
        )
        mail_queue([invitation_draft(invitation, note=note.strip())])
    return invitation


def invitation_draft(invitation: Invitation, *, note: str = "") -> MailDraft:
    """The invitation's email, in the site's language (the person is not a member yet)."""
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(
            "notifications/email/invitation.txt",
            {
                "invitation": invitation,
                "idea_title": "",
                "note": note,
                **invitation.mail_context(),
                "url": f"{settings.SITE_URL}/invite/{invitation.token}/",
                "site_name": settings.SITE_NAME,
            },
        )
        subject = gettext("You are invited to {site}").format(site=settings.SITE_NAME)
    return MailDraft(
        key=f"invitation:{invitation.pk}", kind="invitation", to=invitation.email, subject=subject, body=body
    )


def invitation_addressed_to(invitation: Invitation, member: Member) -> bool:
    """Whether the invitation went to one of the member's addresses (their sign-in address or another verified one)."""
    if invitation.email == member.email.lower():
        return True
    return bool(EmailAddress.objects.filter(user=member, email__iexact=invitation.email, verified=True).exists())


# How an invitation is taken up: `invitation_accept`, unless an app above that adds to
# invitations registers its own in its AppConfig.ready(); that one accepts through
# `invitation_accept` and takes up what it added in the same transaction (ideas does).
_take_up: list[Callable[..., Invitation]] = []


def invitation_take_up_register(take_up: Callable[..., Invitation]) -> None:
    """Take invitations up with ``take_up(invitation=..., member=...)``, which returns the invitation accepted."""
    _take_up[:] = [take_up]


def invitation_take_up(*, invitation: Invitation, member: Member) -> Invitation:
    """The invited person takes the invitation up, with whatever an app above added to it (`destination()` says where next)."""
    if _take_up:
        return _take_up[0](invitation=invitation, member=member)
    return invitation_accept(invitation=invitation, member=member)


def invitation_accept(*, invitation: Invitation, member: Member, campaign_id: int | None = None) -> Invitation:
    """The invited person takes the invitation up: as a new member at sign-up, or signed in.

    An invitation belongs to the address it was sent to: whoever holds its link cannot
    take the invitee's place with another address (`invitation_other_address`). What an
    app above adds to an invitation, it takes up itself in the same transaction, and names
    the campaign the event is about (`ideas.services.invitation_take_up`).
    """
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().filter(pk=invitation.pk).first()
        if locked is None or locked.accepted_at is not None:
            raise NotFound(gettext("This invitation was already used or withdrawn."))
        if not invitation_addressed_to(locked, member):
            raise PermissionDenied(
                gettext(
                    "This invitation was sent to another email address. Sign in with that address, "
                    "or ask for an invitation to yours."
                ),
                code="invitation_other_address",
            )
        locked.accepted_by = member
        locked.accepted_at = timezone.now()
        locked.save(update_fields=["accepted_by", "accepted_at"])
        event_record(
            verb="member.invitation_accepted",
            actor_id=member.pk,
            object_type="invitation",
            object_id=locked.pk,
            campaign_id=campaign_id,
            channel="invite",
        )
    return locked
