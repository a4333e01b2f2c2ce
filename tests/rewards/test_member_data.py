"""A member's copy of their data holds their ledger and royalties; erasing an account keeps the totals."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from prosumo.privacy.export import build_zip
from prosumo.privacy.services import member_erase
from prosumo.rewards import selectors
from prosumo.rewards.models import Entry, Posting, Trigger
from prosumo.rewards.services import pool_open


def copy_of(member) -> dict[str, object]:
    archive = zipfile.ZipFile(io.BytesIO(build_zip(member)))
    return {name: json.loads(archive.read(name)) for name in archive.namelist() if name.endswith(".json")}


@pytest.mark.django_db
def test_the_copy_of_a_members_data_holds_their_points_and_royalties(product, admin, set_rule, make_idea):
    idea, a, _b, c = product
    set_rule(Trigger.IDEA_SUBMITTED, 10)
    make_idea(c, title="Another tent idea from the merged idea's author")
    pool_open(actor=admin, idea_id=idea.pk, kind="prize", prize_cents=900, currency="EUR", split_rule="equal")
    data = copy_of(c)
    [award] = data["points.json"]
    assert {k: award[k] for k in ("kind", "reason", "points", "rule_version", "object_type")} == {
        "kind": "award",
        "reason": "idea_submitted",
        "points": 10,
        "rule_version": 1,
        "object_type": "idea",
    }
    [payout] = data["royalties.json"]
    assert {k: payout[k] for k in ("idea_id", "currency", "pool_cents", "amount_cents", "roles")} == {
        "idea_id": idea.pk,
        "currency": "EUR",
        "pool_cents": 900,
        "amount_cents": 300,
        "roles": ["merged"],
    }
    assert copy_of(a)["points.json"] == []


@pytest.mark.django_db
def test_erasing_an_account_keeps_the_ledger_and_leaves_the_leaderboard(set_rule, make_idea, make_member):
    set_rule(Trigger.IDEA_SUBMITTED, 10)
    zelda, otto = make_member(), make_member()
    make_idea(zelda)
    make_idea(otto, title="Otto's tent with a porch for muddy boots")
    ledger = list(Entry.objects.order_by("id").values_list("account__member_id", "points"))
    member_erase(actor=zelda, member=zelda, password="correct horse 12", remove_content=False)
    assert list(Entry.objects.order_by("id").values_list("account__member_id", "points")) == ledger
    assert selectors.balance(member_id=zelda.pk) == 10
    assert Posting.objects.filter(member=zelda).count() == 1
    assert [s.member.pk for s in selectors.leaderboard()] == [otto.pk]
