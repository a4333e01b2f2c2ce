"""Running a survey and answering it, through the services: audience, notification, once and changed, refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation

from prosumo.activity.models import Event
from prosumo.community.models import Segment
from prosumo.core.errors import Conflict, InvalidInput, PermissionDenied
from prosumo.ideas.services import comment_post, vote_cast
from prosumo.notifications.models import Notification
from prosumo.surveys.models import Response, Survey, SurveyStatus
from prosumo.surveys.selectors import survey_list
from prosumo.surveys.services import survey_answer, survey_close, survey_create, survey_open, surveys_due
from tests.surveys.conftest import ANSWERS


def _state() -> tuple[list[tuple[int, int, dict[str, int]]], int]:
    rows = list(Response.objects.order_by("pk").values_list("survey_id", "member_id", "scores"))
    return rows, Event.objects.filter(verb__startswith="survey.answer").count()


def test_opening_tells_the_audience_in_their_language_with_a_link(make_survey, make_member, admin):
    # given
    spanish = make_member(locale="es")
    english = make_member()
    # when
    survey = make_survey()
    # then: every active account, staff included, is told once, with the link to answer
    told = Notification.objects.filter(verb="survey.opened")
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted([admin.pk, spanish.pk, english.pk])
    assert set(told.values_list("url", flat=True)) == {f"/surveys/{survey.pk}/"}
    note = told.get(recipient=spanish)
    with translation.override("es"):
        assert note.display_title == "Una breve encuesta para ti: «Por qué participas y lo que te cuesta»"
    with translation.override("en"):
        assert (
            told.get(recipient=english).display_title
            == "A short survey for you: “Why you take part, and what it costs you”"
        )
    # the email to the Spanish member is in Spanish
    [to_spanish] = [m for m in mail.outbox if m.to == [spanish.email]]
    assert "Por qué participas" in to_spanish.subject
    opened = Event.objects.get(verb="survey.opened")
    assert (opened.actor_id, opened.object_type, opened.object_id) == (admin.pk, "survey", survey.pk)


def test_a_segment_survey_asks_only_its_members(make_survey, make_member):
    # given
    gold = Segment.objects.create(name="Gold", slug="gold")
    inside = make_member(segment=gold)
    outside = make_member()
    # when
    survey = make_survey("lead_user", audience="segment", segment_id=gold.pk)
    # then
    assert list(Notification.objects.filter(verb="survey.opened").values_list("recipient_id", flat=True)) == [inside.pk]
    survey_answer(actor=inside, survey_id=survey.pk, scores=dict.fromkeys(survey.spec.keys, 5))
    before = _state()
    with pytest.raises(PermissionDenied) as refused:
        survey_answer(actor=outside, survey_id=survey.pk, scores=dict.fromkeys(survey.spec.keys, 5))
    assert refused.value.code == "not_in_audience"
    assert refused.value.message == "This survey asks another group of members, not you."
    assert _state() == before


def test_a_campaign_survey_asks_its_participants(make_survey, make_member, make_idea, campaign):
    # given: an author, a voter and a commenter took part; a fourth member did not
    author, voter, commenter, bystander = make_member(), make_member(), make_member(), make_member()
    idea = make_idea(author)
    vote_cast(actor=voter, idea_id=idea.pk, value=1)
    comment_post(actor=commenter, idea_id=idea.pk, body="Would it fit a family of five?")
    # when
    survey = make_survey(audience="campaign", campaign_id=campaign.pk)
    # then
    told = set(Notification.objects.filter(verb="survey.opened").values_list("recipient_id", flat=True))
    assert told == {author.pk, voter.pk, commenter.pk}
    with pytest.raises(PermissionDenied):
        survey_answer(actor=bystander, survey_id=survey.pk, scores=ANSWERS)
    assert not Response.objects.exists()


def test_a_member_answers_once_and_changes_their_answers_until_the_survey_closes(make_survey, member, admin):
    # given
    survey = make_survey()
    # when: a first answer, then a change
    first = survey_answer(actor=member, survey_id=survey.pk, scores=ANSWERS)
    changed = survey_answer(actor=member, survey_id=survey.pk, scores={**ANSWERS, "satisfaction": 3})
    # then: one response, holding the latest answers; an event for each
    assert changed.pk == first.pk
    assert Response.objects.get().scores == {**ANSWERS, "satisfaction": 3}
    answered, again = Event.objects.filter(verb__startswith="survey.answer").order_by("pk")
    assert (answered.verb, answered.actor_id, answered.object_id, answered.value) == (
        "survey.answered",
        member.pk,
        survey.pk,
        7.0,
    )
    assert answered.details == {"survey": survey.pk, "template": "co_production", "scores": ANSWERS}
    assert again.verb == "survey.answer_changed"
    assert again.details["scores"]["satisfaction"] == 3
    # when the survey closes, answers are refused and nothing changes
    survey_close(actor=admin, survey_id=survey.pk)
    before = _state()
    with pytest.raises(Conflict) as refused:
        survey_answer(actor=member, survey_id=survey.pk, scores={**ANSWERS, "satisfaction": 1})
    assert refused.value.code == "survey_closed"
    assert _state() == before
    assert [row.responses for row in survey_list()] == [1]


@pytest.mark.parametrize(
    ("scores", "field"),
    [
        ({**ANSWERS, "cost_econ": 8}, "cost_econ"),
        ({**ANSWERS, "cost_econ": 0}, "cost_econ"),
        ({**ANSWERS, "cost_econ": "seven"}, "cost_econ"),
        ({k: v for k, v in ANSWERS.items() if k != "motive_psych"}, "motive_psych"),
        ({**ANSWERS, "lead_at_1": 4}, "scores"),
    ],
    ids=["above", "below", "not_a_number", "missing", "not_in_this_survey"],
)
def test_answers_off_the_scale_are_refused_and_nothing_changes(make_survey, member, scores, field):
    survey = make_survey()
    survey_answer(actor=member, survey_id=survey.pk, scores=ANSWERS)
    before = _state()
    with pytest.raises(InvalidInput) as refused:
        survey_answer(actor=member, survey_id=survey.pk, scores=scores)
    assert list(refused.value.fields) == [field]
    assert refused.value.message == "Your answers were not saved."
    assert _state() == before


def test_a_survey_takes_no_answers_before_it_opens_or_after_its_closing_time(make_survey, member, time_machine):
    # given
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    draft = make_survey(open_it=False, opens_at=now + timedelta(days=1), closes_at=now + timedelta(days=3))
    with pytest.raises(Conflict) as early:
        survey_answer(actor=member, survey_id=draft.pk, scores=ANSWERS)
    assert early.value.code == "survey_not_open"
    # when its opening time comes, the periodic pass opens it; after its closing time it takes nothing
    time_machine.move_to(now + timedelta(days=1, minutes=1), tick=False)
    assert surveys_due() == (1, 0)
    assert Survey.objects.get().status == SurveyStatus.OPEN
    survey_answer(actor=member, survey_id=draft.pk, scores=ANSWERS)
    time_machine.move_to(now + timedelta(days=3, minutes=1), tick=False)
    before = _state()
    with pytest.raises(Conflict) as late:
        survey_answer(actor=member, survey_id=draft.pk, scores={**ANSWERS, "satisfaction": 1})
    assert late.value.code == "survey_closed"
    assert _state() == before
    assert surveys_due() == (0, 1)
    closed = Event.objects.get(verb="survey.closed")
    assert (closed.actor_id, closed.value) == (None, 1.0)


def test_bad_surveys_are_refused_and_nothing_is_written(admin, member):
    now = timezone.now()
    with pytest.raises(InvalidInput) as refused:
        survey_create(actor=admin, template="nps", audience="segment", closes_at=now - timedelta(days=1))
    assert set(refused.value.fields) == {"template", "segment_id", "closes_at"}
    with pytest.raises(PermissionDenied):
        survey_create(actor=member, template="lead_user", closes_at=now + timedelta(days=1))
    assert not Survey.objects.exists()
    assert not Event.objects.filter(verb__startswith="survey.").exists()


def test_a_survey_opens_once(make_survey, admin):
    survey = make_survey()
    with pytest.raises(Conflict) as again:
        survey_open(actor=admin, survey_id=survey.pk)
    assert again.value.code == "survey_not_draft"
    assert Event.objects.filter(verb="survey.opened").count() == 1
    assert Notification.objects.filter(verb="survey.opened").count() == 1  # the admin, the only account, told once
