from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from prosumo.analytics.dataset import load_dataset
from prosumo.ideas.services import coauthor_invite, coauthor_respond, comment_post, stage_change, vote_cast
from prosumo.insights.export import export_dataset


@pytest.fixture
def community(idea, make_member, reviewer):
    helper, fan = make_member(), make_member()
    invite = coauthor_invite(actor=idea.author, idea_id=idea.pk, member_id=helper.pk, share=25)
    coauthor_respond(actor=helper, coauthor_id=invite.pk, accept=True)
    vote_cast(actor=fan, idea_id=idea.pk)
    comment_post(actor=fan, idea_id=idea.pk, body="Love it", builds_on=True)
    stage_change(actor=reviewer, idea_id=idea.pk, to_stage="under_review", message="Reviewing this one now.")
    return idea


def test_export_writes_the_contract_tables(community, tmp_path):
    path = export_dataset(tmp_path / "ds")
    names = {p.stem for p in path.glob("*.parquet")}
    assert {"members", "campaigns", "ideas", "idea_authors", "idea_stages", "events", "outcomes"} <= names
    authors = pq.read_table(path / "idea_authors.parquet").to_pylist()
    assert sorted((a["member_id"], a["share"]) for a in authors) == sorted(
        [(community.author_id, 0.75), (authors[1]["member_id"], 0.25)]
    )
    stages = [r["stage"] for r in pq.read_table(path / "idea_stages.parquet").to_pylist()]
    assert stages == ["submitted", "open", "under_review"]
    verbs = [r["verb"] for r in pq.read_table(path / "events.parquet").to_pylist()]
    for verb in (
        "member.joined",
        "idea.submitted",
        "idea.coauthor_added",
        "idea.supported",
        "comment.posted",
        "idea.stage_changed",
    ):
        assert verb in verbs
    meta = json.loads((path / "dataset.json").read_text())
    assert meta["name"] == "Prosumo"
    # and the analytics engine loads it without complaint
    ds = load_dataset(path)
    assert ds.ideas.count().execute() == 1


def test_export_cli_refuses_a_non_empty_folder(community, tmp_path):
    from prosumo.cli import app

    (tmp_path / "keep.txt").write_text("x")
    result = CliRunner().invoke(app, ["export-dataset", str(tmp_path)])
    assert result.exit_code == 2
    assert "not empty" in result.output


def test_touches_reach_the_analytics_as_multi_touch_journeys(idea, tmp_path):
    from django.test import Client

    from prosumo.analytics.metrics.attribution import journey_types
    from prosumo.community.models import Member

    # given a visitor who followed an Instagram link, then a newsletter link, joined and voted
    client = Client()
    client.get("/?ch=instagram")
    client.get("/?ch=newsletter")
    response = client.post(
        "/accounts/signup/",
        {"email": "journey@example.org", "password1": "a long pass phrase 42", "password2": "a long pass phrase 42"},
    )
    assert response.status_code == 302
    voter = Member.objects.get(email="journey@example.org")
    vote_cast(actor=voter, idea_id=idea.pk)
    # when the platform's data is exported and read by the analytics
    journeys, channels = journey_types(load_dataset(export_dataset(tmp_path / "ds")))
    # then the voter's journey holds both channels, converted, first touch Instagram, last the newsletter
    both = (1 << channels.index("instagram")) | (1 << channels.index("newsletter"))
    row = journeys[journeys["mask"] == both]
    assert row[["first_touch", "last_touch", "converted", "members"]].values.tolist() == [
        ["instagram", "newsletter", True, 1]
    ]


def test_a_member_deleted_outright_is_exported_as_a_former_member(community, make_member, tmp_path):
    from prosumo.activity.models import Event
    from prosumo.community.models import Member

    # given a member deleted outright, as the Django admin did before it erased accounts,
    # leaving the events that name them behind
    gone = make_member()
    first = Event.objects.filter(actor_id=gone.pk).order_by("occurred_at").first().occurred_at
    Member.objects.filter(pk=gone.pk).delete()
    # when the platform's data is exported
    path = export_dataset(tmp_path / "ds")
    # then the analytics read it, with a row for them: a former member, joined at their first event
    members = {row["member_id"]: row for row in pq.read_table(path / "members.parquet").to_pylist()}
    assert load_dataset(path).members.count().execute() == len(members)
    assert members[gone.pk] == {
        "member_id": gone.pk,
        "joined_at": first,
        "segment": None,
        "country": None,
        "channel": None,
        "referred_by": None,
        "erased": True,
        "is_staff": False,
        "attributes": None,
    }
    assert members[community.author_id]["erased"] is False


def test_export_writes_terms_proof_log_flags_and_pools(make_idea, make_member, admin, reviewer, tmp_path):
    from prosumo.community.terms import terms_publish
    from prosumo.provenance.models import LogEntry
    from prosumo.provenance.services import idea_flag, log_catch_up
    from prosumo.rewards.services import pool_open

    # given terms, an idea under them by A with co-author B (30%), launched, with a prize pool split by shares,
    # the proof log caught up, and a dispute flagged by a reviewer
    terms = terms_publish(actor=admin, text="You keep the credit.")
    a, b = make_member(), make_member()
    idea = make_idea(a, accept_terms=terms.number, licence="exclusive")
    offer = coauthor_invite(actor=a, idea_id=idea.pk, member_id=b.pk, share=30)
    coauthor_respond(actor=b, coauthor_id=offer.pk, accept=True)
    for stage in ("under_review", "accepted", "in_development", "launched"):
        stage_change(actor=admin, idea_id=idea.pk, to_stage=stage, message="Moving it along, thank you all.")
    pool = pool_open(actor=admin, idea_id=idea.pk, kind="prize", prize_cents=1001, currency="EUR", split_rule="shares")
    log_catch_up()
    idea_flag(actor=reviewer, idea_id=idea.pk, kind="dispute", reason="A customer says it was theirs")
    # when
    path = export_dataset(tmp_path / "ds")

    # then
    def rows(name, *columns):
        return [tuple(r[c] for c in columns) for r in pq.read_table(path / f"{name}.parquet").to_pylist()]

    assert rows("ideas", "idea_id", "licence", "terms_version") == [(idea.pk, "exclusive", terms.number)]
    assert rows("terms_versions", "version") == [(terms.number,)]
    assert rows("terms_acceptances", "member_id", "version") == [(a.pk, terms.number)]
    entry = LogEntry.objects.get(kind="revision")
    assert rows("proof_log", "entry", "kind", "object_id", "idea_id", "member_id") == [
        (entry.index, "revision", entry.object_id, idea.pk, a.pk)
    ]
    assert rows("ip_flags", "idea_id", "kind", "earlier_idea_id", "member_id", "reason") == [
        (idea.pk, "dispute", None, reviewer.pk, "A customer says it was theirs")
    ]
    assert rows("royalty_pools", "pool_id", "idea_id", "split_rule", "merged_percent", "currency") == [
        (pool.pk, idea.pk, "shares", 20, "EUR")
    ]
    assert sorted(rows("pool_contributions", "member_id", "is_author", "share_percent", "merged")) == sorted(
        [(a.pk, True, 70.0, False), (b.pk, False, 30.0, False)]
    )
    assert sorted(rows("pool_payouts", "pool_id", "period_id", "member_id", "amount_cents")) == sorted(
        [(pool.pk, None, a.pk, 701), (pool.pk, None, b.pk, 300)]
    )
    # and the analytics engine loads it without complaint
    ds = load_dataset(path)
    assert int(ds.pool_payouts.amount_cents.sum().execute()) == 1001
