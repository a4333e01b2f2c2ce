"""Amendments: a member proposes a change to someone else's idea, and its author decides.

An accepted amendment becomes the idea's next revision, written by the amender
(`ideas.revision_write`, the same write as an author's own revision), and the amender
is credited as a co-author with a share of the contribution, so the credit counts
wherever co-author shares count: royalty pools, the dataset's `idea_authors`, the
analytics' co-production.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from prosumo.activity.services import event_record
from prosumo.community.models import Member
from prosumo.community.permissions import require_member
from prosumo.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from prosumo.core.phrases import phrase
from prosumo.ideas.models import (
    OPEN_AMENDMENT,
    Amendment,
    AmendmentStatus,
    CoAuthor,
    CoAuthorStatus,
    Idea,
    Stage,
)
from prosumo.ideas.permissions import (
    access_idea,
    access_idea_to_take_part,
    can_decide_amendment,
    can_edit_idea,
)
from prosumo.ideas.services.ideas import (
    _share_offered,
    _validate_text,
    follow_ensure,
    revision_announce,
    revision_write,
)
from prosumo.notifications.services import notify

#: The share (percent) an author gives an amender when accepting, unless they choose another.
DEFAULT_AMENDER_SHARE = 5
NOTE_MAX, ANSWER_MAX = 200, 2_000
CLOSED_STAGES = (Stage.MERGED, Stage.DECLINED, Stage.LAUNCHED)


def _check_open(idea: Idea) -> None:
    """An idea takes amendments, and their decisions, while its campaign runs and the idea is not closed."""
    ends_at = idea.campaign.ends_at
    if ends_at is not None and ends_at <= timezone.now():
        raise InvalidInput(gettext("This campaign has ended: its ideas no longer change."), code="campaign_closed")
    if idea.stage in CLOSED_STAGES:
        raise InvalidInput(gettext("This idea is closed; it can no longer be revised."), code="idea_closed")


def _check_text(idea: Idea, title: str, body: str, note: str) -> None:
    errors = _validate_text(title, body)
    if len(note.strip()) > NOTE_MAX:
        errors["note"] = [gettext("Say why in {NOTE_MAX} characters at most.").format(NOTE_MAX=NOTE_MAX)]
    if errors:
        raise InvalidInput(gettext("The amendment could not be saved."), fields=errors)
    if title.strip() == idea.title and body.strip() == idea.body:
        raise InvalidInput(gettext("Nothing changed: edit the title or the text first."), code="unchanged")


def _check_base(idea: Idea, base_revision: int | None) -> None:
    if base_revision is not None and base_revision != idea.revision:
        raise Conflict(
            gettext(
                "The idea changed while you were writing (it is at revision {now}, you started from {base}): "
                "read the new text and write your change again."
            ).format(now=idea.revision, base=base_revision),
            code="idea_changed",
            fields={"base_revision": ["idea_changed"]},
        )


def amendment_propose(
    *, actor: Member, idea_id: int, title: str, body: str, note: str = "", base_revision: int | None = None
) -> Amendment:
    """A member proposes a new title and text for someone else's idea; its author is told.

    `base_revision` is the revision the member read (the page sends it): if the idea
    has changed since, the proposal is refused so that it is written against the
    current text. One open amendment per member and idea.
    """
    member = require_member(actor)
    with transaction.atomic():
        idea = access_idea_to_take_part(member, idea_id, lock=True)
        if can_edit_idea(member, idea):
            raise PermissionDenied(
                gettext("You can revise this idea yourself: no need to propose an amendment."), code="can_revise"
            )
        _check_open(idea)
        _check_base(idea, base_revision)
        _check_text(idea, title, body, note)
        if Amendment.objects.filter(idea=idea, amender=member, status__in=OPEN_AMENDMENT).exists():
            raise Conflict(
                gettext("You already have an amendment waiting on this idea: update that one instead."),
                code="amendment_open",
            )
        now = timezone.now()
        amendment = Amendment.objects.create(
            idea=idea,
            amender=member,
            base_revision=idea.revision,
            title=title.strip(),
            body=body.strip(),
            note=note.strip(),
            created_at=now,
            updated_at=now,
        )
        _tell_author(verb="idea.amendment_proposed", member=member, idea=idea, amendment=amendment, now=now)
    return amendment


def _tell_author(*, verb: str, member: Member, idea: Idea, amendment: Amendment, now: datetime) -> None:
    """Record that ``member`` proposed or rewrote ``amendment``, and tell the idea's author."""
    event = event_record(
        verb=verb,
        actor_id=member.pk,
        object_type="idea",
        object_id=idea.pk,
        target_member_id=idea.author_id,
        campaign_id=idea.campaign_id,
        value=idea.revision,
        details={"amendment": amendment.pk},
        occurred_at=now,
    )
    notify(
        recipient_ids=[idea.author_id],
        about_idea=idea.pk,
        verb=verb,
        title=phrase(verb, name=member.name, idea=idea.title),
        url=f"/ideas/{idea.pk}/amendments/{amendment.pk}/",
        event_id=event.pk,
    )


