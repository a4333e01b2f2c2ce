"""Briefs and the messages written for them: each write in one transaction with its event (docs/events.md)."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, NotRequired, TypedDict, Unpack

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext

from prosumo.activity.models import Event
from prosumo.activity.services import event_record
from prosumo.commerce.models import ChannelSpend
from prosumo.commerce.services import spend_record
from prosumo.community.models import Licence, Member, Segment
from prosumo.community.permissions import is_staff, require_member
from prosumo.community.terms import contribution_accept, contribution_problems
from prosumo.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from prosumo.core.input import text_problem
from prosumo.core.uploads import IMAGE_UPLOADS, upload_check
from prosumo.outreach.models import (
    KIND_MEDIUM,
    Channel,
    ChannelKind,
    Medium,
    Message,
    MessageBrief,
    MessageCoAuthor,
    MessageComment,
    MessageRevision,
    MessageVote,
)
from prosumo.outreach.permissions import (
    access_brief,
    access_message,
    can_revise,
    is_staff_edit,
    require_outreach_staff,
)
from prosumo.outreach.selectors import credit_of
from prosumo.rewards.models import Trigger
from prosumo.rewards.services.points import Earned, awards_for_event

TITLE_MAX = PRODUCT_MAX = 160
TONE_MAX = 200
LENGTH_LIMIT = 5_000  # the longest message a brief may ask for
COMMENT_MAX = 2_000
LANGUAGES = ("en", "es")

#: The events whose new revision the proof log keeps.
LOGGED_VERBS = ("message.proposed", "message.revised")
#: The events a points rule may reward: a member's message proposed, and shortlisted.
REWARDED_VERBS = ("message.proposed", "message.shortlisted")


class BriefFields(TypedDict):
    """What staff write in a brief, when opening it and when changing it."""

    title: str
    product: str
    deadline: datetime
    channels: list[str]
    languages: list[str]
    segment_id: NotRequired[int | None]
    tone: NotRequired[str]
    length_min: NotRequired[int]
    length_max: NotRequired[int]


def brief_open(*, actor: Any, **fields: Unpack[BriefFields]) -> MessageBrief:
    """Staff ask for messages: about a product, for a segment (or everyone), in channels and languages, by a deadline."""
    staff = require_outreach_staff(actor)
    values, segment = _brief_values(fields, refused=gettext("The brief could not be opened."))
    with transaction.atomic():
        brief = MessageBrief.objects.create(**values, segment=segment, created_by=staff)
        event_record(
            verb="message.brief_opened",
            actor_id=staff.pk,
            object_type="brief",
            object_id=brief.pk,
            details={
                "brief": brief.pk,
                "segment": brief.segment_id,
                "channels": brief.channels,
                "languages": brief.languages,
            },
        )
    return brief


def brief_edit(*, actor: Any, brief_id: int, **fields: Unpack[BriefFields]) -> MessageBrief:
    """Staff change a brief: the same rules as opening one; the messages already written stay as they are."""
    staff = require_outreach_staff(actor)
    values, segment = _brief_values(fields, refused=gettext("The brief could not be changed."))
    with transaction.atomic():
        brief = MessageBrief.objects.select_for_update().filter(pk=brief_id).first()
        if brief is None:
            raise NotFound(gettext("No such brief."))
        changed = sorted(k for k, v in values.items() if getattr(brief, k) != v)
        if brief.segment_id != (segment.pk if segment else None):
            changed = sorted([*changed, "segment"])
        if not changed:
            raise InvalidInput(gettext("Nothing changed: edit the brief first."), code="unchanged")
        for key, value in values.items():
            setattr(brief, key, value)
        brief.segment = segment
        brief.save()
        event_record(
            verb="message.brief_edited",
            actor_id=staff.pk,
            object_type="brief",
            object_id=brief.pk,
            details={"brief": brief.pk, "changed": changed},
        )
    return brief


def _brief_values(fields: BriefFields, *, refused: str) -> tuple[dict[str, Any], Segment | None]:
    """A brief's fields checked and cleaned, and its segment; InvalidInput naming every problem at once."""
    title, product, tone = fields["title"].strip(), fields["product"].strip(), fields.get("tone", "").strip()
    deadline, channels, languages = fields["deadline"], fields["channels"], fields["languages"]
    length_min, length_max = fields.get("length_min", 1), fields.get("length_max", 280)
    segment_id = fields.get("segment_id")
    problems: dict[str, list[str]] = {}
    if not title or len(title) > TITLE_MAX:
        problems["title"] = [gettext("Give the brief a title of at most {n} characters.").format(n=TITLE_MAX)]
    if not product or len(product) > PRODUCT_MAX:
        problems["product"] = [gettext("Name the product, in at most {n} characters.").format(n=PRODUCT_MAX)]
    if len(tone) > TONE_MAX:
        problems["tone"] = [gettext("Describe the tone in at most {n} characters.").format(n=TONE_MAX)]
    for field, value in (("title", title), ("product", product), ("tone", tone)):
        problem = text_problem(value)
        if problem is not None:
            problems[field] = [problem]
    channels = list(dict.fromkeys(channels))
    if not channels or any(c not in ChannelKind.values for c in channels):
        problems["channels"] = [
            gettext("Choose one or more channels: {names}.").format(names=", ".join(ChannelKind.values))
        ]
    languages = list(dict.fromkeys(languages))
    if not languages or any(code not in LANGUAGES for code in languages):
        problems["languages"] = [gettext("Choose one or more languages: {names}.").format(names=", ".join(LANGUAGES))]
    if not 1 <= length_min <= length_max <= LENGTH_LIMIT:
        problems["length_max"] = [
            gettext("The lengths are between 1 and {n} characters, the shortest first.").format(n=LENGTH_LIMIT)
        ]
    if timezone.is_naive(deadline):
        problems["deadline"] = [gettext("Give dates with a time zone.")]
    elif deadline <= timezone.now():
        problems["deadline"] = [gettext("The deadline must be in the future.")]
    segment = None
    if segment_id is not None:
        segment = Segment.objects.filter(pk=segment_id).first()
        if segment is None:
            problems["segment_id"] = [gettext("No such segment.")]
    if problems:
        raise InvalidInput(refused, fields=problems)
    values = {
        "title": title,
        "product": product,
        "channels": channels,
        "tone": tone,
        "length_min": length_min,
        "length_max": length_max,
        "deadline": deadline,
        "languages": languages,
    }
    return values, segment


