"""A phone (390x844): the vote box and "Submit an idea" on the first screen, and a header on one line.

A member with a full header (every link a member has) opens a campaign with a long brief
and several ideas, then one idea with comments; the measures are the browser's own
(getBoundingClientRect). Before this, the vote box sat at 2,810 px and "Submit an idea"
at 6,099 px, below the idea list and the comments, and the header was 477 px wide.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.session import PASSWORD, log_in

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

PHONE = {"width": 390, "height": 844}
BODY = (
    "A lantern that hangs from the roof of the tent on a short strap, so that a family can read and "
    "play cards after dark. It folds flat, charges from a small solar panel during the day, and has a "
    "warm light that does not wake the children.\n\n" * 3
)
# Whether the links, buttons and picker of the header's first bar share one line, and how wide the page is.
HEADER = """(() => {
  const bar = document.querySelector('header.site .bar');
  const items = [...bar.querySelectorAll('a, button, select')].filter(e => e.getClientRects().length);
  const boxes = items.map(e => e.getBoundingClientRect());
  // one line: some height is inside every item's box (the lowest top is above the highest bottom)
  return {oneLine: Math.max(...boxes.map(b => b.top)) < Math.min(...boxes.map(b => b.bottom)), items: items.length,
          barWidth: Math.round(bar.getBoundingClientRect().width),
          pageWidth: document.documentElement.scrollWidth,
          height: Math.round(document.querySelector('header.site').getBoundingClientRect().height)};
})()"""


@pytest.fixture
def lanterns(restore_seed_data: None, transactional_db: Any) -> dict[str, Any]:
    from prosumo.community.bootstrap import create_verified_member
    from prosumo.ideas.services import campaign_create, comment_post, idea_submit

    admin = create_verified_member(email="admin@example.org", password=PASSWORD, role="admin", display_name="Admin")
    member = create_verified_member(email="member@example.org", password=PASSWORD, display_name="Samantha Member")
    campaign = campaign_create(actor=admin, title="Light in the tent", brief=BODY, support_threshold=10)
    ideas = [
        idea_submit(actor=admin, campaign_id=campaign.pk, title=f"A lantern, model {n}", body=BODY) for n in range(8)
    ]
    for n in range(6):
        comment_post(actor=member, idea_id=ideas[0].pk, body=f"Comment {n}: {BODY}")
    return {"campaign": campaign, "idea": ideas[0]}


def _bottom(page: Any, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return float(box["y"] + box["height"])


def test_on_a_phone_the_main_actions_are_on_the_first_screen_and_the_header_on_one_line(
    lanterns: dict[str, Any], live_server: Any, new_page: Callable[[], Any], screenshot: Callable[[Any, str], Any]
) -> None:
    base = live_server.url
    page = new_page()
    page.set_viewport_size(PHONE)
    log_in(page, base, "member@example.org")

    # the campaign page: "Submit an idea" on the first screen
    page.goto(f"{base}/c/{lanterns['campaign'].slug}/")
    submit = page.get_by_role("link", name="Submit an idea")
    assert _bottom(page, "main a.btn[href$='/submit/']") <= PHONE["height"]
    assert submit.is_visible()
    header = page.evaluate(HEADER)
    screenshot(page, "campaign-mobile")

    # the idea page: the vote box and its button on the first screen
    page.goto(f"{base}/ideas/{lanterns['idea'].pk}/")
    assert _bottom(page, "#support") <= PHONE["height"]
    assert page.locator("#vote-box").bounding_box()["y"] < PHONE["height"]  # type: ignore[index]
    screenshot(page, "idea-mobile")

    # the header: every link on one line, nothing wider than the phone
    assert header["oneLine"] is True, header
    assert header["items"] == 11, header  # the brand, eight links, "Log out" and the language picker
    assert header["barWidth"] <= PHONE["width"], header
    assert header["pageWidth"] <= PHONE["width"], header
    assert page.evaluate(HEADER)["pageWidth"] <= PHONE["width"]
