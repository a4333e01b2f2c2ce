"""axe-core on the main pages, signed out, as a member and as staff, in English and in Spanish.

One browser context per role and language (its own cookies: one person, who picks the
language in the header), each page opened, and axe-core run on it in the page
itself (axe-playwright-python ships its script, so no network is needed). The test fails
on any violation axe rates serious or critical, and lists each with the page, the rule
and the elements at fault. docs/contributing.md, "Accessibility", says how to read one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from tests.browser.session import PASSWORD, log_in

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

BODY = "A strap that holds the paddle on the deck, so that both hands are free to take a photo."
SERIOUS = {"serious", "critical"}
# Rules axe rates moderate that the site holds as strictly: headings in order, one h1, one main.
ALSO = {"heading-order", "page-has-heading-one", "landmark-one-main", "landmark-unique"}
# The rules of WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's own best practices.
RULES = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]}
}


@pytest.fixture
def community(restore_seed_data: None, transactional_db: Any) -> dict[str, Any]:
    from prosumo.budgets.services import budget_set, cost_set
    from prosumo.community.bootstrap import create_verified_member
    from prosumo.ideas.services import amendment_accept, amendment_propose, campaign_create, idea_submit, vote_cast
    from prosumo.insights.models import InsightRun

    admin = create_verified_member(email="admin@example.org", password=PASSWORD, role="admin", display_name="Ada Admin")
    member = create_verified_member(email="member@example.org", password=PASSWORD, display_name="Sam Member")
    campaign = campaign_create(actor=admin, title="Kayak accessories", brief="What would make **paddling** easier?")
    own = idea_submit(actor=member, campaign_id=campaign.pk, title="A dry bag that clips on", body=BODY)
    idea = idea_submit(actor=admin, campaign_id=campaign.pk, title="A paddle strap on the deck", body=BODY)
    vote_cast(actor=member, idea_id=idea.pk, value=1)
    pairwise = campaign_create(actor=admin, title="Light in the tent", brief="Which light?", voting_mode="pairwise")
    for title in ("A lantern that hangs from the roof", "A strip of lights along the seams"):
        idea_submit(actor=admin, campaign_id=pairwise.pk, title=title, body=BODY)
    budget = campaign_create(actor=admin, title="The campsite fund", brief="Spend 1,000 EUR.", voting_mode="budget")
    budget_set(actor=admin, campaign_id=budget.pk, amount_cents=1000_00, currency="EUR")
    for title, cents in (("A rain shelter for cooking", 700_00), ("Hot showers", 500_00)):
        shelter = idea_submit(actor=admin, campaign_id=budget.pk, title=title, body=BODY)
        cost_set(actor=admin, idea_id=shelter.pk, amount_cents=cents)
    # an amendment waiting for the idea's author (the admin), and one the member accepted on their own idea
    amender = create_verified_member(email="amender@example.org", password=PASSWORD, display_name="Amy Amender")
    waiting = amendment_propose(actor=amender, idea_id=idea.pk, title=idea.title, body=f"{BODY}\n\nWith a clip.")
    accepted = amendment_propose(actor=amender, idea_id=own.pk, title=own.title, body=f"{BODY}\n\nRoll-top.")
    amendment_accept(actor=member, amendment_id=accepted.pk)
    # an Insights run with a table and a chart, as the staff read one
    now = timezone.now()
    chart = {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "mark": "bar",
        "data": {"values": [{"a": 1}]},
    }
    chart |= {"encoding": {"x": {"field": "a", "type": "quantitative"}}}
    table = [{"channel": "newsletter", "members": 12}, {"channel": "referral", "members": 3}]
    section = {"key": "overview", "title": "overview", "headline": {"members": 2}, "charts": [chart], "notes": []}
    section["tables"] = {"channels": table}
    insights = InsightRun.objects.create(
        filter_key="all", status=InsightRun.Status.DONE, started_at=now, finished_at=now, result={"sections": [section]}
    )
    return {
        "campaign": campaign,
        "idea": idea,
        "own": own,
        "member": member,
        "pairwise": pairwise,
        "budget": budget,
        "insights": insights,
        "amendments": [waiting, accepted],
    }


def _pages(community: dict[str, Any], role: str) -> list[str]:
    """The main pages each role reaches, as paths."""
    slug, idea, own = community["campaign"].slug, community["idea"].pk, community["own"].pk
    pairwise, budget = community["pairwise"].slug, community["budget"].slug
    public = [
        "/",
        "/campaigns/",
        f"/c/{slug}/",
        f"/ideas/{idea}/",
        f"/ideas/{idea}/revisions/",
        f"/members/{community['member'].pk}/",
        f"/c/{pairwise}/pairs/results/",
        f"/c/{budget}/budget/results/",
        "/rewards/leaderboard/",
        *(f"/ideas/{a.idea_id}/amendments/{a.pk}/" for a in community["amendments"]),
    ]
    if role == "anonymous":
        return [*public, "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]
    member = [
        *public,
        f"/c/{slug}/submit/",
        f"/ideas/{own}/",
        f"/ideas/{own}/revise/",
        "/me/",
        "/me/data/",
        "/accounts/email/",
        "/notifications/",
        f"/c/{pairwise}/pairs/",
        f"/c/{budget}/budget/",
        "/rewards/",
        "/surveys/",
        "/outreach/",
    ]
    if role == "member":
        return [*member, f"/ideas/{idea}/amend/"]  # staff revise ideas themselves, and propose no amendments
    return [
        *member,
        "/staff/queue/",
        "/staff/duplicates/",
        "/staff/moderation/",
        "/staff/invite/",
        "/staff/import/",
        "/staff/campaigns/",
        "/staff/campaigns/new/",
        f"/staff/campaigns/{community['campaign'].pk}/edit/",
        "/staff/insights/",
        f"/staff/insights/{community['insights'].pk}/overview/",
        "/staff/insights/worth/",
        "/staff/rewards/",
        "/staff/rewards/ledger/",
        "/staff/royalties/",
        "/staff/surveys/",
        "/staff/outreach/",
        "/staff/spend/",
        "/staff/orders/",
        f"/staff/ideas/{idea}/prior-art/",
    ]


def _serious(results: Any) -> list[str]:
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] in SERIOUS or violation["id"] in ALSO:
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]][:5]
            found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return found


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("role", ["anonymous", "member", "staff"])
def test_the_main_pages_have_no_serious_accessibility_violation(
    role: str, language: str, community: dict[str, Any], live_server: Any, new_page: Callable[[], Any]
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe, base = Axe(), live_server.url
    page = new_page()
    if role != "anonymous":
        log_in(page, base, "admin@example.org" if role == "staff" else "member@example.org")
    if language != "en":
        # the header's language picker: for a signed-in member it also sets the profile's language
        page.goto(base + "/")
        with page.expect_navigation():
            page.select_option("select[name=language]", language)
    failures: dict[str, list[str]] = {}
    titles: set[str] = set()
    for path in _pages(community, role):
        response = page.goto(base + path)
        assert response is not None
        assert response.status == 200, (path, response.status)
        assert page.locator("html").get_attribute("lang") == language
        titles.add(page.title())
        found = _serious(axe.run(page, options=RULES))
        if found:
            failures[path] = found
    assert failures == {}, "\n".join(
        f"{language} {where}: {found}" for where, founds in failures.items() for found in founds
    )
    # every page has a title of its own
    assert len(titles) == len(_pages(community, role)), titles
    assert not any(re.fullmatch(r"Prosumo", title) for title in titles)
