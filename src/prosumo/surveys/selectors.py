"""Reads of surveys: who is asked, what is open to a member, and the staff's counts."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

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
    """Surveys taking answers now whose audience holds the member, newest first, with whether they answered.

    One query, however many surveys are open: the audience rules of :func:`audience_members`
    (all active accounts, the member's segment, campaigns the member took part in) are
    written as one filter.
    """
    if not member.is_active:
        return []
    mine = member.pk
    took_part = Idea.objects.filter(
        Q(author_id=mine)
        | Q(pk__in=CoAuthor.objects.filter(member_id=mine, status=CoAuthorStatus.ACCEPTED).values("idea_id"))
        | Q(pk__in=Vote.objects.filter(member_id=mine).values("idea_id"))
        | Q(pk__in=Comment.objects.filter(author_id=mine).values("idea_id"))
    ).values("campaign_id")
    audience = Q(audience=Audience.ALL) | Q(audience=Audience.CAMPAIGN, campaign_id__in=took_part)
    if member.segment_id is not None:
        audience |= Q(audience=Audience.SEGMENT, segment_id=member.segment_id)
    surveys = (
        Survey.objects.accepting()
        .filter(audience)
        .select_related("segment", "campaign")
        .annotate(answered=Exists(Response.objects.filter(survey_id=OuterRef("pk"), member_id=mine)))
    )
    return [(survey, bool(survey.answered)) for survey in surveys]


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
