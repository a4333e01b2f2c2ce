"""The staff ledger page: admins record spends and corrections, members see both; the menus lead to royalties."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from prosumo.rewards import selectors
from prosumo.rewards.models import Posting, Trigger
from tests.rewards.conftest import ledger_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def rewarded(set_rule, make_idea, member):
    """A member with 10 points, for submitting an idea."""
    set_rule(Trigger.IDEA_SUBMITTED, 10)
    make_idea(member)
    return member


def test_an_admin_finds_a_member_and_records_a_spend_the_member_sees(rewarded, admin, login):
    client = login(admin)
    # when the admin looks the member up by number, and by email address
    page = client.get("/staff/rewards/ledger/", {"member": str(rewarded.pk)})
    assert page.status_code == 200
    assert "Balance: 10 points." in page.content.decode()
    assert client.get("/staff/rewards/ledger/", {"member": rewarded.email.upper()}).context["member"] == rewarded
    # and records a spend
    done = client.post(
        f"/staff/rewards/ledger/{rewarded.pk}/spend/",
        {"member": rewarded.pk, "points": "4", "reason": "Tent bag", "note": "Sent by post"},
    )
    # then the spend is in the ledger, by the admin, and the page says so
    assert (done.status_code, done["Location"]) == (302, f"/staff/rewards/ledger/?member={rewarded.pk}#ledger")
    spend = Posting.objects.get(kind="spend")
    assert (spend.member_id, spend.points, spend.reason, spend.note, spend.created_by_id) == (
        rewarded.pk,
        -4,
        "Tent bag",
        "Sent by post",
        admin.pk,
    )
    after = client.get(done["Location"]).content.decode()
    assert "Recorded: 4 points spent on Tent bag." in after
    assert "Balance: 6 points." in after
    # and the member sees it on their points page
    mine = login(rewarded).get("/rewards/").content.decode()
    assert "Spend: Tent bag — Sent by post" in mine
    assert "You have 6 points." in mine


def test_a_spend_beyond_the_balance_is_refused_and_writes_nothing(rewarded, admin, login):
    client = login(admin)
    before = ledger_rows()
    refused = client.post(
        f"/staff/rewards/ledger/{rewarded.pk}/spend/", {"member": rewarded.pk, "points": "11", "reason": "Tent"}
    )
    assert refused.status_code == 302
    page = client.get(refused["Location"]).content.decode()
    assert "The member has 10 points: not enough to spend 11." in page
    # a form that is not filled in is refused with its reason too
    empty = client.post(f"/staff/rewards/ledger/{rewarded.pk}/spend/", {"member": rewarded.pk, "points": "x"})
    assert "The spend could not be recorded." in client.get(empty["Location"]).content.decode()
    assert ledger_rows() == before


def test_a_correction_is_a_new_line_naming_the_one_it_corrects(rewarded, admin, login):
    award = Posting.objects.get()
    client = login(admin)
    done = client.post(
        f"/staff/rewards/postings/{award.pk}/correction/",
        {"member": rewarded.pk, "points": "-10", "note": "Duplicate of an earlier idea"},
    )
    assert (done.status_code, done["Location"]) == (302, f"/staff/rewards/ledger/?member={rewarded.pk}#ledger")
    correction = Posting.objects.get(kind="correction")
    assert (correction.corrects_id, correction.points, correction.note) == (
        award.pk,
        -10,
        "Duplicate of an earlier idea",
    )
    # the award itself is unchanged
    award.refresh_from_db()
    assert (award.kind, award.points) == ("award", 10)
    assert selectors.balance(member_id=rewarded.pk) == 0
    page = client.get(done["Location"]).content.decode()
    assert "Recorded: a correction of -10 points." in page
    assert f"corrects line #{award.pk}" in page
    # the member sees the correction beside the line it corrects
    mine = login(rewarded).get("/rewards/").content.decode()
    assert f"Correction: idea_submitted (corrects the line of {award.created_at:%Y-%m-%d}, +10)" in mine
    # below zero is refused, and writes nothing
    before = ledger_rows()
    refused = client.post(
        f"/staff/rewards/postings/{award.pk}/correction/", {"member": rewarded.pk, "points": "-1", "note": "Again"}
    )
    assert "a correction cannot take them below zero" in client.get(refused["Location"]).content.decode()
    assert ledger_rows() == before


def test_only_admins_keep_the_ledger(rewarded, moderator, reviewer, login):
    before = ledger_rows()
    assert login(rewarded).get("/staff/rewards/ledger/").status_code == 404
    assert login(reviewer).get("/staff/rewards/ledger/").status_code == 403
    client = login(moderator)
    assert client.get("/staff/rewards/ledger/", {"member": rewarded.pk}).status_code == 403
    refused = client.post(
        f"/staff/rewards/ledger/{rewarded.pk}/spend/", {"member": rewarded.pk, "points": "1", "reason": "Tent bag"}
    )
    assert refused.status_code == 302
    assert [str(m) for m in get_messages(refused.wsgi_request)] == ["Only an admin can change rewards."]
    assert ledger_rows() == before


def test_an_unknown_member_is_said_plainly(admin, login):
    page = login(admin).get("/staff/rewards/ledger/", {"member": "nobody@example.org"})
    assert page.status_code == 404
    assert "No member is “nobody@example.org”." in page.content.decode()


def test_the_menus_lead_members_to_their_royalties_and_admins_to_pools_and_the_ledger(member, admin, reviewer, login):
    mine = login(member).get("/").content.decode()
    assert '<a href="/rewards/royalties/" id="my-royalties-link">Your royalties</a>' in mine
    assert '<a href="/rewards/" id="my-points-link">Your points</a>' in mine
    staff = login(admin).get("/").content.decode()
    assert '<a href="/staff/royalties/" id="staff-pools-link">Royalty pools and payouts</a>' in staff
    assert '<a href="/staff/rewards/ledger/" id="staff-ledger-link">Points ledger</a>' in staff
    # a reviewer, who may not run pools, is not shown them
    assert "staff-pools-link" not in login(reviewer).get("/").content.decode()
