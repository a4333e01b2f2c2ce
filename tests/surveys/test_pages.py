"""The survey pages, without a browser: the answer form, its refusals, and the staff's list."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from prosumo.activity.models import Event
from prosumo.community.models import Segment
from prosumo.surveys.models import Response, Survey, SurveyStatus
from prosumo.surveys.services import survey_close
from tests.surveys.conftest import ANSWERS


def test_a_member_answers_from_the_form_and_sees_their_answers_to_change(make_survey, member, login):
    survey = make_survey()
    client = login(member)
    # the form: one group of seven choices per statement
    page = client.get(f"/surveys/{survey.pk}/").content.decode()
    assert page.count('type="radio"') == 7 * 7
    assert "Overall, I am satisfied with this community." in page
    assert 'name="satisfaction" value="7"' in page
    # when
    sent = client.post(f"/surveys/{survey.pk}/", {k: str(v) for k, v in ANSWERS.items()})
    # then
    assert sent.status_code == 302
    assert Response.objects.get(member=member).scores == ANSWERS
    again = client.get(sent["Location"]).content.decode()
    assert "your answers are saved" in again
    assert '<input type="radio" name="satisfaction" value="7" id="id_satisfaction_6" required checked>' in again
    assert "Save my new answers" in again
    # the member's list shows it answered
    assert "answered: you can change your answers" in client.get("/surveys/").content.decode()


def test_a_missing_answer_is_shown_beside_its_statement_and_nothing_is_saved(make_survey, member, login):
    survey = make_survey()
    partial = {k: str(v) for k, v in ANSWERS.items() if k != "cost_social"}
    response = login(member).post(f"/surveys/{survey.pk}/", partial)
    assert response.status_code == 400
    page = response.content.decode()
    assert page.count("Choose an answer for this statement.") == 1
    assert not Response.objects.exists()
    assert not Event.objects.filter(verb="survey.answered").exists()


def test_a_spanish_member_reads_the_survey_in_spanish(make_survey, make_member, login):
    survey = make_survey("lead_user")
    page = login(make_member(locale="es")).get(f"/surveys/{survey.pk}/").content.decode()
    assert "Los productos nuevos y tus necesidades" in page
    assert "Tengo necesidades que los productos que se ofrecen hoy no cubren." in page
    assert "Totalmente de acuerdo" in page


def test_outside_the_audience_or_after_closing_the_page_says_why_and_takes_nothing(
    make_survey, make_member, admin, login
):
    gold = Segment.objects.create(name="Gold", slug="gold")
    survey = make_survey(audience="segment", segment_id=gold.pk)
    outsider = make_member()
    refused = login(outsider).post(f"/surveys/{survey.pk}/", {k: str(v) for k, v in ANSWERS.items()})
    assert refused.status_code == 403
    assert "This survey asks another group of members, not you." in refused.content.decode()
    insider = make_member(segment=gold)
    survey_close(actor=admin, survey_id=survey.pk)
    late = login(insider).post(f"/surveys/{survey.pk}/", {k: str(v) for k, v in ANSWERS.items()})
    assert late.status_code == 409
    page = late.content.decode()
    assert "This survey is closed: answers are no longer taken." in page
    assert 'id="answer-form"' not in page
    assert not Response.objects.exists()


def test_staff_create_open_and_close_a_survey_and_see_its_responses(
    admin, member, login, django_capture_on_commit_callbacks
):
    client = login(admin)
    closes = (timezone.now() + timedelta(days=10)).strftime("%Y-%m-%d %H:%M")
    created = client.post("/staff/surveys/", {"template": "lead_user", "audience": "all", "closes_at": closes})
    assert created.status_code == 302
    survey = Survey.objects.get()
    assert (survey.template, survey.status) == ("lead_user", SurveyStatus.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/staff/surveys/{survey.pk}/open/").status_code == 302
    login(member).post(f"/surveys/{survey.pk}/", dict.fromkeys(survey.spec.keys, "6"))
    page = client.get("/staff/surveys/").content.decode()
    assert f'<tr id="survey-{survey.pk}">' in page
    assert '<td class="responses">1</td>' in page
    assert client.post(f"/staff/surveys/{survey.pk}/close/").status_code == 302
    assert Survey.objects.get().status == SurveyStatus.CLOSED
    # closing twice: back to the list with the reason, nothing written
    events = Event.objects.count()
    again = client.post(f"/staff/surveys/{survey.pk}/close/", follow=True)
    assert "This survey is closed already." in again.content.decode()
    assert Event.objects.count() == events


def test_a_bad_survey_form_says_what_is_wrong_and_creates_nothing(admin, login):
    past = (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
    response = login(admin).post(
        "/staff/surveys/", {"template": "co_production", "audience": "segment", "closes_at": past}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose the segment to ask." in page
    assert "The survey must close after it opens, and in the future." in page
    assert not Survey.objects.exists()


def test_members_do_not_see_the_staff_page(member, login):
    assert login(member).get("/staff/surveys/").status_code == 404


def test_surveys_for_takes_one_query_however_many_surveys_are_open(
    make_survey, make_member, make_campaign, make_idea, admin, django_assert_num_queries
):
    # given: a member of Gold who wrote an idea in one campaign and answered the survey for all
    from prosumo.surveys.selectors import in_audience, surveys_for
    from prosumo.surveys.services import survey_answer

    gold = Segment.objects.create(name="Gold", slug="gold")
    silver = Segment.objects.create(name="Silver", slug="silver")
    member = make_member(segment=gold)
    mine, other = make_campaign(), make_campaign()
    make_idea(member, in_campaign=mine)
    for_all = make_survey()
    survey_answer(actor=member, survey_id=for_all.pk, scores=ANSWERS)
    for_gold = make_survey("lead_user", audience="segment", segment_id=gold.pk)
    make_survey("lead_user", audience="segment", segment_id=silver.pk)
    for_mine = make_survey("lead_user", audience="campaign", campaign_id=mine.pk)
    make_survey("lead_user", audience="campaign", campaign_id=other.pk)
    closed = make_survey("lead_user")
    survey_close(actor=admin, survey_id=closed.pk)
    # when
    with django_assert_num_queries(1):
        found = [(survey.pk, answered) for survey, answered in surveys_for(member)]
    # then: newest first, the member's three audiences, the answer known
    assert found == [(for_mine.pk, False), (for_gold.pk, False), (for_all.pk, True)]
    accepting = Survey.objects.accepting()
    assert {s.pk for s in accepting if in_audience(s, member)} == {pk for pk, _ in found}
