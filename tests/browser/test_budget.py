"""A participatory budget ballot in a real browser: refused over the budget with its message, then saved.

Staff set up the campaign, its budget and costs through the services; the member ticks
ideas on the ballot page, is told by how much the ballot is over, changes it and saves it,
then reads the results. At 390 px wide the ballot fits without sideways scrolling.
The walk in test_feedback_loop.py saves these pages' screenshots; this one saves the staff page's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.layout import OVERFLOW
from tests.browser.session import PASSWORD, log_in

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

BODY = "A roofed corner of the campsite where families can cook and eat when it rains."
MOBILE = {"width": 390, "height": 844}
WIDEST = """[...document.querySelectorAll('main *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .map(e => e.tagName + (e.id ? '#' + e.id : ''))"""


@pytest.fixture
def budget(restore_seed_data: None, transactional_db: Any) -> dict[str, Any]:
    from prosumo.budgets.services import budget_set, cost_set
    from prosumo.community.bootstrap import create_verified_member
    from prosumo.ideas.services import campaign_create, idea_submit

    admin = create_verified_member(email="admin@example.org", password=PASSWORD, role="admin", display_name="Admin")
    create_verified_member(email="member@example.org", password=PASSWORD, display_name="Sam Member")
    campaign = campaign_create(
        actor=admin, title="The campsite fund", brief="Spend 1,000 EUR on the campsite.", voting_mode="budget"
    )
    budget_set(actor=admin, campaign_id=campaign.pk, amount_cents=1000_00, currency="EUR")
    ideas = []
    for title, cents in (("A rain shelter for cooking", 700_00), ("Hot showers", 500_00), ("A bike rack", 200_00)):
        idea = idea_submit(actor=admin, campaign_id=campaign.pk, title=title, body=BODY)
        cost_set(actor=admin, idea_id=idea.pk, amount_cents=cents)
        ideas.append(idea)
    return {"campaign": campaign, "ideas": ideas}


def test_a_member_is_refused_over_the_budget_then_saves_a_ballot(
    budget: dict[str, Any], live_server: Any, new_page: Callable[[], Any]
) -> None:
    from prosumo.budgets.models import Ballot

    base, slug = live_server.url, budget["campaign"].slug
    shelter, showers, rack = budget["ideas"]
    page = new_page()
    log_in(page, base, "member@example.org")

    page.goto(f"{base}/c/{slug}/")
    page.get_by_role("link", name="Your ballot").click()
    expect(page.locator("#budget-intro")).to_contain_text("You have 1,000.00 EUR to spend.")
    # over the budget: refused with both amounts, the ticks kept, nothing saved
    page.get_by_label(re.compile("A rain shelter for cooking")).check()
    page.get_by_label(re.compile("Hot showers")).check()
    page.get_by_role("button", name="Cast my ballot").click()
    expect(page.locator("#ballot-error")).to_have_text(
        "Your ballot costs 1,200.00 EUR, more than the budget of 1,000.00 EUR."
    )
    expect(page.get_by_label(re.compile("Hot showers"))).to_be_checked()
    assert Ballot.objects.count() == 0
    # within it: saved
    page.get_by_label(re.compile("Hot showers")).uncheck()
    page.get_by_label(re.compile("A bike rack")).check()
    page.get_by_role("button", name="Cast my ballot").click()
    expect(page.locator("#ballot-saved")).to_be_visible()
    ballot = Ballot.objects.get()
    assert (sorted(ballot.ideas.values_list("pk", flat=True)), ballot.total_cents) == (
        sorted([shelter.pk, rack.pk]),
        900_00,
    )
    page.set_viewport_size(MOBILE)
    assert page.evaluate(WIDEST) == []

    page.get_by_role("link", name="See the results").click()
    expect(page.locator(f"#budget-idea-{shelter.pk}")).to_contain_text("Funded")
    expect(page.locator(f"#budget-idea-{showers.pk}")).not_to_contain_text("Funded")
    assert page.evaluate(WIDEST) == []


def test_an_admin_sets_the_budget_and_costs_on_the_staff_page(
    budget: dict[str, Any], live_server: Any, new_page: Callable[[], Any], screenshot: Callable[[Any, str], Any]
) -> None:
    from prosumo.budgets.models import Budget, Cost

    base, campaign = live_server.url, budget["campaign"]
    shelter, showers, _ = budget["ideas"]
    page = new_page()
    log_in(page, base, "admin@example.org")
    page.goto(f"{base}/staff/campaigns/")
    page.locator(f"#budget-{campaign.pk}").click()
    expect(page.get_by_label("Budget:", exact=True)).to_have_value("1000.00")
    # a wrong amount: marked beside its field, nothing saved
    page.get_by_label("Cost of “Hot showers”").fill("five hundred")
    page.get_by_role("button", name="Save budget and costs").click()
    expect(page.locator("#budget-form")).to_contain_text("Write an amount such as 1500 or 1500.50")
    assert Cost.objects.get(idea=showers).amount_cents == 500_00
    # corrected, with a larger budget: saved
    page.get_by_label("Budget:", exact=True).fill("1200")
    page.get_by_label("Cost of “Hot showers”").fill("450,50")
    page.get_by_role("button", name="Save budget and costs").click()
    expect(page.locator("body")).to_contain_text("Budget and costs saved.")
    assert (Budget.objects.get().amount_cents, Cost.objects.get(idea=showers).amount_cents) == (1200_00, 450_50)
    expect(page.get_by_label(f"Cost of “{shelter.title}”")).to_have_value("700.00")
    screenshot(page, "staff-budget")
    # on a phone the costs table fits the screen: nothing passes its right edge
    page.set_viewport_size(MOBILE)
    assert page.evaluate(OVERFLOW) == [], "what passes 390 px"
    screenshot(page, "staff-budget-mobile")
