"""Answers sent at once by one member, and answers racing the survey's closing, never double or slip in (PostgreSQL)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from prosumo.activity.models import Event
from prosumo.core.errors import Conflict
from prosumo.surveys.models import Response
from prosumo.surveys.services import survey_answer, survey_close, survey_create, survey_open

SCORES = {"lead_at_1": 5, "lead_at_2": 5, "lead_at_3": 5, "lead_heb_1": 5, "lead_heb_2": 5, "lead_heb_3": 5}


@pytest.mark.postgres_only
def test_parallel_answers_keep_one_response_and_none_after_closing(transactional_db, make_member, admin):
    if connection.vendor != "postgresql":
        pytest.skip(
            f"needs PostgreSQL row locks; DATABASE_URL points at {connection.vendor} (make test-postgres runs it)"
        )
    # given an open survey and six members
    survey = survey_create(actor=admin, template="lead_user", closes_at=timezone.now() + timedelta(days=3))
    survey_open(actor=admin, survey_id=survey.pk)
    members = [make_member() for _ in range(6)]

    def answer(n: int) -> str:
        try:
            if n == 12:
                survey_close(actor=admin, survey_id=survey.pk)
                return "closed"
            survey_answer(actor=members[n % 6], survey_id=survey.pk, scores={**SCORES, "lead_at_1": 1 + n % 7})
            return "saved"
        except Conflict:
            return "refused"
        finally:
            connections.close_all()

    # when each member answers four times at once from 24 threads, and staff close the survey among them
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(answer, range(25)))
    # then every saved answer wrote one event, each member has at most one response, no answer
    # was saved after the closing, and a member's first event is the only "answered"
    saved = outcomes.count("saved")
    assert outcomes.count("closed") == 1
    assert saved + outcomes.count("refused") == 24
    events = Event.objects.filter(verb__startswith="survey.answer").order_by("pk")
    assert events.count() == saved
    closing = Event.objects.get(verb="survey.closed")
    assert all(e.pk < closing.pk for e in events)
    per_member = {m.pk: list(events.filter(actor_id=m.pk).values_list("verb", flat=True)) for m in members}
    responders = {pk for pk, verbs in per_member.items() if verbs}
    assert set(Response.objects.values_list("member_id", flat=True)) == responders
    assert Response.objects.count() == len(responders)
    for verbs in per_member.values():
        assert verbs == ([] if not verbs else ["survey.answered"] + ["survey.answer_changed"] * (len(verbs) - 1))
    assert closing.value == float(len(responders))
