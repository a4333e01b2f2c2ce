"""Choices sent at the same moment on the same pair are all recorded and all counted (PostgreSQL)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from prosumo.activity.models import Event
from prosumo.ideas.services import campaign_create, idea_submit
from prosumo.pairwise.models import Choice
from prosumo.pairwise.selectors import results
from tests.pairwise.choosing import choose as pairwise_choose

BODY = "Pre-bent poles attached to the fabric so that the tent unfolds like an umbrella."


@pytest.mark.postgres_only
def test_simultaneous_choices_are_each_recorded_and_counted(transactional_db, make_member, admin):
    if connection.vendor != "postgresql":
        pytest.skip(f"needs PostgreSQL; DATABASE_URL points at {connection.vendor} (make test-postgres runs it)")
    # given a pairwise campaign with two ideas, and eight members
    campaign = campaign_create(actor=admin, title="Pairs", brief="Which is better?", voting_mode="pairwise")
    a, b = (
        idea_submit(actor=make_member(), campaign_id=campaign.pk, title=f"A self-pitching tent {n}", body=BODY)
        for n in (1, 2)
    )
    members = [make_member() for _ in range(8)]
    start = threading.Barrier(8)

    def choose(n: int) -> None:
        try:
            start.wait(timeout=10)
            outcome = "left" if n % 4 else "right"  # six pick A, two pick B
            pairwise_choose(actor=members[n], campaign_id=campaign.pk, left_id=a.pk, right_id=b.pk, outcome=outcome)
        finally:
            connections.close_all()

    # when the eight answer the same pair at the same moment
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(choose, range(8)))
    # then eight choices and eight events, and the scores count every one
    assert Choice.objects.count() == 8
    assert Event.objects.filter(verb="pairwise.chosen").count() == 8
    rows = {r.idea.pk: (r.score.wins, r.score.losses, r.appearances) for r in results(campaign)}
    assert rows == {a.pk: (6, 2, 8), b.pk: (2, 6, 8)}
