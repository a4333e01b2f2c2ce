"""A pairwise session in a real browser: three answers from the keyboard, the results, and the mobile width.

Staff set up the campaign and three ideas through the services; the member answers with
the arrow keys alone (left, right, down for "can't decide"), as the page tells them, and
reads the results. At 390 px wide both ideas and "can't decide" fit the first screen and
nothing scrolls sideways. The walk in test_feedback_loop.py saves these pages' screenshots.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.session import PASSWORD, log_in

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

BODY = "Hang it from the roof of the tent so that a family can read and play cards after dark."
MOBILE = {"width": 390, "height": 844}
# The elements of the page's own content (not the site's header) whose right edge passes the screen's.
WIDEST = """[...document.querySelectorAll('main *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .map(e => e.tagName + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : ''))"""


@pytest.fixture
def pairs(restore_seed_data: None, transactional_db: Any) -> dict[str, Any]:
    from prosumo.community.bootstrap import create_verified_member
    from prosumo.ideas.services import campaign_create, idea_submit

    admin = create_verified_member(email="admin@example.org", password=PASSWORD, role="admin", display_name="Admin")
    member = create_verified_member(email="member@example.org", password=PASSWORD, display_name="Sam Member")
    campaign = campaign_create(
        actor=admin, title="Light in the tent", brief="Which light would you take?", voting_mode="pairwise"
    )
    ideas = [
        idea_submit(actor=admin, campaign_id=campaign.pk, title=title, body=BODY)
        for title in (
            "A lantern that hangs from the roof",
            "A strip of lights along the seams",
            "A torch with a red mode",
        )
    ]
    return {"campaign": campaign, "member": member, "ideas": ideas}


def test_a_member_answers_pairs_with_the_keyboard_and_reads_the_results(
    pairs: dict[str, Any], live_server: Any, new_page: Callable[[], Any]
) -> None:
    from prosumo.pairwise.models import Choice

    base, slug = live_server.url, pairs["campaign"].slug
    page = new_page()
    log_in(page, base, "member@example.org")

    # the campaign page leads to the pairs
    page.goto(f"{base}/c/{slug}/")
    page.get_by_role("link", name="Compare ideas").click()
    expect(page).to_have_title(re.compile("Which idea is better"))
    expect(page.locator("#pairwise-answered")).to_have_text("You have answered 0 pairs.")

    # three answers from the keyboard: left, right, can't decide
    shown = []
    for key, count in (("ArrowLeft", 1), ("ArrowRight", 2), ("ArrowDown", 3)):
        shown.append(
            (
                int(page.locator("input[name=left_id]").get_attribute("value") or 0),
                int(page.locator("input[name=right_id]").get_attribute("value") or 0),
            )
        )
        page.keyboard.press(key)
        expect(page.locator("#pairwise-answered")).to_contain_text(f"You have answered {count} pair")
    choices = list(Choice.objects.order_by("pk").values_list("left_id", "right_id", "outcome", "winner_id"))
    assert choices == [
        (shown[0][0], shown[0][1], "left", shown[0][0]),
        (shown[1][0], shown[1][1], "right", shown[1][1]),
        (shown[2][0], shown[2][1], "cant_decide", None),
    ]

    # on a phone both ideas and "can't decide" are on the first screen, and nothing scrolls sideways
    page.set_viewport_size(MOBILE)
    page.reload()
    for button in ("#pick-left", "#pick-right", "#pick-neither"):
        box = page.locator(button).bounding_box()
        assert box is not None
        assert box["y"] + box["height"] <= MOBILE["height"], button
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= MOBILE["width"], button
        # the idea's title and text fit inside its button
        assert page.locator(button).evaluate("b => b.scrollHeight <= b.clientHeight"), button
    assert page.evaluate(WIDEST) == [], "what sticks out at 390 px"

    # the results: every idea with its score
    page.get_by_role("link", name="See the results").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Results of Light in the tent")
    expect(page.locator("#pairwise-results tbody tr")).to_have_count(3)
    assert page.evaluate(WIDEST) == []
