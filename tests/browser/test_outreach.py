"""Co-produced messages in a real browser, from the brief to the experiment's counts, mail through a real SMTP server.

Staff open a brief on its page; one member proposes a message and another improves it and
votes for it; staff shortlist it, add the company's own message, add an email channel and
run an experiment of the two messages over email to a segment. Each member of the segment
gets one email (read from the aiosmtpd server) with their own tracked link; two of the
three open it, and the experiment's page counts two exposures. Only the members of the
segment and the channel are set up through the services.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.session import PASSWORD, log_in
from tests.browser.smtp import Mailbox, text_of

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

DRAFT = "Sleep under the stars, dry."
IMPROVED = "Sleep under the stars, warm and dry."
COMPANY = "Our tent, your night out."


@pytest.fixture
def community(restore_seed_data: None, transactional_db: Any, settings: Any, tmp_path: Path) -> dict[str, Any]:
    """An admin, and a segment of three members: the writer, the improver and one more."""
    from prosumo.community.bootstrap import create_verified_member
    from prosumo.community.models import Segment

    settings.PROSUMO_PROVENANCE_KEY_FILE = tmp_path / "provenance.pem"
    gold = Segment.objects.create(name="Gold", slug="gold")
    admin = create_verified_member(email="admin@example.org", password=PASSWORD, role="admin", display_name="Admin")
    members = [
        create_verified_member(email=f"{name.lower()}@example.org", password=PASSWORD, display_name=name, segment=gold)
        for name in ("Ana", "Ben", "Cleo")
    ]
    return {"admin": admin, "members": members, "segment": gold}


def test_members_co_write_a_message_and_an_experiment_counts_who_opened_it(
    community: dict[str, Any], smtp_mail: Mailbox, live_server: Any, new_page: Callable[[], Any]
) -> None:
    from prosumo.outreach.models import Assignment, Experiment, Message, MessageBrief

    base = live_server.url
    ana, ben, cleo = community["members"]
    staff = new_page()
    log_in(staff, base, "admin@example.org")

    # staff open a brief for the segment
    staff.goto(f"{base}/staff/outreach/")
    staff.get_by_label("Title").fill("Spring launch")
    staff.get_by_label("Product").fill("Trail tent")
    staff.get_by_label("Segment").select_option(label="Gold")
    staff.get_by_label("Email", exact=True).check()
    staff.get_by_label("en", exact=True).check()
    staff.get_by_label("Deadline").fill(
        timezone.localtime(timezone.now() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    )
    staff.get_by_role("button", name="Open the brief").click()
    expect(staff.locator("h1")).to_have_text("Spring launch")
    brief = MessageBrief.objects.get()

    # one member proposes, another improves the draft and votes for it
    writer = new_page()
    log_in(writer, base, ana.email)
    writer.goto(f"{base}/outreach/briefs/{brief.pk}/")
    writer.get_by_label("Your message").fill(DRAFT)
    writer.get_by_role("button", name="Propose").click()
    expect(writer.locator("#message-text")).to_have_text(DRAFT)
    message = Message.objects.get()
    improver = new_page()
    log_in(improver, base, ben.email)
    improver.goto(f"{base}/outreach/messages/{message.pk}/")
    improver.locator("#revision-form textarea").fill(IMPROVED)
    improver.get_by_role("button", name="Save the revision").click()
    expect(improver.locator("#revision-2 ins")).to_have_text("warm and")
    improver.get_by_role("button", name="Vote for it").click()
    expect(improver.locator("#message-meta")).to_contain_text("1 vote")

    # staff shortlist it and add the company's message
    staff.goto(f"{base}/outreach/messages/{message.pk}/")
    staff.get_by_role("button", name="Shortlist", exact=True).click()
    expect(staff.locator("#message-meta")).to_contain_text("Shortlisted")
    staff.goto(f"{base}/outreach/briefs/{brief.pk}/")
    staff.get_by_label("Your message").fill(COMPANY)
    staff.get_by_label("Written by the company").check()
    staff.get_by_role("button", name="Propose").click()
    expect(staff.locator("#message-text")).to_have_text(COMPANY)

    # staff add an email channel, then set up, start and mail the experiment
    staff.goto(f"{base}/staff/outreach/channels/")
    staff.get_by_label("Name").fill("newsletter")
    staff.get_by_label("Kind").select_option(label="Email")
    staff.get_by_role("button", name="Add the channel").click()
    staff.goto(f"{base}/staff/outreach/experiments/")
    staff.get_by_label("Name").fill("Spring email")
    staff.get_by_label(re.compile("warm and dry")).check()
    staff.get_by_label(re.compile("your night out")).check()
    staff.get_by_label("newsletter").check()
    staff.get_by_label("Segment").select_option(label="Gold")
    staff.get_by_role("button", name="Set up the experiment").click()
    experiment = Experiment.objects.get()
    expect(staff).to_have_url(f"{base}/staff/outreach/experiments/{experiment.pk}/")
    staff.get_by_role("button", name="Start the experiment").click()
    expect(staff.locator("#experiment-state")).to_have_text("Running")
    staff.get_by_role("button", name="Send the email").click()
    expect(staff.locator("#experiment-actions")).not_to_contain_text("Send the email")

    # each member of the segment gets their own message and link; two of them open it
    mails = {m.email: smtp_mail.wait_for(to=m.email, subject_contains="Trail tent") for m in (ana, ben, cleo)}
    for member, page in ((ana, writer), (ben, improver)):
        body = text_of(mails[member.email])
        given = Assignment.objects.select_related("arm__message").get(experiment=experiment, member=member)
        assert given.arm.message.text in body
        link = next(word for word in body.split() if "/o/" in word)
        page.goto(link)
        expect(page.locator("main")).to_contain_text(given.arm.message.text)

    # the experiment's page counts three members given an arm, two who saw it, none converted yet
    staff.reload()
    rows = staff.locator("#arms tr[id^=arm-]")
    expect(rows).to_have_count(2)
    counts = [
        [int(rows.nth(i).locator(f"td.{name}").inner_text()) for name in ("assigned", "exposed", "converted")]
        for i in range(2)
    ]
    assert [sum(column) for column in zip(*counts, strict=True)] == [3, 2, 0]
    for i, arm in enumerate(experiment.arms.order_by("pk")):
        mine = Assignment.objects.filter(arm=arm)
        assert counts[i] == [mine.count(), mine.filter(exposed_at__isnull=False).count(), 0]

    # the results page reads the same counts, arm by arm, with each arm's chance of being best
    staff.locator("#results-link").click()
    expect(staff).to_have_url(f"{base}/staff/outreach/experiments/{experiment.pk}/results/")
    result_rows = staff.locator("#arms tr[id^=arm-]")
    expect(result_rows).to_have_count(2)
    for i, arm in enumerate(experiment.arms.order_by("pk")):
        cells = result_rows.nth(i).locator("td")
        mine = Assignment.objects.filter(arm=arm)
        assert [int(cells.nth(k).inner_text()) for k in (5, 6, 7)] == [
            mine.count(),
            mine.filter(exposed_at__isnull=False).count(),
            0,
        ]
    expect(staff.locator("#stop")).to_be_visible()
