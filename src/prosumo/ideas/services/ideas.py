"""Submitting and refining ideas: revisions, co-authors, followers, attachments."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import cast

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext

from prosumo.activity.services import event_record
from prosumo.community.models import Member
from prosumo.community.permissions import require_member
from prosumo.community.services import invitation_create
from prosumo.community.terms import contribution_accept, contribution_problems
from prosumo.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from prosumo.core.phrases import phrase
from prosumo.core.uploads import IMAGE_UPLOADS, upload_check
from prosumo.ideas.models import (
    Attachment,
    CoAuthor,
    CoAuthorStatus,
    Follow,
    Idea,
    IdeaRevision,
    Invitation,
    Stage,
    Tag,
)
from prosumo.ideas.permissions import (
    access_campaign,
    access_idea,
    access_idea_to_take_part,
    can_edit_idea,
    check_takes_ideas,
)
from prosumo.notifications.services import notify

TITLE_MIN, TITLE_MAX = 5, 160
BODY_MIN, BODY_MAX = 20, 20_000
MAX_TAGS = 8
ALLOWED_UPLOADS = {**IMAGE_UPLOADS, "application/pdf": "pdf"}


def _validate_text(title: str, body: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    title, body = title.strip(), body.strip()
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        errors["title"] = [
            gettext("The title needs {TITLE_MIN} to {TITLE_MAX} characters.").format(
                TITLE_MIN=TITLE_MIN, TITLE_MAX=TITLE_MAX
            )
        ]
    if not BODY_MIN <= len(body) <= BODY_MAX:
        errors["body"] = [
            gettext("Describe the idea in {BODY_MIN} to {BODY_MAX} characters.").format(
                BODY_MIN=BODY_MIN, BODY_MAX=BODY_MAX
            )
        ]
    return errors


def _clean_tags(tags: list[str] | None) -> list[str]:
    cleaned = []
    for tag in tags or []:
        name = str(tag).strip().lower()[:40]
        if name and name not in cleaned:
            cleaned.append(name)
    if len(cleaned) > MAX_TAGS:
        raise InvalidInput(gettext("At most {MAX_TAGS} tags.").format(MAX_TAGS=MAX_TAGS), fields={"tags": ["too_many"]})
    return cleaned


def _enqueue_indexing(idea_id: int) -> None:
    from prosumo.ideas.tasks import index_idea

    transaction.on_commit(lambda: index_idea.enqueue(idea_id))
    enqueue_embedding(idea_id)


def enqueue_embedding(idea_id: int) -> None:
    """Compute, or drop, the idea's vector once the transaction commits: its text, visibility or stage changed.

    A hidden or merged idea loses its vector (and leaves every process's index of similar ideas).
    """
    from prosumo.ideas import similarity
    from prosumo.ideas.tasks import embed_idea

    if similarity.enabled():
        transaction.on_commit(lambda: embed_idea.enqueue(idea_id))


def idea_submit(
    *,
    actor: Member,
    campaign_id: int | str,
    title: str,
    body: str,
    tags: list[str] | None = None,
    language: str = "",
    licence: str = "",
    accept_terms: int | None = None,
) -> Idea:
    """A member submits a new idea to a campaign that is running, under the current contribution terms.

    When terms are published the member must have accepted the current version, or accept
    it now (``accept_terms``: its number), and choose a licence the campaign allows
    (docs/ip.md).
    """
    member = require_member(actor)
    campaign = access_campaign(member, campaign_id)
    check_takes_ideas(campaign)
    now = timezone.now()
    errors = _validate_text(title, body)
    errors |= contribution_problems(
        member=member, allowed=list(campaign.allowed_licences), licence=licence, accept_terms=accept_terms
    )
    if errors:
        raise InvalidInput(gettext("The idea could not be submitted."), fields=errors)
    tag_names = _clean_tags(tags)
    language = (language or member.locale or "en")[:8]
    stage = Stage.SUBMITTED if campaign.premoderation else Stage.OPEN
    gate_deadline = None
    if campaign.support_gates and stage == Stage.OPEN:
        gate_deadline = now + timedelta(days=int(campaign.support_gates[0]["days"]))
    with transaction.atomic():
        terms = contribution_accept(
            member=member, accept_terms=accept_terms, refused=gettext("The idea could not be submitted.")
        )
        idea = Idea.objects.create(
            campaign=campaign,
            author=member,
            terms_version=terms,
            licence=licence,
            title=title.strip(),
            body=body.strip(),
            language=language,
            stage=stage,
            approved=not campaign.premoderation,
            stage_changed_at=now,
            gate_deadline=gate_deadline,
            follower_count=1,
        )
        IdeaRevision.objects.create(
            idea=idea, number=1, title=idea.title, body=idea.body, author=member, created_at=now
        )
        if tag_names:
            existing = {t.name: t for t in Tag.objects.filter(name__in=tag_names)}
            missing = [Tag(name=n) for n in tag_names if n not in existing]
            Tag.objects.bulk_create(missing, ignore_conflicts=True)
            idea.tags.set(Tag.objects.filter(name__in=tag_names))
        Follow.objects.create(idea=idea, member=member)
        event_record(
            verb="idea.submitted",
            actor_id=member.pk,
            object_type="idea",
            object_id=idea.pk,
            campaign_id=campaign.pk,
            channel=member.channel,
            value=1,
            details={
                "stage": stage,
                "language": language,
                "tags": tag_names,
                **({"terms_version": terms.number, "licence": licence} if terms is not None else {}),
            },
            occurred_at=now,
        )
        _enqueue_indexing(idea.pk)
    return idea


def idea_revise(*, actor: Member, idea_id: int, title: str, body: str, note: str = "") -> IdeaRevision:
    """An author, co-author or staff member writes a new revision; the old ones stay readable."""
    member = require_member(actor)
    with transaction.atomic():
        idea = access_idea(member, idea_id, lock=True)
        if not can_edit_idea(member, idea):
            raise PermissionDenied(gettext("Only the idea's authors can revise it."))
        if idea.stage in (Stage.MERGED, Stage.DECLINED, Stage.LAUNCHED):
            raise InvalidInput(gettext("This idea is closed; it can no longer be revised."), code="idea_closed")
        errors = _validate_text(title, body)
        if errors:
            raise InvalidInput(gettext("The revision could not be saved."), fields=errors)
        if title.strip() == idea.title and body.strip() == idea.body:
            raise InvalidInput(gettext("Nothing changed: edit the title or the text first."), code="unchanged")
        revision = revision_write(idea=idea, writer=member, title=title, body=body, note=note)
        event = event_record(
            verb="idea.revised",
            actor_id=member.pk,
            object_type="idea",
            object_id=idea.pk,
            target_member_id=idea.author_id,
            campaign_id=idea.campaign_id,
            value=idea.revision,
            occurred_at=revision.created_at,
        )
        revision_announce(idea=idea, revision=revision, event_id=event.pk)
    return revision


def revision_write(*, idea: Idea, writer: Member, title: str, body: str, note: str = "") -> IdeaRevision:
    """The idea's next revision, written by `writer`; the caller holds the idea's row lock and records the event.

    `idea_revise` calls it for an author's own change, and `amendment_accept` for an
    accepted amendment (whose amender is the writer).
    """
    now = timezone.now()
    idea.revision += 1
    idea.title, idea.body = title.strip(), body.strip()
    idea.save(update_fields=["revision", "title", "body", "updated_at"])
    return IdeaRevision.objects.create(
        idea=idea,
        number=idea.revision,
        title=idea.title,
        body=idea.body,
        author=writer,
        note=note[:200],
        created_at=now,
    )


def revision_announce(*, idea: Idea, revision: IdeaRevision, event_id: int) -> None:
    """Tell the idea's followers (not the writer) of a new revision, and refresh the idea's search entries."""
    notify(
        audience=("idea.followers", idea.pk),
        verb="idea.revised",
        title=phrase("idea.revised", idea=idea.title),
        url=f"/ideas/{idea.pk}/",
        event_id=event_id,
        exclude_id=revision.author_id,
    )
    _enqueue_indexing(idea.pk)


def _share_offered(idea: Idea, share: Decimal | int | str) -> Decimal:
    """The share (percent) an author offers a co-author, checked against what the idea has left to give."""
    try:
        offered = Decimal(str(share))
    except InvalidOperation as exc:
        raise InvalidInput(gettext("The share is a percentage."), fields={"share": ["invalid"]}) from exc
    if not offered.is_finite():  # NaN and Infinity parse as decimals but compare as nothing
        raise InvalidInput(gettext("The share is a percentage."), fields={"share": ["invalid"]})
    if not Decimal(1) <= offered <= Decimal(99):
        raise InvalidInput(gettext("A co-author's share is between 1% and 99%."), fields={"share": ["range"]})
    others = CoAuthor.objects.filter(idea=idea).exclude(status=CoAuthorStatus.DECLINED)
    taken = others.aggregate(total=Sum("share"))["total"] or 0
    if taken + offered >= 100:
        raise InvalidInput(
            gettext("The author must keep a share: {left}% at most is left to offer.").format(left=100 - taken - 1),
            fields={"share": ["too_large"]},
        )
    return offered


def coauthor_invite(*, actor: Member, idea_id: int, member_id: int, share: Decimal | int | str) -> CoAuthor:
    """The author invites another member to co-author, offering a share of the contribution (percent)."""
    author = require_member(actor)
    with transaction.atomic():
        idea = access_idea(author, idea_id, lock=True)
        if idea.author_id != author.pk:
            raise PermissionDenied(gettext("Only the idea's author can invite co-authors."))
        offered = _share_offered(idea, share)
        if member_id == author.pk:
            raise InvalidInput(gettext("You are the author already."), fields={"member_id": ["self"]})
        invitee = Member.objects.filter(pk=member_id, is_active=True).first()
        if invitee is None:
            raise NotFound(gettext("No such member."))
        if CoAuthor.objects.filter(idea=idea, member=invitee).exclude(status=CoAuthorStatus.DECLINED).exists():
            raise Conflict(gettext("That member is already a co-author or invited."), code="already_coauthor")
        coauthor, _ = CoAuthor.objects.update_or_create(
            idea=idea,
            member=invitee,
            defaults={"share": offered, "status": CoAuthorStatus.INVITED, "invited_by": author, "responded_at": None},
        )
        event = event_record(
            verb="idea.coauthor_invited",
            actor_id=author.pk,
            object_type="idea",
            object_id=idea.pk,
            target_member_id=invitee.pk,
            campaign_id=idea.campaign_id,
            value=float(offered),
        )
        notify(
            recipient_ids=[invitee.pk],
            about_idea=idea.pk,
            verb="idea.coauthor_invited",
            title=phrase("idea.coauthor_invited", name=author.name, idea=idea.title),
            url=f"/ideas/{idea.pk}/",
            event_id=event.pk,
        )
    return coauthor


def coauthor_invite_by_email(*, actor: Member, idea_id: int, email: str, share: Decimal | int | str) -> None:
    """The author invites someone to co-author by email address, without learning whether it has an account.

    A member with that address gets the usual co-author invitation; anyone else gets an
    email inviting them to join and co-author, and the offer is made when they join
    through its link (`invitations.invitation_take_up`). Both answer the same, nothing: whatever the
    author is told must not depend on whether the address belongs to a member (the form
    used to say "No member has that email address", which let anyone test addresses).
    """
    author = require_member(actor)
    address = email.strip().lower()
    try:
        validate_email(address)
    except ValidationError as exc:
        raise InvalidInput(gettext("Give an email address."), fields={"email": ["invalid"]}) from exc
    with transaction.atomic():
        idea = access_idea(author, idea_id, lock=True)
        if idea.author_id != author.pk:
            raise PermissionDenied(gettext("Only the idea's author can invite co-authors."))
        offered = _share_offered(idea, share)
        if address == author.email.lower():
            raise InvalidInput(gettext("You are the author already."), fields={"email": ["self"]})
        invitee = Member.objects.filter(email__iexact=address).first()
        already = gettext("That address is already a co-author or invited.")
        if invitee is not None:
            if CoAuthor.objects.filter(idea=idea, member=invitee).exclude(status=CoAuthorStatus.DECLINED).exists():
                raise Conflict(already, code="already_coauthor")
            if invitee.is_active:
                coauthor_invite(actor=author, idea_id=idea.pk, member_id=invitee.pk, share=offered)
            return  # a closed account is told nothing, and the author is told what everyone is
        if Invitation.objects.filter(idea=idea, email=address, accepted_at__isnull=True).exists():
            raise Conflict(already, code="already_coauthor")
        invitation_create(actor=author, email=address, invitation=Invitation(idea=idea, share=offered))


def coauthor_respond(*, actor: Member, coauthor_id: int, accept: bool) -> CoAuthor:
    member = require_member(actor)
    with transaction.atomic():
        coauthor = (
            CoAuthor.objects.select_for_update().select_related("idea").filter(pk=coauthor_id, member=member).first()
        )
        if coauthor is None or coauthor.status != CoAuthorStatus.INVITED:
            raise NotFound(gettext("No such invitation."))
        coauthor.status = CoAuthorStatus.ACCEPTED if accept else CoAuthorStatus.DECLINED
        coauthor.responded_at = timezone.now()
        coauthor.save(update_fields=["status", "responded_at"])
        idea = coauthor.idea
        if accept:
            event = event_record(
                verb="idea.coauthor_added",
                actor_id=member.pk,
                object_type="idea",
                object_id=idea.pk,
                target_member_id=member.pk,
                campaign_id=idea.campaign_id,
                value=float(coauthor.share),
            )
            follow_ensure(idea=idea, member=member)
            notify(
                recipient_ids=[idea.author_id],
                about_idea=idea.pk,
                verb="idea.coauthor_added",
                title=phrase("idea.coauthor_added", name=member.name, idea=idea.title),
                url=f"/ideas/{idea.pk}/",
                event_id=event.pk,
            )
    return coauthor


def follow_ensure(*, idea: Idea, member: Member) -> None:
    """The member follows the idea from now on (a new co-author, an accepted amender), without an event of its own."""
    if not Follow.objects.filter(idea=idea, member=member).exists():
        Follow.objects.create(idea=idea, member=member)
        Idea.objects.filter(pk=idea.pk).update(follower_count=F("follower_count") + 1)


def idea_follow(*, actor: Member, idea_id: int) -> bool:
    member = require_member(actor)
    with transaction.atomic():
        idea = access_idea_to_take_part(member, idea_id)
        _, created = Follow.objects.get_or_create(idea=idea, member=member)
        if created:
            Idea.objects.filter(pk=idea.pk).update(follower_count=F("follower_count") + 1)
            event_record(
                verb="idea.followed",
                actor_id=member.pk,
                object_type="idea",
                object_id=idea.pk,
                campaign_id=idea.campaign_id,
            )
    return created


def idea_unfollow(*, actor: Member, idea_id: int) -> bool:
    member = require_member(actor)
    with transaction.atomic():
        idea = access_idea(member, idea_id)
        deleted, _ = Follow.objects.filter(idea=idea, member=member).delete()
        if deleted:
            Idea.objects.filter(pk=idea.pk).update(follower_count=F("follower_count") - 1)
            event_record(
                verb="idea.unfollowed",
                actor_id=member.pk,
                object_type="idea",
                object_id=idea.pk,
                campaign_id=idea.campaign_id,
            )
    return bool(deleted)


def attachment_add(*, actor: Member, idea_id: int, upload: UploadedFile[bytes]) -> Attachment:
    """Attach an image or PDF; the type is read from the bytes, not trusted from the name."""
    member = require_member(actor)
    idea = access_idea(member, idea_id)
    if not can_edit_idea(member, idea):
        raise PermissionDenied(gettext("Only the idea's authors can add files."))
    mime = upload_check(
        upload,
        allowed=ALLOWED_UPLOADS,
        type_message=gettext("Only PNG, JPEG, GIF, WebP images and PDF documents can be attached."),
    )
    with transaction.atomic():
        attachment = Attachment.objects.create(
            idea=idea,
            file=upload,
            original_name=(upload.name or "")[:200],
            content_type=mime,
            size=cast(int, upload.size),  # upload_check refused an upload without a size
            uploaded_by=member,
        )
        event_record(
            verb="idea.attachment_added",
            actor_id=member.pk,
            object_type="idea",
            object_id=idea.pk,
            campaign_id=idea.campaign_id,
            details={"attachment": attachment.pk, "content_type": mime},
        )
    return attachment
