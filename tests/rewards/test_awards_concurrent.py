"""Concurrent awards never lose or double a point: PostgreSQL, parallel threads, real row locks."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection, connections
from django.db.models import Sum

from prosumo.activity.models import Event
from prosumo.rewards import selectors
from prosumo.rewards.models import Entry, Posting, Trigger
from prosumo.rewards.services import awards_for_event

pytestmark = pytest.mark.postgres_only


def in_parallel(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run every call in its own thread and database connection, all released at the same instant."""
    start = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> Any:
        try:
            start.wait()
            return call()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


@pytest.fixture
def on_postgresql(transactional_db: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(f"needs PostgreSQL row locks; DATABASE_URL points at {connection.vendor}")


def test_one_event_rewarded_from_many_threads_at_once_awards_once(on_postgresql, set_rule, make_idea, make_member):
    # given an idea accepted with its author and a co-author, under a rule worth 100 points
    from prosumo.ideas.services import coauthor_invite, coauthor_respond, stage_change

    author, coauthor, admin = make_member(), make_member(), make_member("admin")
    idea = make_idea(author)
    invited = coauthor_invite(actor=author, idea_id=idea.pk, member_id=coauthor.pk, share=40)
    coauthor_respond(actor=coauthor, coauthor_id=invited.pk, accept=True)
    stage_change(actor=admin, idea_id=idea.pk, to_stage="under_review", message="We are looking at it now.")
    stage_change(actor=admin, idea_id=idea.pk, to_stage="accepted", message="We will build this one.")
    set_rule(Trigger.IDEA_ACCEPTED, 100)
    accepted = Event.objects.get(verb="idea.stage_changed", details__to="accepted")
    # when 12 workers run the reaction for that event at the same instant (retries racing)
    made = in_parallel([lambda: awards_for_event(event=accepted)] * 12)
    # then exactly one award per contributor was made, by whichever worker came first
    assert sorted(len(m) for m in made)[-1] >= 1
    assert sum(len(m) for m in made) == 2
    assert sorted(Posting.objects.values_list("member_id", "points")) == sorted([(author.pk, 60), (coauthor.pk, 40)])
    assert Event.objects.filter(verb="reward.granted").count() == 2
    assert Entry.objects.aggregate(total=Sum("points"))["total"] == 0
    assert selectors.balances(member_ids=[author.pk, coauthor.pk]) == {author.pk: 60, coauthor.pk: 40}


def test_simultaneous_submissions_stop_exactly_at_the_daily_cap(on_postgresql, set_rule, campaign, make_member):
    # given a rule of 10 points per idea, at most 3 a day
    from prosumo.ideas.services import idea_submit

    set_rule(Trigger.IDEA_SUBMITTED, 10, daily_cap=3)
    author, other = make_member(), make_member()

    def submit(who: Any, n: int) -> Callable[[], Any]:
        return lambda: idea_submit(
            actor=who, campaign_id=campaign.pk, title=f"Tent idea number {n} with new poles", body="Poles " * 5
        )

    # when the author submits 8 ideas at the same instant, and another member 2
    in_parallel([submit(author, n) for n in range(8)] + [submit(other, n) for n in range(8, 10)])
    # then all 10 ideas exist, the author was rewarded exactly 3 times and the other member twice
    assert Event.objects.filter(verb="idea.submitted").count() == 10
    assert selectors.balances(member_ids=[author.pk, other.pk]) == {author.pk: 30, other.pk: 20}
    assert Posting.objects.count() == 5
    assert Event.objects.filter(verb="reward.granted").count() == 5
    assert Entry.objects.aggregate(total=Sum("points"))["total"] == 0


def test_the_same_sales_entered_from_many_threads_at_once_are_paid_once(on_postgresql, product, admin):
    # given a pool of 10% of net sales
    from prosumo.core.errors import InvalidInput
    from prosumo.rewards.models import Payout, SalesPeriod
    from prosumo.rewards.services import pool_open, sales_period_add

    pool = pool_open(actor=admin, idea_id=product[0].pk, kind="rate", rate_bp=1000, currency="EUR", split_rule="shares")

    def enter() -> str:
        try:
            sales_period_add(
                actor=admin, pool_id=pool.pk, starts_on="2027-01-01", ends_on="2027-01-31", net_sales_cents=100_000
            )
        except InvalidInput as exc:
            return exc.fields["starts_on"][0]
        return "entered"

    # when 8 staff sessions enter the same month's sales at the same instant
    outcomes = in_parallel([enter] * 8)
    # then one entered it, the others were told it overlaps, and the contributors were paid once
    assert sorted(outcomes) == ["entered"] + ["overlap"] * 7
    assert SalesPeriod.objects.count() == 1
    assert sorted(Payout.objects.values_list("amount_cents", flat=True)) == [2000, 2400, 5600]
    assert Event.objects.filter(verb="royalty.paid").count() == 3
