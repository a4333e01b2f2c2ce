"""Concurrent spends and corrections never take a member below zero: PostgreSQL, parallel threads, real row locks."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Sum

from prosumo.activity.models import Event
from prosumo.core.errors import InvalidInput
from prosumo.rewards import selectors
from prosumo.rewards.models import Entry, Posting, Trigger
from prosumo.rewards.services import points_correct, points_spend
from tests.rewards.test_awards_concurrent import in_parallel, on_postgresql

__all__ = ["on_postgresql"]

pytestmark = pytest.mark.postgres_only


@pytest.fixture
def rewarded(on_postgresql: Any, set_rule: Any, make_idea: Any, make_member: Any) -> Any:
    """A member with 10 points, for submitting an idea."""
    set_rule(Trigger.IDEA_SUBMITTED, 10)
    member = make_member()
    make_idea(member)
    assert selectors.balance(member_id=member.pk) == 10
    return member


def test_simultaneous_spends_stop_exactly_at_the_balance(rewarded, admin):
    def spend() -> str:
        try:
            points_spend(actor=admin, member_id=rewarded.pk, points=3, reason="Tent bag")
        except InvalidInput as exc:
            return exc.fields["points"][0]
        return "spent"

    # when 8 staff sessions each spend 3 of the member's 10 points at the same instant
    outcomes = in_parallel([spend] * 8)
    # then exactly three spends went through, the others were refused, and 1 point is left
    assert sorted(outcomes) == ["insufficient"] * 5 + ["spent"] * 3
    assert selectors.balance(member_id=rewarded.pk) == 1
    assert Posting.objects.filter(kind="spend").count() == 3
    assert Event.objects.filter(verb="reward.spent").count() == 3
    assert Entry.objects.aggregate(total=Sum("points"))["total"] == 0


def test_simultaneous_corrections_never_take_a_balance_below_zero(rewarded, admin):
    award = Posting.objects.get()

    def correct() -> str:
        try:
            points_correct(actor=admin, posting_id=award.pk, points=-4, note="Counted twice")
        except InvalidInput as exc:
            return exc.fields["points"][0]
        return "corrected"

    # when 6 corrections of -4 arrive at once for a member with 10 points
    outcomes = in_parallel([correct] * 6)
    # then two went through and 2 points are left
    assert sorted(outcomes) == ["corrected"] * 2 + ["insufficient"] * 4
    assert selectors.balance(member_id=rewarded.pk) == 2
    assert list(Posting.objects.filter(kind="correction").values_list("corrects_id", flat=True)) == [award.pk] * 2
