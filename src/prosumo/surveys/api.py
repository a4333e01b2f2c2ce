"""Surveys in the JSON API: staff create, open and close them; members read and answer them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Router, Schema, Status

from prosumo.community.auth import needs
from prosumo.community.http import MemberRequest
from prosumo.community.models import Scope
from prosumo.core.input import BodyIn, Id
from prosumo.core.schemas import ERRORS
from prosumo.surveys import selectors, services
from prosumo.surveys.catalogue import SCALE_MAX, SCALE_MIN
from prosumo.surveys.models import Survey
from prosumo.surveys.permissions import access_survey_to_answer, require_survey_staff

router = Router(tags=["surveys"])


class SurveyOut(Schema):
    id: int
    template: str = Field(description="co_production or lead_user")
    title: str = Field(description="The template's title, in the request's language")
    audience: str = Field(description="all, segment or campaign")
    segment_id: int | None
    campaign_id: int | None
    opens_at: datetime
    closes_at: datetime
    status: str = Field(description="draft, open or closed")
    opened_at: datetime | None
    closed_at: datetime | None


class StaffSurveyOut(SurveyOut):
    responses: int = Field(description="Members who answered")


class SurveyIn(BodyIn):
    template: str = Field(description="co_production (Etgar's drivers and satisfaction) or lead_user")
    audience: str = Field("all", description="all, segment or campaign")
    segment_id: Id | None = Field(None, description="For the segment audience")
    campaign_id: Id | None = Field(None, description="For the campaign audience: its participants are asked")
    opens_at: datetime | None = Field(
        None, strict=False, description="When it opens by itself; staff may open it sooner"
    )
    closes_at: datetime = Field(strict=False, description="When it stops taking answers (with a time zone)")


def _staff_row(survey: Survey, responses: int) -> dict[str, Any]:
    return {**SurveyOut.model_validate(survey).model_dump(), "responses": responses}


@router.get("/surveys", response={200: list[StaffSurveyOut], **ERRORS}, auth=needs(Scope.STAFF))
def survey_list(request: MemberRequest) -> Any:
    """Every survey, newest first, with its response count (staff)."""
    require_survey_staff(request.user)
    return [_staff_row(row.survey, row.responses) for row in selectors.survey_list()]


@router.post("/surveys", response={201: StaffSurveyOut, **ERRORS}, auth=needs(Scope.STAFF))
def survey_create(request: MemberRequest, payload: SurveyIn) -> Any:
    """Create a survey from a shipped template; it opens at ``opens_at``, or when staff open it."""
    survey = services.survey_create(actor=request.user, **payload.dict())
    return Status(201, _staff_row(survey, 0))


@router.post("/surveys/{survey_id}/open", response={200: StaffSurveyOut, **ERRORS}, auth=needs(Scope.STAFF))
def survey_open(request: MemberRequest, survey_id: Id) -> Any:
    """Open a survey now; its audience is notified, each member in their language."""
    survey = services.survey_open(actor=request.user, survey_id=survey_id)
    return _staff_row(survey, 0)


@router.post("/surveys/{survey_id}/close", response={200: StaffSurveyOut, **ERRORS}, auth=needs(Scope.STAFF))
def survey_close(request: MemberRequest, survey_id: Id) -> Any:
    """Close a survey: no more answers are taken."""
    survey = services.survey_close(actor=request.user, survey_id=survey_id)
    return _staff_row(survey, survey.responses.count())


class ItemOut(Schema):
    key: str = Field(description="The item's name in the dataset's surveys table")
    text: str = Field(description="The statement, in the request's language")


class SurveyFormOut(SurveyOut):
    scale_min: int
    scale_max: int
    items: list[ItemOut]
    scores: dict[str, int] | None = Field(description="The member's saved answers; null before they answer")


@router.get("/surveys/{survey_id}", response={200: SurveyFormOut, **ERRORS}, auth=needs(Scope.READ))
def survey_read(request: MemberRequest, survey_id: Id) -> Any:
    """A survey's statements and the member's saved answers (members of its audience)."""
    member, survey = access_survey_to_answer(request.user, survey_id)
    response = selectors.response_of(survey, member)
    return {
        **SurveyOut.model_validate(survey).model_dump(),
        "scale_min": SCALE_MIN,
        "scale_max": SCALE_MAX,
        "items": [{"key": item.key, "text": str(item.text)} for item in survey.spec.items],
        "scores": response.scores if response else None,
    }


class AnswerIn(BodyIn):
    scores: dict[str, int] = Field(description=f"A score from {SCALE_MIN} to {SCALE_MAX} for every item key")


class AnswerOut(Schema):
    survey_id: int
    scores: dict[str, int]
    answered_at: datetime
    changed_at: datetime


@router.put("/surveys/{survey_id}/answers", response={200: AnswerOut, **ERRORS}, auth=needs(Scope.WRITE))
def survey_answer(request: MemberRequest, survey_id: Id, payload: AnswerIn) -> Any:
    """Answer a survey, or change one's answers while it is open."""
    response = services.survey_answer(actor=request.user, survey_id=survey_id, scores=payload.scores)
    return response