def _amendment_locked(member: Member, amendment_id: int) -> tuple[Amendment, Idea]:
    """The amendment and its idea, the idea's row locked first (as every revision takes it), if the member may see it."""
    idea_id = Amendment.objects.filter(pk=amendment_id).values_list("idea_id", flat=True).first()
    if idea_id is None:
        raise NotFound(gettext("No such amendment."))
    try:
        idea = access_idea(member, idea_id, lock=True)
    except NotFound as exc:
        raise NotFound(gettext("No such amendment.")) from exc
    amendment = Amendment.objects.select_for_update().get(pk=amendment_id)
    amendment.idea = idea
    return amendment, idea


def amendment_update(
    *, actor: Member, amendment_id: int, title: str, body: str, note: str = "", base_revision: int | None = None
) -> Amendment:
    """The amender rewrites an open amendment (after the author asked for changes, or the idea moved on).

    The amendment is then written against the idea's current revision and waits for the
    author again.
    """
    member = require_member(actor)
    with transaction.atomic():
        amendment, idea = _amendment_locked(member, amendment_id)
        if amendment.amender_id != member.pk:
            raise PermissionDenied(gettext("Only the member who proposed an amendment can change it."))
        if not amendment.is_open:
            raise Conflict(gettext("This amendment was already decided."), code="amendment_decided")
        _check_open(idea)
        _check_base(idea, base_revision)
        _check_text(idea, title, body, note)
        now = timezone.now()
        amendment.title, amendment.body, amendment.note = title.strip(), body.strip(), note.strip()
        amendment.base_revision = idea.revision
        amendment.status = AmendmentStatus.PENDING
        amendment.updated_at = now
        amendment.save(update_fields=["title", "body", "note", "base_revision", "status", "updated_at"])
        _tell_author(verb="idea.amendment_updated", member=member, idea=idea, amendment=amendment, now=now)
    return amendment


def _decidable(member: Member, amendment_id: int) -> tuple[Amendment, Idea]:
    amendment, idea = _amendment_locked(member, amendment_id)
    if not can_decide_amendment(member, idea):
        raise PermissionDenied(gettext("Only the idea's author decides on its amendments."))
    if not amendment.is_open:
        raise Conflict(gettext("This amendment was already decided."), code="amendment_decided")
    return amendment, idea


def _credit(idea: Idea, amender: Member, share: Decimal | int | str) -> Decimal:
    """The amender's co-author share after acceptance: one they hold already, else `share`, checked as any offer."""
    existing = CoAuthor.objects.select_for_update().filter(idea=idea, member=amender).first()
    if existing is not None and existing.status == CoAuthorStatus.ACCEPTED:
        return existing.share
    if existing is not None and existing.status == CoAuthorStatus.INVITED:
        offered = existing.share  # the author offered it already: taking the amendment takes the offer up
    else:
        offered = _share_offered(idea, share)
    CoAuthor.objects.update_or_create(
        idea=idea,
        member=amender,
        defaults={
            "share": offered,
            "status": CoAuthorStatus.ACCEPTED,
            "invited_by_id": idea.author_id,
            "responded_at": timezone.now(),
        },
    )
    return offered