def _text_problems(brief: MessageBrief, text: str) -> dict[str, list[str]]:
    problem = text_problem(text)
    if problem is not None:
        return {"text": [problem]}
    if not brief.length_min <= len(text) <= brief.length_max:
        return {
            "text": [
                gettext("This brief takes messages of {low} to {high} characters; this one has {n}.").format(
                    low=brief.length_min, high=brief.length_max, n=len(text)
                )
            ]
        }
    return {}


def message_propose(
    *,
    actor: Any,
    brief_id: int,
    text: str,
    language: str = "",
    licence: str = "",
    accept_terms: int | None = None,
    company: bool = False,
    image: UploadedFile[bytes] | None = None,
) -> Message:
    """A member proposes a message under the current contribution terms; staff may add the company's own.

    A member's message is a contribution as an idea is: the member has accepted the
    current terms (or accepts them now, ``accept_terms``) and gives it under a licence;
    its first revision goes into the proof log. A company message (``company``, staff
    only) enters the same pool, marked, under no member's terms. An ``image`` is checked
    as an idea's attachment is (size, and a PNG, JPEG, GIF or WebP by its bytes).
    """
    member, brief = access_brief(actor, brief_id)
    if company and not is_staff(member):
        raise PermissionDenied(gettext("Only staff can add the company's messages."))
    if not brief.open:
        raise InvalidInput(gettext("This brief's deadline has passed."), code="brief_closed")
    text = text.strip()
    language = language or (member.locale if member.locale in brief.languages else brief.languages[0])
    refused = gettext("The message could not be proposed.")
    errors = _text_problems(brief, text)
    if language not in brief.languages:
        errors["language"] = [
            gettext("This brief asks for messages in: {names}.").format(names=", ".join(brief.languages))
        ]
    if not company:
        errors |= contribution_problems(
            member=member, allowed=list(Licence.values), licence=licence, accept_terms=accept_terms, message=True
        )
    image_type = ""
    if image is not None:
        try:
            image_type = upload_check(
                image,
                allowed=IMAGE_UPLOADS,
                type_message=gettext("A message's image is a PNG, JPEG, GIF or WebP image."),
                field="image",
            )
        except InvalidInput as exc:
            errors["image"] = [exc.message]
    if errors:
        raise InvalidInput(refused, fields=errors)
    with transaction.atomic():
        terms = None if company else contribution_accept(member=member, accept_terms=accept_terms, refused=refused)
        now = timezone.now()
        message = Message.objects.create(
            brief=brief,
            author=member,
            company=company,
            text=text,
            image=image or "",
            image_type=image_type,
            language=language,
            terms_version=terms,
            licence="" if company else licence,
            created_at=now,
        )
        revision = MessageRevision.objects.create(
            message=message, number=1, text=text, author=member, by_staff=company, created_at=now
        )
        event_record(
            verb="message.proposed",
            actor_id=member.pk,
            object_type="message",
            object_id=message.pk,
            channel=member.channel,
            value=1,
            details={
                "brief": brief.pk,
                "revision": revision.pk,
                "company": company,
                "language": language,
                **({"image": image_type} if image_type else {}),
                **({"terms_version": terms.number, "licence": licence} if terms is not None else {}),
            },
            occurred_at=now,
        )
    return message


