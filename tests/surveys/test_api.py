"""The survey endpoints: staff create, open, list and close; members read and answer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from prosumo.surveys.models import Response, Survey
from tests.api.conftest import error
from tests.surveys.conftest import ANSWERS


@pytest.mark.django_db
def test_staff_run_a_survey_and_a_member_answers_it_over_the_api(
    call, admin, member, django_capture_on_commit_callbacks
):
    closes = (timezone.now() + timedelta(days=7)).isoformat()
    created = call("POST", "/api/surveys", {"template": "co_production", "closes_at": closes}, as_member=admin)
    assert created.status_code == 201, created.content
    survey_id = created.json()["id"]
    assert created.json()["status"] == "draft"
    with django_capture_on_commit_callbacks(execute=True):
        opened = call("POST", f"/api/surveys/{survey_id}/open", as_member=admin)
    assert opened.json()["status"] == "open"
    form = call("GET", f"/api/surveys/{survey_id}", as_member=member).json()
    assert [i["key"] for i in form["items"]] == list(ANSWERS)
    assert (form["scale_min"], form["scale_max"], form["scores"]) == (1, 7, None)
    answered = call("PUT", f"/api/surveys/{survey_id}/answers", {"scores": ANSWERS}, as_member=member)
    assert answered.status_code == 200, answered.content
    assert answered.json()["scores"] == ANSWERS
    listed = call("GET", "/api/surveys", as_member=admin).json()
    assert [(s["id"], s["responses"]) for s in listed] == [(survey_id, 1)]
    closed = call("POST", f"/api/surveys/{survey_id}/close", as_member=admin)
    assert (closed.json()["status"], closed.json()["responses"]) == ("closed", 1)


@pytest.mark.django_db
def test_refused_answers_over_the_api_change_nothing(call, make_survey, member, admin):
    survey = make_survey()
    call("PUT", f"/api/surveys/{survey.pk}/answers", {"scores": ANSWERS}, as_member=member)
    body = error(
        call("PUT", f"/api/surveys/{survey.pk}/answers", {"scores": {**ANSWERS, "cost_econ": 9}}, as_member=member),
        400,
        "invalid",
    )
    assert body["fields"] == {"cost_econ": ["An answer is a whole number from 1 to 7."]}
    call("POST", f"/api/surveys/{survey.pk}/close", as_member=admin)
    error(call("PUT", f"/api/surveys/{survey.pk}/answers", {"scores": ANSWERS}, as_member=member), 409, "survey_closed")
    assert Response.objects.get().scores == ANSWERS


@pytest.mark.django_db
def test_members_cannot_run_surveys_over_the_api(call, member):
    closes = (timezone.now() + timedelta(days=7)).isoformat()
    error(
        call("POST", "/api/surveys", {"template": "lead_user", "closes_at": closes}, as_member=member), 403, "forbidden"
    )
    assert not Survey.objects.exists()
