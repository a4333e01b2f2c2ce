"""The points ledger: double entry, append-only, balances summed from entries, corrections as new postings."""

from __future__ import annotations

import pytest
from django.db.models import Sum

from prosumo.activity.models import Event
from prosumo.core.errors import InvalidInput, PermissionDenied
from prosumo.ideas.services import stage_change
from prosumo.rewards import selectors
from prosumo.rewards.models import AppendOnlyError, Entry, Posting, PostingKind, Trigger
from prosumo.rewards.services import points_correct, points_spend
from tests.rewards.conftest import ledger_rows


@pytest.fixture
def rewarded(set_rule, make_idea, member):
    """A member with 30 points: 10 for submitting, 20 for acceptance."""
    set_rule(Trigger.IDEA_SUBMITTED, 10)
    set_rule(Trigger.IDEA_ACCEPTED, 20)
    return member


def accept(admin, idea, after_commit):
    with after_commit():
        stage_change(actor=admin, idea_id=idea.pk, to_stage="under_review", message="We are looking at it now.")
    with after_commit():
        stage_change(actor=admin, idea_id=idea.pk, to_stage="accepted", message="We will build this one.")


@pytest.mark.django_db
def test_every_posting_has_two_legs_that_add_up_to_zero(rewarded, make_idea, admin, after_commit):
    idea = make_idea(rewarded)
    accept(admin, idea, after_commit)
    postings = list(Posting.objects.order_by("id"))
    assert [(p.kind, p.reason, p.points) for p in postings] == [
        ("award", "idea_submitted", 10),
        ("award", "idea_accepted", 20),
    ]
    for posting in postings:
        legs = sorted(Entry.objects.filter(posting=posting).values_list("account__kind", "points"))
        assert legs == [("issued", -posting.points), ("member", posting.points)]
    assert Entry.objects.aggregate(total=Sum("points"))["total"] == 0
    assert selectors.balance(member_id=rewarded.pk) == 30
    assert selectors.site_totals() == {"member": 30, "issued": -30, "spent": 0}


@pytest.mark.django_db
def test_a_spend_moves_points_to_the_spent_account_and_writes_its_event(rewarded, make_idea, admin):
    make_idea(rewarded)
    posting = points_spend(actor=admin, member_id=rewarded.pk, points=4, reason="Tent bag", note="Sent by post")
    assert (posting.kind, posting.points, posting.reason, posting.created_by_id) == ("spend", -4, "Tent bag", admin.pk)
    assert selectors.balance(member_id=rewarded.pk) == 6
    assert selectors.earned(member_id=rewarded.pk) == 10
    assert selectors.site_totals() == {"member": 6, "issued": -10, "spent": 4}
    event = Event.objects.get(verb="reward.spent")
    assert (event.actor_id, event.target_member_id, event.value, event.details) == (
        admin.pk,
        rewarded.pk,
        4.0,
        {"reason": "Tent bag", "posting": posting.pk},
    )


@pytest.mark.django_db
def test_spending_more_than_the_balance_is_refused_and_writes_nothing(rewarded, make_idea, admin):
    make_idea(rewarded)
    before = ledger_rows()
    with pytest.raises(InvalidInput, match="has 10 points: not enough to spend 11") as caught:
        points_spend(actor=admin, member_id=rewarded.pk, points=11, reason="Tent bag")
    assert caught.value.fields == {"points": ["insufficient"]}
    assert ledger_rows() == before
    assert not Event.objects.filter(verb="reward.spent").exists()


@pytest.mark.django_db
def test_a_correction_is_a_new_posting_that_points_at_the_one_it_corrects(rewarded, make_idea, admin):
    make_idea(rewarded)
    award = Posting.objects.get()
    correction = points_correct(actor=admin, posting_id=award.pk, points=-10, note="Duplicate of idea 3")
    # the award is as it was; the correction sits beside it
    award.refresh_from_db()
    assert (award.kind, award.points) == ("award", 10)
    assert (correction.kind, correction.points, correction.corrects_id, correction.reason) == (
        "correction",
        -10,
        award.pk,
        "idea_submitted",
    )
    assert selectors.balance(member_id=rewarded.pk) == 0
    assert selectors.earned(member_id=rewarded.pk) == 0
    event = Event.objects.get(verb="reward.corrected")
    assert (event.value, event.target_member_id, event.details["corrects"]) == (-10.0, rewarded.pk, award.pk)


@pytest.mark.django_db
def test_a_correction_below_zero_is_refused(rewarded, make_idea, admin):
    make_idea(rewarded)
    award = Posting.objects.get()
    before = ledger_rows()
    with pytest.raises(InvalidInput, match="cannot take them below zero"):
        points_correct(actor=admin, posting_id=award.pk, points=-11, note="Too much")
    with pytest.raises(InvalidInput, match="Say why"):
        points_correct(actor=admin, posting_id=award.pk, points=-1, note="  ")
    assert ledger_rows() == before


@pytest.mark.django_db
def test_only_an_admin_spends_or_corrects(rewarded, make_idea, moderator):
    make_idea(rewarded)
    award = Posting.objects.get()
    before = ledger_rows()
    with pytest.raises(PermissionDenied):
        points_spend(actor=moderator, member_id=rewarded.pk, points=1, reason="Tent bag")
    with pytest.raises(PermissionDenied):
        points_correct(actor=rewarded, posting_id=award.pk, points=5, note="More please")
    assert ledger_rows() == before


@pytest.mark.django_db
def test_the_models_refuse_to_change_or_delete_a_ledger_row(rewarded, make_idea):
    make_idea(rewarded)
    posting = Posting.objects.get()
    entry = Entry.objects.filter(posting=posting).first()
    before = ledger_rows()
    posting.points = 1000
    with pytest.raises(AppendOnlyError):
        posting.save()
    with pytest.raises(AppendOnlyError):
        posting.delete()
    with pytest.raises(AppendOnlyError):
        Posting.objects.filter(pk=posting.pk).update(points=1000)
    with pytest.raises(AppendOnlyError):
        Entry.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        entry.save()
    assert ledger_rows() == before


@pytest.mark.django_db
def test_on_postgresql_the_database_refuses_an_edit_that_skips_the_models(rewarded, make_idea):
    from django.db import DatabaseError, connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("the trigger is PostgreSQL's; the models refuse it on every database")
    make_idea(rewarded)
    before = ledger_rows()
    for sql in ("UPDATE rewards_posting SET points = 1000", "DELETE FROM rewards_entry"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert ledger_rows() == before


@pytest.mark.django_db
def test_balances_and_history_read_in_one_query_each(rewarded, make_idea, member, django_assert_num_queries):
    make_idea(rewarded)
    make_idea(rewarded, title="A second tent that packs into its own pocket")
    with django_assert_num_queries(1):
        assert selectors.balance(member_id=rewarded.pk) == 20
    with django_assert_num_queries(1):
        assert selectors.balances(member_ids=[rewarded.pk, 999_999]) == {rewarded.pk: 20, 999_999: 0}
    with django_assert_num_queries(1):
        found = selectors.history(member_id=rewarded.pk)
    assert [(p.kind, p.points) for p in found] == [(PostingKind.AWARD, 10), (PostingKind.AWARD, 10)]
