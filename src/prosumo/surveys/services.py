"""Running surveys and answering them: each write in one transaction with its event (docs/events.md)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from prosumo.activity.models import Event
from prosumo.activity.services import event_record
from prosumo.community.models import Segment
from prosumo.core.errors import Conflict, InvalidInput
from prosumo.core.phrases import phrase
from prosumo.ideas.models import Campaign
from prosumo.notifications.services import notify
from prosumo.surveys.catalogue import SCALE_MAX, SCALE_MIN, TEMPLATES
from prosumo.surveys.models import Audience, Response, Survey, SurveyStatus
from prosumo.surveys.permissions import access_survey, access_survey_to_answer, require_survey_staff

#: The group `notify` tells when a survey opens (registered in SurveysConfig.ready()).
AUDIENCE_GROUP = "survey.audience"


def survey_create(
    *,
    actor: Any,
    template: str,
    audience: str = Audience.ALL,
    segment_id: int | None = None,
    campaign_id: int | None = None,
    opens_at: datetime | None = None,
    closes_at: datetime,
) -> Survey:
    """A new survey, not open yet: a shipped template, an audience, and its dates."""
    staff = require_survey_staff(actor)
    now = timezone.now()
    opens_at = opens_at or now
    problems: dict[str, list[str]] = {}
    if template not in TEMPLATES:
        problems["template"] = [
            gettext("Choose one of the shipped templates: {names}.").format(names=", ".join(TEMPLATES))
        ]
    if audience not in Audience.values:
        problems["audience"] = [gettext("The audience is all, segment or campaign.")]
    segment = campaign = None
    if audience == Audience.SEGMENT:
        segment = Segment.objects.filter(pk=segment_id).first() if segment_id else None
        if segment is None:
            problems["segment_id"] = [gettext("Choose the segment to ask.")]
    elif segment_id is not None:
        problems["segment_id"] = [gettext("A segment is only for the segment audience.")]
    if audience == Audience.CAMPAIGN:
        campaign = Campaign.objects.filter(pk=campaign_id).first() if campaign_id else None
        if campaign is None:
            problems["campaign_id"] = [gettext("Choose the campaign whose participants to ask.")]
    elif campaign_id is not None:
        problems["campaign_id"] = [gettext("A campaign is only for the campaign audience.")]
    if timezone.is_naive(opens_at) or timezone.is_naive(closes_at):
        problems["closes_at"] = [gettext("Give dates with a time zone.")]
    elif closes_at <= max(opens_at, now):
        problems["closes_at"] = [gettext("The survey must close after it opens, and in the future.")]
    if problems:
        raise InvalidInput(gettext("The survey could not be created."), fields=problems)
    with transaction.atomic():
        survey = Survey.objects.create(
            template=template,
            audience=audience,
            segment=segment,
            campaign=campaign,
            opens_at=opens_at,
            closes_at=closes_at,
            created_by=staff,
        )
        event_record(
            verb="survey.created",
            actor_id=staff.pk,
            object_type="survey",
            object_id=survey.pk,
            campaign_id=survey.campaign_id,
            details=_details(survey),
        )
    return survey


def _details(survey: Survey) -> dict[str, Any]:
    return {
        "survey": survey.pk,
        "template": survey.template,
        "audience": survey.audience,
        "segment": survey.segment_id,
        "opens_at": survey.opens_at.isoformat(),
        "closes_at": survey.closes_at.isoformat(),
    }


def survey_open(*, actor: Any, survey_id: int) -> Survey:
    """Open a survey now and tell its audience, each in their language, with a link to answer.

    ``actor`` None is the platform opening it at its planned time (`surveys_due`).
    """
    staff = None if actor is None else require_survey_staff(actor)
    with transaction.atomic():
        survey = access_survey(survey_id, for_update=True)
        if survey.status != SurveyStatus.DRAFT:
            raise Conflict(gettext("This survey was opened already."), code="survey_not_draft")
        now = timezone.now()
        if survey.closes_at <= now:
            raise Conflict(gettext("This survey's closing time has passed; create a new one."), code="survey_closed")
        survey.status = SurveyStatus.OPEN
        survey.opened_at = now
        survey.save(update_fields=["status", "opened_at"])
        event = event_record(
            verb="survey.opened",
            actor_id=staff.pk if staff else None,
            object_type="survey",
            object_id=survey.pk,
            campaign_id=survey.campaign_id,
            details=_details(survey),
        )
        notify(
            audience=(AUDIENCE_GROUP, survey.pk),
            verb="survey.opened",
            title=phrase("survey.opened", survey=survey.spec.title),
            body=phrase("survey.opened.body", closes=survey.closes_at.date().isoformat()),
            url=f"/surveys/{survey.pk}/",
            event_id=event.pk,
        )
    return survey


def survey_close(*, actor: Any, survey_id: int) -> Survey:
    """Close a survey: it takes no more answers; ``actor`` None is the platform at its closing time."""
    staff = None if actor is None else require_survey_staff(actor)
    with transaction.atomic():
        survey = access_survey(survey_id, for_update=True)
        if survey.status == SurveyStatus.CLOSED:
            raise Conflict(gettext("This survey is closed already."), code="survey_closed")
        survey.status = SurveyStatus.CLOSED
        survey.closed_at = timezone.now()
        survey.save(update_fields=["status", "closed_at"])
        event_record(
            verb="survey.closed",
            actor_id=staff.pk if staff else None,
            object_type="survey",
            object_id=survey.pk,
            campaign_id=survey.campaign_id,
            value=float(survey.responses.count()),
            details={"survey": survey.pk, "template": survey.template},
        )
    return survey


def surveys_due() -> tuple[int, int]:
    """Open the drafts whose opening time has come and close the open surveys past their closing time."""
    now = timezone.now()
    opened = closed = 0
    for pk in Survey.objects.filter(status=SurveyStatus.OPEN, closes_at__lte=now).values_list("pk", flat=True):
        try:
            survey_close(actor=None, survey_id=pk)
            closed += 1
        except Conflict:  # closed meanwhile by staff
            pass
    due = Survey.objects.filter(status=SurveyStatus.DRAFT, opens_at__lte=now, closes_at__gt=now)
    for pk in due.values_list("pk", flat=True):
        try:
            survey_open(actor=None, survey_id=pk)
            opened += 1
        except Conflict:  # opened meanwhile by staff
            pass
    return opened, closed


def _scores(survey: Survey, scores: Mapping[str, Any]) -> dict[str, int]:
    """The answers, checked against the template: every item once, each a whole number on the scale."""
    keys = survey.spec.keys
    problems: dict[str, list[str]] = {}
    unknown = sorted(set(scores) - set(keys))
    if unknown:
        problems["scores"] = [gettext("This survey has no item {items}.").format(items=", ".join(unknown))]
    out: dict[str, int] = {}
    for key in keys:
        value = scores.get(key)
        if value is None or value == "":
            problems[key] = [gettext("Choose an answer for this statement.")]
            continue
        if isinstance(value, bool) or not isinstance(value, int | str):
            problems[key] = [
                gettext("An answer is a whole number from {low} to {high}.").format(low=SCALE_MIN, high=SCALE_MAX)
            ]
            continue
        try:
            number = int(value)
        except ValueError:
            number = SCALE_MIN - 1
        if not SCALE_MIN <= number <= SCALE_MAX:
            problems[key] = [
                gettext("An answer is a whole number from {low} to {high}.").format(low=SCALE_MIN, high=SCALE_MAX)
            ]
            continue
        out[key] = number
    if problems:
        raise InvalidInput(gettext("Your answers were not saved."), fields=problems)
    return out


def member_answers_erase(*, member_id: int) -> int:
    """Forget an erased member's answers: their responses, and the scores their answer events carried.

    Called by the erasure service in its transaction (prosumo.privacy); the events stay,
    as every erased member's do, with the member's id that no longer leads to anyone.
    """
    deleted, _ = Response.objects.filter(member_id=member_id).delete()
    Event.objects.filter(verb__in=("survey.answered", "survey.answer_changed"), actor_id=member_id).update(details={})
    return deleted


def survey_answer(*, actor: Any, survey_id: int, scores: Mapping[str, Any]) -> Response:
    """Save a member's answers to a survey: once, then changed in place until the survey closes.

    Refused, with nothing changed: a member outside its audience, a survey that is not open
    (not yet, or closed), an item missing or a score off the scale.
    """
    now = timezone.now()
    try:
        with transaction.atomic():
            # the survey's row lock orders answers against its closing
            member, survey = access_survey_to_answer(actor, survey_id, for_update=True)
            if not survey.accepting:
                if survey.status == SurveyStatus.DRAFT:
                    raise Conflict(gettext("This survey is not open yet."), code="survey_not_open")
                raise Conflict(gettext("This survey is closed: answers are no longer taken."), code="survey_closed")
            checked = _scores(survey, scores)
            response = Response.objects.select_for_update().filter(survey=survey, member=member).first()
            first = response is None
            if response is None:
                response = Response.objects.create(
                    survey=survey, member=member, scores=checked, answered_at=now, changed_at=now
                )
            else:
                response.scores = checked
                response.changed_at = now
                response.save(update_fields=["scores", "changed_at"])
            event_record(
                verb="survey.answered" if first else "survey.answer_changed",
                actor_id=member.pk,
                object_type="survey",
                object_id=survey.pk,
                campaign_id=survey.campaign_id,
                value=float(len(checked)),
                details={"survey": survey.pk, "template": survey.template, "scores": checked},
            )
    except IntegrityError:
        # another request of the same member wrote the first answer meanwhile: this one changes it
        return survey_answer(actor=actor, survey_id=survey_id, scores=scores)
    return response