def message_revise(
    *, actor: Any, message_id: int, text: str, note: str = "", accept_terms: int | None = None
) -> MessageRevision:
    """A member improves a draft, or staff edit a message: a new revision; the earlier ones and the credit stay.

    An improvement is a contribution (docs/ip.md): once terms are published, the member
    must have accepted the current version, or accept it now (``accept_terms``: its
    number), as for a comment; it takes no licence of its own. A staff edit asks for nothing.
    """
    require_member(actor)
    with transaction.atomic():
        member, message = access_message(actor, message_id, lock=True)
        message.brief = MessageBrief.objects.get(pk=message.brief_id)
        if not can_revise(member, message):
            raise PermissionDenied(
                gettext("This message can no longer be changed by members."), code="message_not_revisable"
            )
        text = text.strip()
        errors = _text_problems(message.brief, text)
        if errors:
            raise InvalidInput(gettext("The revision could not be saved."), fields=errors)
        if text == message.text:
            raise InvalidInput(gettext("Nothing changed: edit the text first."), code="unchanged")
        by_staff = is_staff_edit(member, message)
        if not by_staff:
            contribution_accept(
                member=member, accept_terms=accept_terms, refused=gettext("The revision could not be saved.")
            )
        now = timezone.now()
        message.revision += 1
        message.text = text
        message.save(update_fields=["revision", "text", "updated_at"])
        revision = MessageRevision.objects.create(
            message=message,
            number=message.revision,
            text=text,
            author=member,
            by_staff=by_staff,
            note=note.strip()[:200],
            created_at=now,
        )
        event_record(
            verb="message.revised",
            actor_id=member.pk,
            object_type="message",
            object_id=message.pk,
            target_member_id=message.author_id,
            value=message.revision,
            details={"brief": message.brief_id, "revision": revision.pk, "by_staff": by_staff},
            occurred_at=now,
        )
    return revision


