"""Communities generated in shards: ids unique across shards, references that resolve, and an analysis that runs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from prosumo.analytics.cli import app
from prosumo.analytics.dataset import load_dataset
from prosumo.synth import generate_to_parquet
from prosumo.synth.shards import shard_seed, shard_sizes

from .conftest import END, START
from .test_generate import CONTRACT

MEMBERS = 800
SHARD = 300  # three shards: 267, 267 and 266 members


@pytest.fixture(scope="module")
def sharded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, list[str]]:
    folder = tmp_path_factory.mktemp("sharded") / "ds"
    steps: list[str] = []
    truth = generate_to_parquet(
        folder,
        members=MEMBERS,
        events_target=16_000,
        seed=6,  # merges in the second and third shards
        start=START,
        end=END,
        shard_members=SHARD,
        progress=steps.append,
    )
    return folder, truth, steps


def column(folder: Path, table: str, name: str) -> list:
    return pq.read_table(folder / f"{table}.parquet", columns=[name]).column(name).to_pylist()


def test_shard_sizes_and_seeds():
    assert shard_sizes(800, 300) == [267, 267, 266]
    assert shard_sizes(300, 300) == [300]
    assert shard_sizes(10_000_000, 1_000_000) == [1_000_000] * 10
    assert len({shard_seed(7, k) for k in range(10)}) == 10
    assert shard_seed(7, 3) == shard_seed(7, 3)


def test_a_sharded_dataset_has_the_contract_tables_rows_and_progress(sharded):
    # given
    folder, truth, steps = sharded
    # then
    for name, columns in CONTRACT.items():
        schema = pq.read_schema(folder / f"{name}.parquet")
        assert [(f.name, f.type) for f in schema] == columns, name
        assert pq.read_metadata(folder / f"{name}.parquet").num_rows == truth["rows"][name], name
    assert truth["rows"]["members"] == MEMBERS
    assert truth["rows"]["events"] == truth["events"]
    assert abs(truth["events"] - 16_000) < 1_600
    assert steps[0] == "shard 1/3: members"
    assert steps[-1] == "shard 3/3: writing parquet"
    assert [s["members"] for s in truth["shards"]] == [267, 267, 266]
    assert [s["first_member_id"] for s in truth["shards"]] == [1, 268, 535]
    written = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    assert written["members"] == MEMBERS
    assert written["seed"] == 6
    assert json.loads((folder / "dataset.json").read_text(encoding="utf-8"))["licence"] == "CC0-1.0"


def test_ids_are_unique_across_shards(sharded):
    # given
    folder, _, _ = sharded
    # then
    for table, name in (
        ("members", "member_id"),
        ("campaigns", "campaign_id"),
        ("ideas", "idea_id"),
        ("events", "event_id"),
    ):
        ids = column(folder, table, name)
        assert ids == list(range(1, len(ids) + 1)), table
    events = pq.read_table(folder / "events.parquet")
    comment_ids = events.filter(pc.equal(events["verb"], "comment.posted"))["object_id"].to_pylist()
    assert sorted(comment_ids) == list(range(1, len(comment_ids) + 1))
    handles = [json.loads(a)["handle"] for a in column(folder, "members", "attributes")]
    assert len(set(handles)) == MEMBERS
    assert all(h.endswith(str(i)) for h, i in zip(handles, column(folder, "members", "member_id"), strict=True))


def test_every_reference_resolves_within_the_dataset(sharded):
    # given
    folder, truth, _ = sharded
    members = set(column(folder, "members", "member_id"))
    ideas = set(column(folder, "ideas", "idea_id"))
    events = pq.read_table(folder / "events.parquet").to_pylist()
    comments = {e["object_id"] for e in events if e["verb"] == "comment.posted"}
    # then: the contract's own checks (members, ideas, campaigns) pass on loading
    dataset = load_dataset(folder)
    assert dataset.members.count().execute() == MEMBERS
    # and the ids inside details, attributes and messages point into the dataset
    for event in events:
        details = json.loads(event["details"]) if event["details"] else {}
        for key in ("idea_id", "into", "carried_from", "from_idea"):
            if details.get(key) is not None:
                assert details[key] in ideas, (key, event)
        if details.get("parent_id") is not None:
            assert details["parent_id"] in comments
        if event["object_type"] == "product" and event["object_id"] > 1000:
            assert event["object_id"] - 1000 in ideas
    merged = pq.read_table(folder / "ideas.parquet").to_pylist()
    stages = pq.read_table(folder / "idea_stages.parquet").to_pylist()
    into = {i["idea_id"]: i["merged_into"] for i in merged if i["merged_into"] is not None}
    assert max(into) > truth["shards"][1]["first_idea_id"], "ideas of a later shard were merged"
    for stage in stages:
        if stage["stage"] == "merged":
            assert re.search(r"#(\d+)", stage["message"]).group(1) == str(into[stage["idea_id"]])
    for product, idea in zip(
        column(folder, "outcomes", "product_id"), column(folder, "outcomes", "from_idea_id"), strict=True
    ):
        assert (idea is None and product <= 1000) or product == 1000 + idea
    assert set(truth["lead_users"]["member_ids"]) <= members
    assert set(truth["influence"]["prosumer_ids"]) <= members
    later = [m for m in truth["influence"]["prosumer_ids"] if m > truth["shards"][1]["first_member_id"]]
    assert later, "the later shards' prosumers are listed with their own ids"
    costs = pq.read_table(folder / "costs.parquet")
    keys = list(zip(*(costs[c].to_pylist() for c in ("channel", "period_start")), strict=True))
    assert len(keys) == len(set(keys))


def test_analyze_runs_on_a_sharded_dataset(sharded, tmp_path: Path):
    # given
    folder, _, _ = sharded
    # when
    result = CliRunner().invoke(
        app, ["analyze", str(folder), "--out", str(tmp_path / "r.html"), "--json", str(tmp_path / "r.json")]
    )
    # then
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["extent"]["members"] == MEMBERS


def test_a_bad_shard_size_is_refused(tmp_path: Path):
    with pytest.raises(ValueError, match="shard_members must be an integer of at least 50, got 10"):
        generate_to_parquet(tmp_path / "x", members=100, shard_members=10, start=START, end=END)
    assert not (tmp_path / "x").exists()
