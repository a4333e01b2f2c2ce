"""Moving ideas through stages, with an answer to everyone involved every time."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext

from prosumo.activity.services import event_record
from prosumo.community.models import STAFF_ROLES, Member, Role
from prosumo.community.permissions import require_role
from prosumo.core.errors import InvalidInput
from prosumo.core.phrases import english, phrase, source_text
from prosumo.ideas.models import (
    APPROVING_STAGES,
    GATE_MISSED_REASON,
    DeclineReason,
    Idea,
    Stage,
    StageChange,
)
from prosumo.ideas.permissions import access_idea
from prosumo.notifications.services import notify

if TYPE_CHECKING:
    from prosumo.ideas.services.votes import LockedIdea

FORWARD = [Stage.SUBMITTED, Stage.OPEN, Stage.UNDER_REVIEW, Stage.ACCEPTED, Stage.IN_DEVELOPMENT, Stage.LAUNCHED]
MESSAGE_MIN = 10


def allowed_moves(idea: Idea) -> list[str]:
    """Stages staff may move this idea to (merging has its own service)."""
    skipped = set(idea.campaign.skipped_stages or [])
    stage = idea.stage
    if stage == Stage.MERGED or stage == Stage.LAUNCHED:
        return []
    if stage == Stage.DECLINED:
        return [Stage.OPEN]
    later = FORWARD[FORWARD.index(Stage(stage)) + 1 :]
    moves = [s.value for s in later if s not in skipped]
    if stage == Stage.UNDER_REVIEW:
        moves.insert(0, Stage.OPEN.value)
    moves.append(Stage.DECLINED.value)
    return moves


def _move(
    *,
    idea: Idea,
    to_stage: str,
    message: str | dict[str, Any],
    actor: Member | None,
    reason: DeclineReason | None = None,
    now: datetime | None = None,
) -> StageChange:
    """Write the move for a locked idea: history row, idea fields, event, notifications.

    `message` is the staff's own text, or a phrase when the site moves the idea itself.
    """
    now = now or timezone.now()
    from_stage = idea.stage
    message_phrase = message if isinstance(message, dict) else {}
    message = english(message_phrase) if message_phrase else str(message)
    change = StageChange.objects.create(
        idea=idea,
        from_stage=from_stage,
        to_stage=to_stage,
        actor=actor,
        message=message,
        message_phrase=message_phrase,
        reason=reason,
        created_at=now,
    )
    idea.stage = to_stage
    idea.stage_changed_at = now
    fields = ["stage", "stage_changed_at", "updated_at"]
    if not idea.approved and to_stage in APPROVING_STAGES:
        idea.approved = True  # staff opened a premoderated idea: from now on it is everyone's to read
        fields.append("approved")
    if actor is not None and idea.answered_at is None:
        idea.answered_at = now
        fields.append("answered_at")
    if to_stage != Stage.OPEN:
        idea.gate_deadline = None
        fields.append("gate_deadline")
    elif idea.campaign.support_gates and idea.gate_deadline is None:
        gate = idea.campaign.support_gates[min(idea.gate_index, len(idea.campaign.support_gates) - 1)]
        idea.gate_deadline = now + timedelta(days=int(gate["days"]))
        fields.append("gate_deadline")
    idea.save(update_fields=fields)
    if Stage.MERGED in (from_stage, to_stage):
        from prosumo.ideas.services.ideas import enqueue_embedding

        enqueue_embedding(idea.pk)  # a merged idea leaves the similar ideas' index
    event = event_record(
        verb="idea.stage_changed",
        actor_id=actor.pk if actor else None,
        object_type="idea",
        object_id=idea.pk,
        target_member_id=idea.author_id,
        campaign_id=idea.campaign_id,
        details={
            "from": from_stage,
            "to": to_stage,
            "reason": reason.label if reason else None,
            "message": message,
            "answer": actor is not None,
        },
        occurred_at=now,
    )
    custom = idea.campaign.custom_stage_label(to_stage)
    notify(
        audience=("idea.involved", idea.pk),  # resolved in the fan-out task, not in this request
        verb="idea.stage_changed",
        title=phrase("idea.stage_changed", idea=idea.title, stage=custom or source_text(Stage(to_stage).label)),
        body=message_phrase
        or (phrase("idea.declined.body", message=message, reason=reason.label) if reason is not None else message),
        url=f"/ideas/{idea.pk}/",
        event_id=event.pk,
        exclude_id=actor.pk if actor else None,
    )
    return change


def stage_change(
    *,
    actor: Member,
    idea_id: int,
    to_stage: str,
    message: str,
    reason_id: int | None = None,
) -> StageChange:
    """A reviewer or admin moves an idea and tells everyone involved why."""
    staff = require_role(actor, Role.REVIEWER, Role.ADMIN)
    with transaction.atomic():
        idea = access_idea(staff, idea_id, lock=True)
        errors: dict[str, list[str]] = {}
        if to_stage not in allowed_moves(idea):
            label = idea.campaign.stage_label(idea.stage)
            errors["to_stage"] = [
                gettext("An idea that is {label} cannot move to {to_stage!r}.").format(label=label, to_stage=to_stage)
            ]
        if len(message.strip()) < MESSAGE_MIN:
            errors["message"] = [
                gettext("Write the contributors a message of at least {MESSAGE_MIN} characters.").format(
                    MESSAGE_MIN=MESSAGE_MIN
                )
            ]
        reason = None
        if to_stage == Stage.DECLINED:
            reason = DeclineReason.objects.filter(pk=reason_id, is_active=True).first() if reason_id else None
            if reason is None:
                errors["reason_id"] = [gettext("Declining needs a reason from the list.")]
        if errors:
            raise InvalidInput(gettext("The idea was not moved."), fields=errors)
        return _move(idea=idea, to_stage=to_stage, message=message.strip(), actor=staff, reason=reason)


def support_progress(*, idea: LockedIdea) -> None:
    """After a support vote on a locked idea: pass a staged gate, or reach the review threshold.

    Updates the vote's row of the idea to how it now stands; a move to review reads the whole idea.
    """
    campaign = idea.campaign
    gates = campaign.support_gates or []
    if gates and idea.stage == Stage.OPEN:
        passed = idea.gate_index
        while passed < len(gates) and idea.support_count >= int(gates[passed]["supporters"]):
            passed += 1
        if passed != idea.gate_index:
            idea.gate_index = passed
            idea.gate_deadline = (
                idea.created_at + timedelta(days=int(gates[passed]["days"])) if passed < len(gates) else None
            )
            Idea.objects.filter(pk=idea.id).update(gate_index=idea.gate_index, gate_deadline=idea.gate_deadline)
    if campaign.support_threshold and idea.stage == Stage.OPEN and idea.support_count >= campaign.support_threshold:
        whole = Idea.objects.select_related("campaign").get(pk=idea.id)
        _move(
            idea=whole,
            to_stage=Stage.UNDER_REVIEW,
            message=phrase("stage.threshold_reached", threshold=campaign.support_threshold),
            actor=None,
        )
        idea.stage = whole.stage


def default_decline_reason(label: str) -> DeclineReason:
    """One of DEFAULT_DECLINE_REASONS, found by its English text whatever the reader's language.

    Created, in every language of the catalogue, if staff deleted it.
    """
    english = {"label_en": label}  # the column django-modeltranslation adds (ideas/translation.py)
    found = DeclineReason.objects.filter(**english).first()
    if found is not None:
        return found
    texts = {}
    for code in settings.MODELTRANSLATION_LANGUAGES:
        with translation.override(code):
            texts[f"label_{code}"] = gettext(label)
    reason, _ = DeclineReason.objects.get_or_create(**english, defaults=texts)
    return reason


def support_gates_expire(*, now: datetime | None = None) -> int:
    """Decline, with a message, the open ideas whose supporter deadline passed. Idempotent."""
    now = now or timezone.now()
    reason = default_decline_reason(GATE_MISSED_REASON)
    expired = 0
    ids = list(Idea.objects.filter(Q(stage=Stage.OPEN) & Q(gate_deadline__lt=now)).values_list("pk", flat=True))
    for idea_id in ids:
        with transaction.atomic():
            idea = Idea.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=idea_id)
            if idea.stage != Stage.OPEN or idea.gate_deadline is None or idea.gate_deadline >= now:
                continue
            gate = idea.campaign.support_gates[idea.gate_index]
            _move(
                idea=idea,
                to_stage=Stage.DECLINED,
                message=phrase(
                    "stage.gate_missed", supporters=gate["supporters"], days=gate["days"], had=idea.support_count
                ),
                actor=None,
                reason=reason,
                now=now,
            )
            expired += 1
    return expired


#: How long before an idea's answer is due staff are reminded (at most half the deadline).
REMINDER_LEAD = timedelta(days=1)


def answer_due(idea: Idea) -> datetime | None:
    """When staff should have answered the idea: its submission plus the campaign's answer days."""
    days = idea.campaign.answer_days
    return None if not days else idea.created_at + timedelta(days=days)


