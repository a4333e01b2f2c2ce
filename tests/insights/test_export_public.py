"""`prosumo export-dataset --public`: the open-data version, fit for publishing."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from prosumo.analytics.dataset import load_dataset
from prosumo.cli import app
from prosumo.community.models import Segment
from prosumo.community.services import member_set_role, member_update_profile
from prosumo.core.errors import InvalidInput
from prosumo.ideas.services import comment_post, content_hide, vote_cast
from prosumo.insights.export import export_dataset, pseudonym


@pytest.fixture
def site(make_idea, make_member, make_campaign, moderator, admin):
    """A public idea with a vote and two comments (one hidden), a hidden idea, and an idea in a private campaign."""
    author = make_member(display_name="Ana Campista")
    shown = make_member(display_name="Bruno Abierto")
    member_update_profile(member=shown, open_data_name=True)
    public = make_idea(author)
    vote_cast(actor=shown, idea_id=public.pk)
    comment_post(actor=shown, idea_id=public.pk, body="Lovely")
    spam = comment_post(actor=author, idea_id=public.pk, body="Buy watches")
    content_hide(actor=moderator, kind="comment", object_id=spam.pk, reason="Spam")
    hidden = make_idea(author, title="An idea the moderators hid from view")
    content_hide(actor=moderator, kind="idea", object_id=hidden.pk, reason="Off topic")
    gold = Segment.objects.create(name="Gold", slug="gold")
    private = make_campaign(visibility="segment", segment_id=gold.pk)
    author.segment = gold
    author.save(update_fields=["segment"])
    secret = make_idea(author, in_campaign=private, title="An idea only the gold segment may read")
    member_set_role(actor=admin, member=shown, role="member")
    return {"author": author, "shown": shown, "public": public, "spam": spam, "hidden": hidden, "secret": secret}


def test_the_open_data_holds_only_what_visitors_see_under_pseudonyms(site, tmp_path):
    # when
    path = export_dataset(tmp_path / "open", public=True, licence="CC BY 4.0")
    # then
    read = {p.stem: pq.read_table(p).to_pylist() for p in path.glob("*.parquet")}
    assert set(read) == {"members", "campaigns", "ideas", "idea_authors", "idea_stages", "events", "surveys"}
    assert [i["idea_id"] for i in read["ideas"]] == [site["public"].pk]
    assert {i["idea_id"] for i in read["idea_stages"]} == {site["public"].pk}
    assert [i["author_id"] for i in read["ideas"]] == [pseudonym(site["author"].pk)]
    assert site["secret"].campaign_id not in {c["campaign_id"] for c in read["campaigns"]}
    members = {m["member_id"]: m for m in read["members"]}
    assert members[pseudonym(site["shown"].pk)]["name"] == "Bruno Abierto"
    assert members[pseudonym(site["author"].pk)]["name"] is None
    events = read["events"]
    verbs = {e["verb"] for e in events}
    assert {"idea.submitted", "idea.supported", "comment.posted"} <= verbs
    assert not verbs & {"moderation.hidden", "member.role_changed", "member.profile_updated"}
    assert not {e["object_id"] for e in events if e["object_type"] == "idea"} - {site["public"].pk}
    assert site["spam"].pk not in {e["object_id"] for e in events if e["object_type"] == "comment"}
    actors = {e["actor_id"] for e in events if e["actor_id"] is not None}
    assert actors <= set(members)
    text = b"".join(p.read_bytes() for p in path.iterdir())
    for person in (site["author"], site["shown"]):
        assert person.email.encode() not in text
    assert b"Ana Campista" not in text
    meta = json.loads((path / "dataset.json").read_text())
    assert (meta["licence"], meta["public"]) == ("CC BY 4.0", True)
    # and the analytics read it as any community dataset
    load_dataset(path)


def test_the_open_data_needs_a_licence(site, tmp_path):
    with pytest.raises(InvalidInput):
        export_dataset(tmp_path / "open", public=True, licence=" ")
    refused = CliRunner().invoke(app, ["export-dataset", str(tmp_path / "cli"), "--public"])
    assert refused.exit_code == 2
    assert "--licence" in refused.output
    assert not (tmp_path / "cli").exists()


def test_the_cli_writes_the_open_data(site, tmp_path):
    result = CliRunner().invoke(app, ["export-dataset", str(tmp_path / "cli"), "--public", "--licence", "ODbL 1.0"])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "cli" / "dataset.json").read_text())["licence"] == "ODbL 1.0"
