"""Reads of surveys: who is asked, what is open to a member, and the staff's counts."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from prosumo.community.models import Member
from prosumo.ideas.models import Campaign, CoAuthor, CoAuthorStatus, Comment, Idea, Vote
from prosumo.surveys.models import Audience, Response, Survey


def campaign_participants(campaign_id: int) -> QuerySet[Member]:
    """Members who took part in a campaign: wrote or co-wrote an idea in it, voted or commented on one."""
    ideas = Idea.objects.filter(campaign_id=campaign_id).values("pk")
    return Member.objects.filter(
        Q(pk__in=Idea.objects.filter(campaign_id=campaign_id).values("author_id"))
        | Q(pk__in=CoAuthor.objects.filter(idea__in=ideas, status=CoAuthorStatus.ACCEPTED).values("member_id"))
        | Q(pk__in=Vote.objects.filter(idea__in=ideas).values("member_id"))
        | Q(pk__in=Comment.objects.filter(idea__in=ideas).values("author_id"))
    )


def audience_members(survey: Survey) -> QuerySet[Member]:
    """Everyone a survey asks: active accounts of its audience (all, one segment, or a campaign's participants)."""
    members = Member.objects.filter(is_active=True)
    if survey.audience == Audience.SEGMENT:
        return members.filter(segment_id=int(survey.segment_id or 0))
    if survey.audience == Audience.CAMPAIGN:
        return members & campaign_participants(int(survey.campaign_id or 0))
    return members


def survey_audience(survey_id: int) -> QuerySet[Member]:
    """The audience of survey ``survey_id`` (the notifications' ``survey.audience`` group)."""
    survey = Survey.objects.filter(pk=survey_id).first()
    if survey is None:
        return Member.objects.none()
    return audience_members(survey)


def in_audience(survey: Survey, member: Member) -> bool:
    """Whether ``audience_members(survey)`` holds the member."""
    if survey.audience == Audience.ALL:
        return bool(member.is_active)  # every active account: the member's row says it
    return audience_members(survey).filter(pk=member.pk).exists()


def response_of(survey: Survey, member: Member) -> Response | None:
    return Response.objects.filter(survey=survey, member=member).first()


@dataclass(frozen=True)
class SurveyRow:
    survey: Survey
    responses: int


def survey_list() -> list[SurveyRow]:
    """Every survey, newest first, with its response count (one query)."""
    rows = Survey.objects.select_related("segment", "campaign").annotate(answered=Count("responses"))
    return [SurveyRow(survey=s, responses=s.answered) for s in rows]  # type: ignore[attr-defined]


def surveys_for(member: Member) -> list[tuple[Survey, bool]]:
    """Surveys taking answers now whose audience holds the member, newest first, with whether they answered."""
    found = []
    answered = set(Response.objects.filter(member=member).values_list("survey_id", flat=True))
    for survey in Survey.objects.accepting().select_related("segment", "campaign"):
        if in_audience(survey, member):
            found.append((survey, survey.pk in answered))
    return found


def campaign_choices() -> list[tuple[int, str]]:
    return [(c.pk, c.title) for c in Campaign.objects.order_by("-starts_at", "pk").only("pk", "title")]


def export_answers(*, member_id: int) -> list[dict[str, object]]:
    """The member's answers to every survey, oldest first: what their copy's survey_answers.json holds."""
    rows = Response.objects.filter(member_id=member_id).select_related("survey").order_by("answered_at", "pk")
    return [
        {
            "survey_id": r.survey_id,
            "template": r.survey.template,
            "scores": r.scores,
            "answered_at": r.answered_at,
            "changed_at": r.changed_at,
        }
        for r in rows
    ]
