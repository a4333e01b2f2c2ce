"""Participatory budgets: ballots within the budget, refusals that change nothing, results, pages and API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from prosumo.activity.models import Event
from prosumo.budgets.models import Ballot
from prosumo.budgets.selectors import ballot_ideas, results
from prosumo.budgets.services import ballot_cast, budget_set, cost_set
from prosumo.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from prosumo.ideas.models import Campaign, Idea, Stage
from prosumo.ideas.services import vote_cast
from tests.api.conftest import error


def _ballots() -> list[tuple[int, list[int], int]]:
    return [(b.member_id, ballot_ideas(b), b.total_cents) for b in Ballot.objects.order_by("pk")]


def _ballot_events() -> list[str]:
    return list(Event.objects.filter(verb__startswith="budget.ballot").order_by("pk").values_list("verb", flat=True))


@pytest.mark.django_db
def test_a_ballot_within_the_budget_is_saved_then_changed(budgeted, costed, member):
    a, b, c = costed
    ballot_cast(actor=member, campaign_id=budgeted.slug, idea_ids=[a.pk, c.pk])
    assert _ballots() == [(member.pk, [a.pk, c.pk], 90_00)]
    ballot_cast(actor=member, campaign_id=budgeted.slug, idea_ids=[b.pk])
    assert _ballots() == [(member.pk, [b.pk], 50_00)]
    assert _ballot_events() == ["budget.ballot_cast", "budget.ballot_changed"]
    event = Event.objects.get(verb="budget.ballot_changed")
    assert (event.value, event.details) == (50_00.0, {"ideas": [b.pk], "currency": "EUR"})


@pytest.mark.django_db
def test_a_ballot_over_the_budget_is_refused_with_the_amounts_and_changes_nothing(budgeted, costed, member):
    a, b, c = costed
    ballot_cast(actor=member, campaign_id=budgeted.pk, idea_ids=[c.pk])
    with pytest.raises(InvalidInput) as caught:
        ballot_cast(actor=member, campaign_id=budgeted.pk, idea_ids=[a.pk, b.pk])
    assert caught.value.code == "over_budget"
    assert caught.value.message == "Your ballot costs 110.00 EUR, more than the budget of 100.00 EUR."
    assert _ballots() == [(member.pk, [c.pk], 30_00)]
    assert _ballot_events() == ["budget.ballot_cast"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "error_type", "code"),
    [
        ("twice", InvalidInput, "invalid"),
        ("uncosted", InvalidInput, "invalid"),
        ("declined", InvalidInput, "invalid"),
        ("closed", Conflict, "campaign_closed"),
        ("not_budget", NotFound, "not_found"),
    ],
)
def test_a_refused_ballot_changes_nothing(budgeted, costed, member, make_idea, make_campaign, change, error_type, code):
    c = costed[2]
    campaign, ideas = budgeted.pk, [c.pk]
    if change == "twice":
        ideas = [c.pk, c.pk]
    elif change == "uncosted":
        ideas = [make_idea(member, in_campaign=budgeted).pk]
    elif change == "declined":
        Idea.objects.filter(pk=c.pk).update(stage=Stage.DECLINED)
    elif change == "closed":
        Campaign.objects.filter(pk=budgeted.pk).update(ends_at=timezone.now() - timedelta(minutes=1))
    else:
        campaign = make_campaign().pk
    with pytest.raises(error_type) as caught:
        ballot_cast(actor=member, campaign_id=campaign, idea_ids=ideas)
    assert caught.value.code == code
    assert _ballots() == []
    assert _ballot_events() == []


@pytest.mark.django_db
def test_results_fund_the_most_supported_ideas_that_fit(budgeted, costed, make_member):
    # given A (60) on three ballots, B (50) on two, C (30) on one; the budget is 100
    a, b, c = costed
    for ideas in ([a.pk], [a.pk, c.pk], [a.pk], [b.pk], [b.pk]):
        ballot_cast(actor=make_member(), campaign_id=budgeted.pk, idea_ids=ideas)
    # then A is funded (40 left), B does not fit and is passed over, C (30) still fits
    rows = results(budgeted)
    assert [(r.idea.pk, r.ballots, r.cost_cents, r.funded) for r in rows] == [
        (a.pk, 3, 60_00, True),
        (b.pk, 2, 50_00, False),
        (c.pk, 1, 30_00, True),
    ]


@pytest.mark.django_db
def test_only_admins_set_budgets_and_costs_and_only_in_budget_campaigns(budgeted, costed, moderator, admin, idea):
    with pytest.raises(PermissionDenied):
        budget_set(actor=moderator, campaign_id=budgeted.pk, amount_cents=5)
    with pytest.raises(PermissionDenied):
        cost_set(actor=moderator, idea_id=costed[0].pk, amount_cents=5)
    with pytest.raises(InvalidInput) as caught:
        cost_set(actor=admin, idea_id=idea.pk, amount_cents=5)
    assert caught.value.code == "not_budget_campaign"
    with pytest.raises(InvalidInput):
        budget_set(actor=admin, campaign_id=budgeted.pk, amount_cents=0)
    with pytest.raises(InvalidInput):
        budget_set(actor=admin, campaign_id=budgeted.pk, amount_cents=5, currency="euro")
    assert budgeted.budget.amount_cents == 100_00
    assert costed[0].budget_cost.amount_cents == 60_00


@pytest.mark.django_db
def test_a_support_vote_is_refused_in_a_budget_campaign(costed, member):
    with pytest.raises(InvalidInput) as caught:
        vote_cast(actor=member, idea_id=costed[0].pk, value=1)
    assert caught.value.code == "budget_campaign"


@pytest.mark.django_db
def test_the_ballot_page_saves_and_refuses_with_a_message(login, budgeted, costed, member):
    a, b, c = costed
    client = login(member)
    page = client.get(f"/c/{budgeted.slug}/budget/")
    assert page.status_code == 200
    assert "You have 100.00 EUR to spend." in page.content.decode()
    sent = client.post(f"/c/{budgeted.slug}/budget/", {"idea": [str(a.pk), str(b.pk)]})
    assert sent.status_code == 400
    html = sent.content.decode()
    assert "Your ballot costs 110.00 EUR, more than the budget of 100.00 EUR." in html
    assert f'value="{a.pk}" checked' in html  # the member's ticks are kept
    assert _ballots() == []
    saved = client.post(f"/c/{budgeted.slug}/budget/", {"idea": [str(a.pk), str(c.pk)]})
    assert saved.status_code == 302
    assert _ballots() == [(member.pk, [a.pk, c.pk], 90_00)]
    results_page = client.get(f"/c/{budgeted.slug}/budget/results/").content.decode()
    assert f'<tr id="budget-idea-{a.pk}">' in results_page


@pytest.mark.django_db
def test_the_api_sets_the_budget_and_costs_and_takes_a_ballot(call, make_campaign, make_idea, admin, member):
    campaign = make_campaign(voting_mode="budget")
    idea = make_idea(member, in_campaign=campaign)
    assert call(
        "PUT", f"/api/campaigns/{campaign.slug}/budget", {"amount_cents": 500, "currency": "USD"}, as_member=admin
    ).json() == {
        "campaign_id": campaign.pk,
        "amount_cents": 500,
        "currency": "USD",
    }
    assert call("PUT", f"/api/ideas/{idea.pk}/cost", {"amount_cents": 400}, as_member=admin).status_code == 200
    over = call("PUT", f"/api/ideas/{idea.pk}/cost", {"amount_cents": 0}, as_member=admin)
    error(over, 400, "invalid")
    cast = call("PUT", f"/api/campaigns/{campaign.slug}/budget/ballot", {"idea_ids": [idea.pk]}, as_member=member)
    assert cast.status_code == 200, cast.content
    assert cast.json() == {
        "amount_cents": 500,
        "currency": "USD",
        "options": [{"idea_id": idea.pk, "title": idea.title, "cost_cents": 400}],
        "idea_ids": [idea.pk],
        "total_cents": 400,
    }
    assert call("GET", f"/api/campaigns/{campaign.slug}/budget/results").json() == [
        {"idea_id": idea.pk, "title": idea.title, "cost_cents": 400, "ballots": 1, "funded": True}
    ]


@pytest.mark.django_db
def test_the_api_refuses_a_ballot_over_the_budget(call, budgeted, costed, member):
    sent = call(
        "PUT", f"/api/campaigns/{budgeted.slug}/budget/ballot", {"idea_ids": [c.pk for c in costed]}, as_member=member
    )
    body = error(sent, 400, "over_budget")
    assert body["message"] == "Your ballot costs 140.00 EUR, more than the budget of 100.00 EUR."
    assert _ballots() == []


@pytest.mark.django_db
def test_an_erased_members_ballot_goes_and_the_results_stop_counting_it(budgeted, costed, member, make_member):
    from prosumo.privacy.services import member_erase

    a, b, c = costed
    other = make_member()
    ballot_cast(actor=member, campaign_id=budgeted.pk, idea_ids=[a.pk])
    ballot_cast(actor=other, campaign_id=budgeted.pk, idea_ids=[b.pk])
    member_erase(actor=member, member=member, password="correct horse 12")
    assert _ballots() == [(other.pk, [b.pk], 50_00)]
    assert {r.idea.pk: r.ballots for r in results(budgeted)} == {a.pk: 0, b.pk: 1, c.pk: 0}