def amendment_accept(
    *, actor: Member, amendment_id: int, share: Decimal | int | str = DEFAULT_AMENDER_SHARE
) -> Amendment:
    """The author takes an amendment: it becomes the idea's next revision, and the amender a co-author.

    Refused when the idea has a newer revision than the one the amendment was written
    against (`out_of_date`): the author asks for changes instead. The amender keeps a
    co-author share they already hold; otherwise they get `share` percent, checked as
    any co-author offer is (the author must keep a share).
    """
    member = require_member(actor)
    with transaction.atomic():
        amendment, idea = _decidable(member, amendment_id)
        _check_open(idea)
        if amendment.base_revision != idea.revision:
            raise Conflict(
                gettext(
                    "The idea changed after this amendment was written: ask the amender to update it to the new text."
                ),
                code="out_of_date",
            )
        amender = amendment.amender
        credited = _credit(idea, amender, share)
        revision = revision_write(
            idea=idea, writer=amender, title=amendment.title, body=amendment.body, note=amendment.note
        )
        amendment.status = AmendmentStatus.ACCEPTED
        amendment.revision = revision
        amendment.decided_at = amendment.updated_at = revision.created_at
        amendment.save(update_fields=["status", "revision", "decided_at", "updated_at"])
        follow_ensure(idea=idea, member=amender)
        event = event_record(
            verb="idea.amendment_accepted",
            actor_id=member.pk,
            object_type="idea",
            object_id=idea.pk,
            target_member_id=amender.pk,
            campaign_id=idea.campaign_id,
            value=revision.number,
            details={"amendment": amendment.pk, "share": float(credited)},
            occurred_at=revision.created_at,
        )
        notify(
            recipient_ids=[amender.pk],
            about_idea=idea.pk,
            verb="idea.amendment_accepted",
            title=phrase("idea.amendment_accepted", idea=idea.title),
            url=f"/ideas/{idea.pk}/amendments/{amendment.pk}/",
            event_id=event.pk,
        )
        revision_announce(idea=idea, revision=revision, event_id=event.pk)
    return amendment


def _answer(
    *, actor: Member, amendment_id: int, answer: str, status: AmendmentStatus, verb: str, required: bool
) -> Amendment:
    """Reject an amendment, or ask its amender for changes, with the author's words; the amender is told."""
    member = require_member(actor)
    answer = answer.strip()
    if required and not answer:
        raise InvalidInput(gettext("Say what should change."), fields={"answer": ["required"]})
    if len(answer) > ANSWER_MAX:
        raise InvalidInput(
            gettext("Answer in {ANSWER_MAX} characters at most.").format(ANSWER_MAX=ANSWER_MAX),
            fields={"answer": ["too_long"]},
        )
    with transaction.atomic():
        amendment, idea = _decidable(member, amendment_id)
        if status == AmendmentStatus.CHANGES_REQUESTED and amendment.status == status:
            raise Conflict(gettext("You already asked for changes; the amender has not answered yet."), code="waiting")
        now = timezone.now()
        amendment.status = status
        amendment.answer = answer
        amendment.updated_at = now
        amendment.decided_at = now if status == AmendmentStatus.REJECTED else None
        amendment.save(update_fields=["status", "answer", "updated_at", "decided_at"])
        event = event_record(
            verb=verb,
            actor_id=member.pk,
            object_type="idea",
            object_id=idea.pk,
            target_member_id=amendment.amender_id,
            campaign_id=idea.campaign_id,
            details={"amendment": amendment.pk},
            occurred_at=now,
        )
        notify(
            recipient_ids=[amendment.amender_id],
            about_idea=idea.pk,
            verb=verb,
            title=phrase(verb, idea=idea.title),
            body=answer,
            url=f"/ideas/{idea.pk}/amendments/{amendment.pk}/",
            event_id=event.pk,
        )
    return amendment


def amendment_reject(*, actor: Member, amendment_id: int, reason: str = "") -> Amendment:
    """The author turns an amendment down, with a reason if they give one."""
    return _answer(
        actor=actor,
        amendment_id=amendment_id,
        answer=reason,
        status=AmendmentStatus.REJECTED,
        verb="idea.amendment_rejected",
        required=False,
    )


def amendment_request_changes(*, actor: Member, amendment_id: int, message: str) -> Amendment:
    """The author asks the amender to change their amendment, saying what; the amender may then update it."""
    return _answer(
        actor=actor,
        amendment_id=amendment_id,
        answer=message,
        status=AmendmentStatus.CHANGES_REQUESTED,
        verb="idea.amendment_changes_requested",
        required=True,
    )
