"""The staff page of a budget campaign: an admin sets the budget and the costs on one form, all or nothing."""

from __future__ import annotations

import pytest

from prosumo.activity.models import Event
from prosumo.budgets.models import Budget, Cost
from prosumo.budgets.services import cents_from_text


def _stored() -> tuple[list[tuple[int, str]], dict[int, int]]:
    budgets = list(Budget.objects.values_list("amount_cents", "currency"))
    return budgets, dict(Cost.objects.values_list("idea_id", "amount_cents"))


@pytest.mark.parametrize(
    ("text", "cents"),
    [("1500", 1500_00), ("1500.5", 1500_50), ("1500,05", 1500_05), (" 1 500.00 ", 1500_00), ("0", 0)],
)
def test_amounts_are_read_as_staff_write_them(text, cents):
    assert cents_from_text(text) == cents


@pytest.mark.parametrize("text", ["", "ten", "15.001", "-5", "1e3", "1,500.00"])
def test_what_is_not_an_amount_is_none(text):
    assert cents_from_text(text) is None


@pytest.mark.django_db
def test_an_admin_sets_the_budget_and_costs_on_one_form(budgeted, costed, admin, make_idea, make_member, login):
    a, b, c = costed
    new = make_idea(make_member(), in_campaign=budgeted, title="A fire pit", body="A fire pit for the evenings.")
    client = login(admin)
    page = client.get(f"/staff/campaigns/{budgeted.pk}/budget/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="amount" value="100.00"' in html
    assert f'name="cost_{a.pk}" value="60.00"' in html
    assert f'aria-label="Cost of “{new.title}”"' in html
    before = Event.objects.filter(verb__startswith="budget.").count()
    sent = client.post(
        f"/staff/campaigns/{budgeted.pk}/budget/",
        {
            "amount": "150",
            "currency": "eur",
            f"cost_{a.pk}": "60.00",
            f"cost_{b.pk}": "45,5",
            f"cost_{c.pk}": "30",
            f"cost_{new.pk}": "12.5",
        },
    )
    assert (sent.status_code, sent["Location"]) == (302, f"/staff/campaigns/{budgeted.pk}/budget/")
    assert _stored() == ([(150_00, "EUR")], {a.pk: 60_00, b.pk: 45_50, c.pk: 30_00, new.pk: 12_50})
    # only what changed wrote an event: the budget, B and the new idea
    verbs = list(
        Event.objects.filter(verb__startswith="budget.").order_by("pk")[before:].values_list("verb", "object_id")
    )
    assert verbs == [("budget.set", budgeted.pk), ("budget.cost_set", b.pk), ("budget.cost_set", new.pk)]
    assert "Budget and costs saved." in client.get(sent["Location"]).content.decode()


@pytest.mark.django_db
def test_a_wrong_amount_saves_nothing_and_says_where(budgeted, costed, admin, login):
    a, b, _ = costed
    before = (_stored(), Event.objects.filter(verb__startswith="budget.").count())
    page = login(admin).post(
        f"/staff/campaigns/{budgeted.pk}/budget/",
        {"amount": "200", "currency": "EURO", f"cost_{a.pk}": "10", f"cost_{b.pk}": "ten"},
    )
    assert page.status_code == 400
    html = page.content.decode()
    assert "A currency is three capital letters, such as EUR." in html
    assert "Write an amount such as 1500 or 1500.50, at least 0.01." in html
    assert f'name="cost_{b.pk}" value="ten"' in html  # what they wrote stays to correct
    assert (_stored(), Event.objects.filter(verb__startswith="budget.").count()) == before


@pytest.mark.django_db
def test_only_admins_reach_the_page_and_only_for_a_budget_campaign(budgeted, make_campaign, make_member, login, admin):
    path = f"/staff/campaigns/{budgeted.pk}/budget/"
    assert login(make_member()).get(path).status_code == 404
    assert login(make_member("reviewer")).get(path).status_code == 403
    assert login(make_member("reviewer")).post(path, {"amount": "1", "currency": "EUR"}).status_code == 403
    assert login(admin).get(f"/staff/campaigns/{make_campaign().pk}/budget/").status_code == 404
    assert Budget.objects.get().amount_cents == 100_00


@pytest.mark.django_db
def test_the_campaign_list_leads_to_the_budget_page(budgeted, make_campaign, admin, login):
    other = make_campaign()
    html = login(admin).get("/staff/campaigns/").content.decode()
    assert f'href="/staff/campaigns/{budgeted.pk}/budget/"' in html
    assert f'href="/staff/campaigns/{other.pk}/budget/"' not in html