def message_coauthor_add(*, actor: Any, message_id: int, member_id: int, share: Decimal | int | str) -> MessageCoAuthor:
    """The author credits another member with a share (1-99%) of the message; the author keeps the rest."""
    require_member(actor)
    with transaction.atomic():
        author, message = access_message(actor, message_id, lock=True)
        if message.author_id != author.pk or message.company:
            raise PermissionDenied(gettext("Only the message's author can add co-authors."))
        try:
            offered = Decimal(str(share))
        except InvalidOperation as exc:
            raise InvalidInput(gettext("The share is a percentage."), fields={"share": ["invalid"]}) from exc
        if not offered.is_finite() or not Decimal(1) <= offered <= Decimal(99):
            raise InvalidInput(gettext("A co-author's share is between 1% and 99%."), fields={"share": ["range"]})
        taken = MessageCoAuthor.objects.filter(message=message).aggregate(total=Sum("share"))["total"] or 0
        if taken + offered >= 100:
            raise InvalidInput(
                gettext("The author must keep a share: {left}% at most is left to offer.").format(left=100 - taken - 1),
                fields={"share": ["too_large"]},
            )
        if member_id == author.pk:
            raise InvalidInput(gettext("You are the author already."), fields={"member_id": ["self"]})
        coauthor_member = Member.objects.filter(pk=member_id, is_active=True).first()
        if coauthor_member is None:
            raise NotFound(gettext("No such member."))
        if MessageCoAuthor.objects.filter(message=message, member=coauthor_member).exists():
            raise Conflict(gettext("That member is already a co-author."), code="already_coauthor")
        coauthor = MessageCoAuthor.objects.create(message=message, member=coauthor_member, share=offered)
        event_record(
            verb="message.coauthor_added",
            actor_id=author.pk,
            object_type="message",
            object_id=message.pk,
            target_member_id=coauthor_member.pk,
            value=float(offered),
            details={"brief": message.brief_id},
        )
    return coauthor


def message_vote(*, actor: Any, message_id: int, vote: bool = True) -> bool:
    """A member votes for a message, or takes the vote back; True when something changed."""
    require_member(actor)
    with transaction.atomic():
        member, message = access_message(actor, message_id, lock=True)
        if vote and message.author_id == member.pk:
            raise InvalidInput(gettext("You cannot vote for your own message."), code="own_message")
        if vote:
            _, changed = MessageVote.objects.get_or_create(message=message, member=member)
        else:
            changed = MessageVote.objects.filter(message=message, member=member).delete()[0] > 0
        if changed:
            Message.objects.filter(pk=message.pk).update(vote_count=F("vote_count") + (1 if vote else -1))
            event_record(
                verb="message.voted" if vote else "message.unvoted",
                actor_id=member.pk,
                object_type="message",
                object_id=message.pk,
                target_member_id=message.author_id,
                details={"brief": message.brief_id},
            )
    return changed


def message_comment(*, actor: Any, message_id: int, body: str, accept_terms: int | None = None) -> MessageComment:
    """A member comments on a message, under the current contribution terms as on an idea (``accept_terms``)."""
    require_member(actor)
    body = body.strip()
    problem = text_problem(body)
    if problem is None and not 1 <= len(body) <= COMMENT_MAX:
        problem = gettext("A comment has 1 to {n} characters.").format(n=COMMENT_MAX)
    if problem is not None:
        raise InvalidInput(gettext("The comment could not be posted."), fields={"body": [problem]})
    with transaction.atomic():
        member, message = access_message(actor, message_id, lock=True)
        contribution_accept(member=member, accept_terms=accept_terms, refused=gettext("The comment was not posted."))
        comment = MessageComment.objects.create(message=message, author=member, body=body)
        Message.objects.filter(pk=message.pk).update(comment_count=F("comment_count") + 1)
        event_record(
            verb="message.commented",
            actor_id=member.pk,
            object_type="message",
            object_id=message.pk,
            target_member_id=message.author_id,
            details={"brief": message.brief_id, "comment": comment.pk},
        )
    return comment


def message_shortlist(*, actor: Any, message_id: int, shortlisted: bool = True) -> Message:
    """Staff put a message on the brief's shortlist, or take it off; members can no longer change a shortlisted one."""
    staff = require_outreach_staff(actor)
    with transaction.atomic():
        _, message = access_message(staff, message_id, lock=True)
        if message.shortlisted == shortlisted:
            raise Conflict(
                gettext("The message is on the shortlist already.")
                if shortlisted
                else gettext("The message is not on the shortlist."),
                code="shortlist_unchanged",
            )
        message.shortlisted_at = timezone.now() if shortlisted else None
        message.shortlisted_by = staff if shortlisted else None
        message.save(update_fields=["shortlisted_at", "shortlisted_by", "updated_at"])
        event_record(
            verb="message.shortlisted" if shortlisted else "message.unshortlisted",
            actor_id=staff.pk,
            object_type="message",
            object_id=message.pk,
            target_member_id=message.author_id,
            details={"brief": message.brief_id},
        )
    return message


