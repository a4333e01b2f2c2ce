"""A member's survey answers are in their copy of their data, and go when they erase their account."""

from __future__ import annotations

import io
import json
import zipfile

from prosumo.activity.models import Event
from prosumo.privacy.export import build_zip
from prosumo.privacy.services import member_erase
from prosumo.surveys.models import Response
from prosumo.surveys.services import survey_answer
from tests.surveys.conftest import ANSWERS


def test_the_copy_holds_the_answers_and_erasure_forgets_them(make_survey, member, make_member):
    # given
    survey = make_survey()
    other = make_member()
    survey_answer(actor=member, survey_id=survey.pk, scores=ANSWERS)
    survey_answer(actor=member, survey_id=survey.pk, scores={**ANSWERS, "satisfaction": 2})
    survey_answer(actor=other, survey_id=survey.pk, scores=ANSWERS)
    # when
    files = zipfile.ZipFile(io.BytesIO(build_zip(member)))
    [row] = json.loads(files.read("survey_answers.json"))
    # then
    assert (row["survey_id"], row["template"], row["scores"]) == (
        survey.pk,
        "co_production",
        {**ANSWERS, "satisfaction": 2},
    )
    assert "survey_answers.json: your answers to surveys, as you last changed them" in files.read("README.txt").decode()
    # when the member erases their account
    member_erase(actor=member, member=member, password="correct horse 12")
    # then their answers and the scores their events carried are gone; the other member's stay
    assert list(Response.objects.values_list("member_id", flat=True)) == [other.pk]
    mine = Event.objects.filter(verb__startswith="survey.answer", actor_id=member.pk)
    assert [(e.verb, e.details) for e in mine.order_by("pk")] == [
        ("survey.answered", {}),
        ("survey.answer_changed", {}),
    ]
    assert Event.objects.get(verb="survey.answered", actor_id=other.pk).details["scores"] == ANSWERS
