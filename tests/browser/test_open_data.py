"""Publishing the open data in a real browser: an admin prepares and publishes it, a visitor downloads it."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.session import PASSWORD, log_in

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


@pytest.fixture
def site(restore_seed_data: None, transactional_db: Any) -> None:
    from prosumo.community.bootstrap import create_verified_member
    from prosumo.ideas.services import campaign_create, idea_submit

    admin = create_verified_member(email="admin@example.org", password=PASSWORD, role="admin", display_name="Admin")
    campaign = campaign_create(actor=admin, title="The campsite", brief="What would make camping better?")
    idea_submit(
        actor=admin,
        campaign_id=campaign.pk,
        title="A rain shelter for cooking",
        body="A roofed corner of the campsite where families can cook and eat when it rains.",
    )


def test_an_admin_publishes_the_open_data_and_a_visitor_downloads_it(
    site: None, live_server: Any, new_page: Callable[[], Any], tmp_path: Any
) -> None:
    base = live_server.url
    staff = new_page()
    log_in(staff, base, "admin@example.org")
    staff.goto(f"{base}/staff/insights/open-data/")
    staff.get_by_label("Licence").fill("ODbL 1.0")
    staff.get_by_role("button", name="Prepare").click()
    expect(staff.locator("#open-data-releases")).to_contain_text("ODbL 1.0")
    staff.locator("#open-data-releases").get_by_role("button", name="Publish").click()
    expect(staff.locator("#open-data-releases")).to_contain_text("Published")

    visitor = new_page()
    visitor.goto(f"{base}/open-data/")
    expect(visitor.locator("#open-data-licence")).to_have_text("ODbL 1.0")
    with visitor.expect_download() as info:
        visitor.locator("#open-data-download").click()
    saved = tmp_path / "open-data.zip"
    info.value.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        assert "Licence: ODbL 1.0" in archive.read("open-data/LICENCE.txt").decode()

    staff.get_by_role("button", name="Unpublish").click()
    visitor.goto(f"{base}/open-data/")
    expect(visitor.locator("#open-data")).to_contain_text("No open data is published")