def event_recorded(*, event: Event) -> None:
    """The reaction to a new message or revision: the proof log keeps it, from a task after the commit."""
    revision_id = (event.details or {}).get("revision")
    if event.verb not in LOGGED_VERBS or not isinstance(revision_id, int):
        return
    from prosumo.outreach.tasks import log_message_revision

    transaction.on_commit(lambda: log_message_revision.enqueue(revision_id))


def message_rewarded(*, event: Event) -> None:
    """The reaction to a message proposed or shortlisted: points under the site's rule for it, as ideas earn theirs.

    A proposal earns its author the rule's points; a shortlisting shares them by the
    message's credit (the author and co-authors by their shares). The company's messages
    earn nothing. Rewards' own ledger keeps each award once per rule and message.
    """
    if event.verb not in REWARDED_VERBS or event.object_id is None:
        return
    message = Message.objects.filter(pk=event.object_id, company=False).first()
    if message is None:
        return
    if event.verb == "message.proposed":
        trigger, shares = Trigger.MESSAGE_PROPOSED, {message.author_id: Decimal(1)}
    else:
        trigger = Trigger.MESSAGE_SHORTLISTED
        shares = {member_id: Decimal(str(share)) for member_id, share in credit_of(message).items()}
    awards_for_event(event=event, earned=Earned(trigger, "message", message.pk, None, shares))


CHANNEL_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def channel_create(*, actor: Any, name: str, kind: str, medium: str = "", description: str = "") -> Channel:
    """Staff add a channel: a name (as commerce's spend and members' channels name it), a kind, a medium.

    The medium follows the kind (email, social and push are personal; banners and in-store
    codes are mass media) unless staff choose it.
    """
    staff = require_outreach_staff(actor)
    name, description = name.strip().lower(), description.strip()
    problems: dict[str, list[str]] = {}
    if not CHANNEL_NAME.match(name):
        problems["name"] = [gettext("Name the channel in lower-case letters, digits, - and _ (at most 64).")]
    elif Channel.objects.filter(name=name).exists():
        problems["name"] = [gettext("There is a channel of that name already.")]
    if kind not in ChannelKind.values:
        problems["kind"] = [gettext("Choose one of the kinds: {names}.").format(names=", ".join(ChannelKind.values))]
    medium = medium or (KIND_MEDIUM[ChannelKind(kind)] if kind in ChannelKind.values else "")
    if medium not in Medium.values:
        problems["medium"] = [gettext("The medium is personal or mass.")]
    if len(description) > 200 or text_problem(description) is not None:
        problems["description"] = [gettext("Describe the channel in at most 200 characters.")]
    if problems:
        raise InvalidInput(gettext("The channel could not be added."), fields=problems)
    with transaction.atomic():
        channel = Channel.objects.create(name=name, kind=kind, medium=medium, description=description, created_by=staff)
        event_record(
            verb="message.channel_added",
            actor_id=staff.pk,
            object_type="channel",
            object_id=channel.pk,
            channel=name,
            details={"kind": kind, "medium": medium},
        )
    return channel


def channel_spend_record(
    *, actor: Any, channel_id: int, starts_on: date, ends_on: date, amount_cents: int, currency: str
) -> ChannelSpend:
    """What a channel cost over a period: recorded as commerce's channel spend under the channel's name (admins)."""
    require_outreach_staff(actor)
    channel = Channel.objects.filter(pk=channel_id).first()
    if channel is None:
        raise NotFound(gettext("No such channel."))
    return spend_record(
        actor=actor,
        channel=channel.name,
        starts_on=starts_on,
        ends_on=ends_on,
        amount_cents=amount_cents,
        currency=currency,
    )
