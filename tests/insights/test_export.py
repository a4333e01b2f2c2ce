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
