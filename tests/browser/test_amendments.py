"""An amendment in a real browser: a member proposes a change to someone else's idea, and its author accepts it.

The member edits the idea's text on the "Propose a change" page, adding a paragraph; the
author opens the amendment from the idea page, reads the change word by word with its
line breaks, and accepts it with a share; the idea then reads as amended, with the amender
among its authors. At 390 px wide both pages fit without sideways scrolling.
The walk in test_feedback_loop.py saves these pages' screenshots.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.session import PASSWORD, log_in

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

BODY = "A roofed corner of the campsite where families can cook and eat when it rains."
ADDED = "It needs a sink with running water, and a bench along the wall."
MOBILE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
WIDEST = """[...document.querySelectorAll('main *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .map(e => e.tagName + (e.id ? '#' + e.id : ''))"""


@pytest.fixture
def shelter(restore_seed_data: None, transactional_db: Any) -> Any:
    from prosumo.community.bootstrap import create_verified_member
    from prosumo.ideas.services import campaign_create, idea_submit

    admin = create_verified_member(email="admin@example.org", password=PASSWORD, role="admin", display_name="Admin")
    author = create_verified_member(email="author@example.org", password=PASSWORD, display_name="Alba Author")
    create_verified_member(email="amender@example.org", password=PASSWORD, display_name="Mo Amender")
    campaign = campaign_create(actor=admin, title="The campsite", brief="What would make the campsite better?")
    return idea_submit(actor=author, campaign_id=campaign.pk, title="A rain shelter for cooking", body=BODY)


def test_a_member_proposes_a_change_and_the_author_accepts_it(
    shelter: Any, live_server: Any, new_page: Callable[[], Any]
) -> None:
    from prosumo.ideas.models import Amendment, CoAuthor

    base = live_server.url
    # the amender proposes a change: a new paragraph
    amender = new_page()
    log_in(amender, base, "amender@example.org")
    amender.goto(f"{base}/ideas/{shelter.pk}/")
    amender.get_by_role("link", name="Propose a change").click()
    amender.get_by_label("Text").fill(f"{BODY}\n\n{ADDED}")
    amender.get_by_label("Why this change").fill("Cooking needs water")
    amender.set_viewport_size(MOBILE)
    assert amender.evaluate(WIDEST) == []
    amender.set_viewport_size(DESKTOP)
    amender.get_by_role("button", name="Propose this change").click()
    expect(amender.locator("#amendment-status")).to_contain_text("Waiting for the author")
    assert Amendment.objects.get().note == "Cooking needs water"

    # the author reads it from the idea page, with its new paragraph, and accepts it
    author = new_page()
    log_in(author, base, "author@example.org")
    author.goto(f"{base}/ideas/{shelter.pk}/")
    author.locator("#amendments").get_by_role("link", name="Cooking needs water").click()
    expect(author.locator("#amendment-diff ins")).to_have_text(ADDED)
    assert author.locator("#amendment-diff ins br").count() == 0  # the paragraph break stands before the insertion
    assert author.locator("#amendment-diff br").count() == 2
    author.set_viewport_size(MOBILE)
    assert author.evaluate(WIDEST) == []
    author.set_viewport_size(DESKTOP)
    author.get_by_label("Their share of the idea, in percent").fill("10")
    author.locator("#accept-amendment").click()
    expect(author.locator("#amendment-status")).to_contain_text("Accepted")
    expect(author.locator("#amendment-status")).to_contain_text("became revision 2")

    author.goto(f"{base}/ideas/{shelter.pk}/")
    expect(author.locator("article .card").first).to_contain_text(ADDED)
    expect(author.locator("article p.small").first).to_contain_text("Mo Amender (10%)")
    coauthor = CoAuthor.objects.get()
    assert (coauthor.member.email, coauthor.status, str(coauthor.share)) == ("amender@example.org", "accepted", "10.00")
