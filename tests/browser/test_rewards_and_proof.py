"""Credit and reward in a real browser: terms, a certificate that verifies, a launch, a pool, a statement.

A member accepts the contribution terms and submits an idea, downloads its authorship
certificate from the page, and `prosumo verify` (a real process, no settings) accepts it
and catches one changed byte. An admin launches the idea, opens a royalty pool and enters
a period's sales; the member finds their part on their royalties page. Staff publish the
terms and the co-author accepts their invitation through the services (setup); every
other step goes through the pages' own forms.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.session import PASSWORD, log_in

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

ROOT = Path(__file__).resolve().parents[2]
TITLE = "Tent pegs that fold into the pole bag"
BODY = "Aluminium pegs hinged in the middle, so twelve of them fit in the pocket of the pole bag."
INTACT = "The certificate is intact: every record was in the log the site signed, as it reads now.\n"


@pytest.fixture
def community(restore_seed_data: None, transactional_db: Any, settings: Any, tmp_path: Path) -> dict[str, Any]:
    """A campaign, an admin who has published the contribution terms, an author and a future co-author."""
    from prosumo.community.bootstrap import create_verified_member
    from prosumo.community.terms import terms_publish
    from prosumo.ideas.services import campaign_create

    settings.PROSUMO_PROVENANCE_KEY_FILE = tmp_path / "provenance.pem"
    admin = create_verified_member(
        email="admin@example.org", password=PASSWORD, role="admin", display_name="Camp Admin"
    )
    author = create_verified_member(email="author@example.org", password=PASSWORD, display_name="Pat Author")
    partner = create_verified_member(email="partner@example.org", password=PASSWORD, display_name="Lee Partner")
    campaign = campaign_create(
        actor=admin, title="Outdoor gear ideas", brief="What would make camping easier?", voting_mode="support"
    )
    terms = terms_publish(actor=admin, text="You keep the credit; the company may make what you propose.")
    return {"campaign": campaign, "admin": admin, "author": author, "partner": partner, "terms": terms}


def verify(path: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`prosumo verify` as someone holding only the file would run it: no settings, no database."""
    return subprocess.run(
        [sys.executable, "-m", "prosumo.cli", "verify", str(path)],
        cwd=cwd,
        env={"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT / "src")},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_member_proves_authorship_and_is_paid_a_royalty(
    community: dict[str, Any],
    live_server: Any,
    new_page: Callable[[], Any],
    screenshot: Callable[[Any, str], Any],
    tmp_path: Path,
) -> None:
    from prosumo.community.models import TermsAcceptance
    from prosumo.ideas.models import CoAuthor, Idea
    from prosumo.ideas.services import coauthor_respond

    base = live_server.url
    campaign = community["campaign"]

    # 1. The member opens the campaign's submit page: the terms must be accepted and a licence chosen.
    author = new_page()
    log_in(author, base, community["author"].email)
    author.goto(f"{base}/c/{campaign.slug}/")
    author.get_by_role("link", name="Submit an idea").click()
    terms = author.locator("#contribution-terms")
    expect(terms).to_contain_text("I have read and accept the contribution terms, version 1.")
    author.fill("#id_title", TITLE)
    author.fill("#id_body", BODY)
    author.locator("#id_licence").select_option(label="Non-exclusive licence to the company")
    terms.get_by_label("I have read and accept the contribution terms, version 1.").check()
    screenshot(author, "submit-with-terms")
    author.get_by_role("button", name="Submit").click()
    expect(author.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(author.locator(".messages")).to_contain_text("Your idea is in. Thank you!")
    idea = Idea.objects.get(title=TITLE)
    assert (idea.terms_version_id, idea.licence) == (community["terms"].pk, "non_exclusive")
    assert TermsAcceptance.objects.filter(member=community["author"], version=community["terms"]).count() == 1

    # 2. From the idea page, the certificate page, and its JSON file through the download link.
    author.get_by_role("link", name="Authorship certificate").click()
    expect(author.get_by_role("heading", name="Authorship certificate")).to_be_visible()
    expect(author.locator(".certificate")).to_contain_text(
        "Contributed under the terms version 1, licence: Non-exclusive licence to the company."
    )
    expect(author.locator(".certificate")).to_contain_text("Signed tree head: 1 entry at ")
    screenshot(author, "certificate")
    with author.expect_download() as downloading:
        author.get_by_role("link", name="Download the certificate (JSON)").click()
    download = downloading.value
    assert download.suggested_filename == f"idea-{idea.pk}-certificate.json"
    certificate = tmp_path / download.suggested_filename
    download.save_as(certificate)
    document = json.loads(certificate.read_text(encoding="utf-8"))
    assert document["idea"]["id"] == idea.pk
    assert document["authors"] == [{"name": "Pat Author", "member": community["author"].pk, "role": "author"}]
    assert [r["content"]["body"] for r in document["records"]] == [BODY]

    # 3. `prosumo verify` accepts the file as downloaded, and names what fails after one byte changes.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = verify(certificate, elsewhere)
    assert (done.returncode, done.stderr) == (0, ""), done.stdout + done.stderr
    assert done.stdout.endswith(INTACT)
    assert "FAIL" not in done.stdout
    assert done.stdout.startswith(f"ok    tree head of 1 entry signed at {document['tree_head']['timestamp']} by ")
    entry = document["records"][0]["entry"]
    record = f"record 1 (revision {entry['object']}, version 0)"
    assert f"ok    {record}: logged at {entry['logged_at']} as entry {entry['index']}\n" in done.stdout
    data = certificate.read_bytes()
    at = data.index(b"twelve")
    altered = tmp_path / "altered.json"
    altered.write_bytes(data[:at] + b"T" + data[at + 1 :])  # "twelve" becomes "Twelve": one byte
    failed = verify(altered, elsewhere)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert [line for line in failed.stdout.splitlines() if line.startswith("FAIL")] == [
        "FAIL  bad signature: the certificate was changed after it was issued (its names, terms, title or records)",
        f"FAIL  {record}: content hash mismatch: the content is not what was logged",
    ]
    assert INTACT not in failed.stdout
    assert list(elsewhere.iterdir()) == []

    # 4. The author invites a co-author with a 30% share on the idea page; the co-author accepts.
    author.goto(f"{base}/ideas/{idea.pk}/")
    author.get_by_text("Invite a co-author").click()
    author.fill("input[name=email]", community["partner"].email)
    author.fill("input[name=share]", "30")
    author.get_by_role("button", name="Invite", exact=True).click()
    expect(author.locator(".messages")).to_contain_text(f"Invitation sent to {community['partner'].email}.")
    coauthor_respond(actor=community["partner"], coauthor_id=CoAuthor.objects.get(idea=idea).pk, accept=True)

    # 5. An admin launches the idea, opens a 1% pool split by declared shares, and enters a quarter's sales.
    staff = new_page()
    log_in(staff, base, community["admin"].email)
    staff.goto(f"{base}/ideas/{idea.pk}/")
    stage_form = staff.locator("#stage-form")
    stage_form.locator("select[name=to_stage]").select_option(label="Launched")
    stage_form.locator("textarea[name=message]").fill("The folding pegs are in the shops from July: thank you both.")
    stage_form.get_by_role("button", name="Move and notify").click()
    expect(staff.locator("#stage-badge")).to_have_text("Launched")
    expect(staff.locator(".messages")).to_contain_text("The idea moved")
    staff.locator("#staff-pools-link").click()
    pool_form = staff.locator("#pool-form")
    pool_form.get_by_label("Launched idea").select_option(label=f"{TITLE} (#{idea.pk})")
    pool_form.get_by_label("The pool is").select_option(label="A rate of net sales")
    pool_form.get_by_label("Rate of net sales, percent").fill("1")
    pool_form.get_by_label("Split").select_option(label="By declared shares")
    pool_form.get_by_role("button", name="Open the pool").click()
    expect(staff.locator(".messages")).to_contain_text("The pool is open.")
    expect(staff.get_by_role("heading", name=f"Royalty pool: {TITLE}")).to_be_visible()
    period_form = staff.locator("#period-form")
    period_form.get_by_label("From").fill("2026-07-01")
    period_form.get_by_label("To").fill("2026-09-30")
    period_form.get_by_label("Net sales").fill("12345.67")
    period_form.get_by_role("button", name="Enter and pay out").click()
    expect(staff.locator(".messages")).to_contain_text("The period is entered and paid out.")
    # By hand: 1% of 12,345.67 is 123.4567, so 123.46 (12,346 cents); 70% of it is 8,642.2 cents and
    # 30% is 3,703.8; the cent left over goes to the larger remainder (0.8): 86.42 and 37.04.
    periods = staff.locator("#periods")
    expect(periods).to_contain_text("2026-07-01 – 2026-09-30")
    expect(periods).to_contain_text("12,345.67")
    expect(periods).to_contain_text("Pat Author: 86.42")
    expect(periods).to_contain_text("Lee Partner: 37.04")
    screenshot(staff, "staff-pool")

    # 6. The member finds the statement: Settings, their points, their royalties.
    author.goto(f"{base}/")
    author.get_by_role("link", name="Settings").click()
    author.get_by_role("link", name="See your points, or leave the leaderboards").click()
    author.locator("#royalties-link").click()
    expect(author.get_by_role("heading", name="Your royalties")).to_be_visible()
    statement = author.locator("#statements tr", has_text=TITLE)
    expect(statement).to_have_count(1)
    expect(statement.locator("td")).to_have_text(
        ["2026-07-01 – 2026-09-30", TITLE, "12,345.67 EUR", "123.46 EUR", "86.42 EUR", "CSV"]
    )
    screenshot(author, "royalties")
