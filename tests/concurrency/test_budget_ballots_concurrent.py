"""Ballots sent at once keep one ballot per member, each within the budget, and every one counted (PostgreSQL)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from prosumo.activity.models import Event
from prosumo.budgets.models import Ballot
from prosumo.budgets.selectors import results
from prosumo.budgets.services import ballot_cast, budget_set, cost_set
from prosumo.ideas.services import campaign_create, idea_submit

BODY = "Pre-bent poles attached to the fabric so that the tent unfolds like an umbrella."


@pytest.mark.postgres_only
def test_simultaneous_ballots_keep_one_per_member_and_count_each(transactional_db, make_member, admin):
    if connection.vendor != "postgresql":
        pytest.skip(
            f"needs PostgreSQL row locks; DATABASE_URL points at {connection.vendor} (make test-postgres runs it)"
        )
    # given a budget of 100 and two ideas of 60 and 40; four members
    campaign = campaign_create(actor=admin, title="Budget", brief="Spend it well.", voting_mode="budget")
    budget_set(actor=admin, campaign_id=campaign.pk, amount_cents=100)
    a, b = (
        idea_submit(actor=make_member(), campaign_id=campaign.pk, title=f"A self-pitching tent {n}", body=BODY)
        for n in (1, 2)
    )
    cost_set(actor=admin, idea_id=a.pk, amount_cents=60)
    cost_set(actor=admin, idea_id=b.pk, amount_cents=40)
    members = [make_member() for _ in range(4)]
    start = threading.Barrier(8)

    def cast(n: int) -> None:
        try:
            start.wait(timeout=10)
            # each member sends two ballots at the same moment: both ideas, and A alone
            ballot_cast(actor=members[n % 4], campaign_id=campaign.pk, idea_ids=[a.pk, b.pk] if n < 4 else [a.pk])
        finally:
            connections.close_all()

    # when eight ballots arrive together
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(cast, range(8)))
    # then one ballot per member, one "cast" and one "changed" event each, and the results count the ballots kept
    assert Ballot.objects.count() == 4
    verbs = list(Event.objects.filter(verb__startswith="budget.ballot").values_list("actor_id", "verb"))
    for member in members:
        assert sorted(v for pk, v in verbs if pk == member.pk) == ["budget.ballot_cast", "budget.ballot_changed"]
    holding_b = Ballot.objects.filter(ideas=b).count()
    assert {r.idea.pk: r.ballots for r in results(campaign)} == {a.pk: 4, b.pk: holding_b}
    assert all(
        ballot.total_cents == (100 if ballot.ideas.filter(pk=b.pk).exists() else 60) for ballot in Ballot.objects.all()
    )