def answer_reminders_send(*, now: datetime | None = None) -> int:
    """Remind staff of each unanswered idea whose answer is due within a day. Idempotent.

    One reminder per idea, ever (``Idea.answer_reminded_at``): a second run, or a run
    after the deadline, sends nothing again for it. Goes to every active staff member.
    """
    now = now or timezone.now()
    sent = 0
    candidates = (
        Idea.objects.waiting_for_answer()
        .filter(answer_reminded_at__isnull=True, campaign__answer_days__isnull=False)
        .select_related("campaign")
        .order_by("created_at", "pk")
    )
    for candidate in candidates:
        due = answer_due(candidate)
        if due is None or now < due - min(REMINDER_LEAD, (due - candidate.created_at) / 2):
            continue
        with transaction.atomic():
            idea = Idea.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=candidate.pk)
            if idea.answered_at is not None or idea.answer_reminded_at is not None or idea.hidden:
                continue  # answered or reminded since the list was read
            idea.answer_reminded_at = now
            idea.save(update_fields=["answer_reminded_at", "updated_at"])
            event = event_record(
                verb="idea.answer_reminded",
                actor_id=None,
                object_type="idea",
                object_id=idea.pk,
                target_member_id=idea.author_id,
                campaign_id=idea.campaign_id,
                details={"due": due.isoformat()},
                occurred_at=now,
            )
            staff = Member.objects.filter(Member.holding_role(*STAFF_ROLES)).values_list("pk", flat=True)
            notify(
                recipient_ids=list(staff),
                verb="idea.answer_reminded",
                title=phrase("idea.answer_due", idea=idea.title, due=due.date().isoformat()),
                url=f"/ideas/{idea.pk}/",
                event_id=event.pk,
                about_idea=idea.pk,
            )
            sent += 1
    return sent
