"""The community dataset contract: loading, validation messages, writing."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from prosumo.analytics.dataset import (
    SCHEMA,
    DatasetError,
    Problem,
    arrow_schema,
    load_dataset,
    spark_master,
    validate,
    write_dataset,
)

UTC = dt.UTC

MEMBERS_CSV = """member_id,joined_at,segment,country,channel,referred_by,is_staff,attributes
1,2024-01-01T09:00:00Z,makers,DE,search,,false,
2,2024-01-02T10:30:00+02:00,,FR,referral,1,false,"{""age"": 30}"
3,2024-01-03,staff,,,,true,
"""
IDEAS_CSV = """idea_id,campaign_id,author_id,created_at,status,title,body,language,merged_into
10,,1,2024-01-05T12:00:00Z,open,Foldable bike rack,"Rack,
foldable",en,
11,,2,2024-01-06T12:00:00Z,accepted,Repair kit,"",,
"""
EVENTS_CSV = """event_id,occurred_at,actor_id,verb,object_type,object_id,target_member_id,campaign_id,channel,value,details
1,2024-01-05T12:00:00Z,1,idea.submitted,idea,10,,,,,
2,2024-01-06T08:00:00Z,2,idea.supported,idea,10,1,,,1,
3,2024-01-06T09:00:00Z,3,idea.supported,idea,10,1,,,-1,
"""


def write_folder(folder: Path, **overrides: str) -> Path:
    """A valid three-table CSV dataset, with some files replaced."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {"members": MEMBERS_CSV, "ideas": IDEAS_CSV, "events": EVENTS_CSV, **overrides}
    for name, text in files.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    (folder / "dataset.json").write_text(json.dumps({"name": "tiny", "licence": "CC0"}))
    return folder


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(DatasetError) as caught:
        load_dataset(folder)
    return [str(p) for p in caught.value.problems]


def test_load_csv_parses_types_and_times(tmp_path):
    # given
    folder = write_folder(tmp_path / "ds")
    # when
    ds = load_dataset(folder)
    members = ds.members.order_by("member_id").to_pandas()
    # then
    assert ds.meta == {"name": "tiny", "licence": "CC0"}
    assert ds.campaigns is None
    assert ds.outcomes is None
    assert members["joined_at"].tolist() == [
        pd.Timestamp("2024-01-01 09:00", tz="UTC"),
        pd.Timestamp("2024-01-02 08:30", tz="UTC"),
        pd.Timestamp("2024-01-03 00:00", tz="UTC"),
    ]
    assert members["is_staff"].tolist() == [False, False, True]
    assert members["referred_by"].tolist()[1] == 1
    assert members["attributes"].tolist()[1] == '{"age": 30}'
    ideas = ds.ideas.order_by("idea_id").to_pandas()
    assert ideas["body"].tolist() == ["Rack,\nfoldable", ""]
    assert ds.events.value.sum().execute() == 0.0
    assert str(ds.events.schema()["occurred_at"]) == "timestamp('UTC', 6)"


def test_missing_table_and_column_are_named(tmp_path):
    # given
    folder = write_folder(tmp_path / "ds", ideas="idea_id,author_id,created_at,status,title\n")
    (folder / "events.csv").unlink()
    # when
    problems = problems_of(folder)
    # then
    assert problems == [
        "events.parquet or events.csv: missing table",
        "ideas.csv, column body: missing column",
    ]
    (folder / "events.csv").write_text(EVENTS_CSV)
    assert problems_of(folder) == [
        "ideas.csv, column body: missing column",
        "events.csv, row 1, column object_id: unknown idea id 10",
        "events.csv, row 2, column object_id: unknown idea id 10",
        "events.csv, row 3, column object_id: unknown idea id 10",
    ]


def test_format_and_reference_problems_are_reported_together(tmp_path):
    # given: a bad boolean and a bad number, beside an unknown author, an unknown voter
    # and a vote for an unknown idea (the unknown ids in columns that are otherwise fine)
    members = MEMBERS_CSV.replace("referral,1,false", "referral,1,maybe")
    ideas = IDEAS_CSV.replace("11,,2,", "11,,7,")
    events = EVENTS_CSV.replace(",-1,", ",lots,").replace("2,2024-01-06T08:00:00Z,2,", "2,2024-01-06T08:00:00Z,9,")
    events = events.replace("idea.supported,idea,10,1,,,lots", "idea.supported,idea,12,1,,,lots")
    folder = write_folder(tmp_path / "ds", members=members, ideas=ideas, events=events)
    # when
    problems = problems_of(folder)
    # then
    assert problems == [
        "members.csv, row 2, column is_staff: not a boolean (true/false) 'maybe'",
        "events.csv, row 3, column value: not a number 'lots'",
        "ideas.csv, row 2, column author_id: unknown member id 7",
        "events.csv, row 2, column actor_id: unknown member id 9",
        "events.csv, row 3, column object_id: unknown idea id 12",
    ]


def test_csv_syntax_errors_name_file_row_and_column(tmp_path):
    # given: events with a row short of two fields and a row with one too many; members
    # with a quote left open; a file that is not UTF-8
    events = EVENTS_CSV.replace(
        "1,2024-01-05T12:00:00Z,1,idea.submitted,idea,10,,,,,", "1,2024-01-05T12:00:00Z,1,idea.submitted,idea,10,,,,"
    )
    events = events.replace(
        "3,2024-01-06T09:00:00Z,3,idea.supported,idea,10,1,,,-1,",
        "3,2024-01-06T09:00:00Z,3,idea.supported,idea,10,1,,,-1,,",
    )
    members = MEMBERS_CSV.replace("3,2024-01-03,staff,", '3,2024-01-03,"staff,')
    folder = write_folder(tmp_path / "ds", events=events, members=members)
    (folder / "ideas.csv").write_bytes(
        IDEAS_CSV.replace("Repair kit", "Repair k\xe9t").encode("utf-8").replace(b"\xc3\xa9", b"\xe9")
    )
    # when
    problems = problems_of(folder)
    # then
    assert problems == [
        "members.csv, row 3: broken CSV: unexpected end of data",
        "ideas.csv, row 2, column title: not UTF-8 text (byte 0xe9)",
        "events.csv, row 1, column details: 10 fields where the header has 11",
        "events.csv, row 3: 12 fields where the header has 11: one too many or more",
    ]


def test_bad_values_name_file_row_and_column(tmp_path):
    # given
    events = EVENTS_CSV.replace("2024-01-06T08:00:00Z", "yesterday").replace(",-1,", ",lots,")
    members = MEMBERS_CSV.replace("referral,1,false", "referral,1,maybe")
    folder = write_folder(tmp_path / "ds", events=events, members=members)
    # when
    problems = problems_of(folder)
    # then
    assert problems == [
        "members.csv, row 2, column is_staff: not a boolean (true/false) 'maybe'",
        "events.csv, row 2, column occurred_at: unparsable timestamp (expected ISO 8601) 'yesterday'",
        "events.csv, row 3, column value: not a number 'lots'",
    ]


def test_unknown_member_and_idea_ids(tmp_path):
    # given
    events = EVENTS_CSV.replace("3,2024-01-06T09:00:00Z,3,", "3,2024-01-06T09:00:00Z,99,").replace(
        "idea,10,1,,,-1", "idea,12,1,,,-1"
    )
    ideas = IDEAS_CSV.replace("10,,1,", "10,,7,")
    folder = write_folder(tmp_path / "ds", events=events, ideas=ideas)
    # when
    problems = problems_of(folder)
    # then
    assert problems == [
        "ideas.csv, row 1, column author_id: unknown member id 7",
        "events.csv, row 3, column actor_id: unknown member id 99",
        "events.csv, row 3, column object_id: unknown idea id 12",
    ]


def test_unknown_ids_below_a_run_and_inside_a_gap(tmp_path):
    # given: member ids 1, 2, 3 are one run (checked as a range); an actor 0 is below it
    below = EVENTS_CSV.replace("3,2024-01-06T09:00:00Z,3,", "3,2024-01-06T09:00:00Z,0,")
    # member ids 1, 2, 5 have a gap (checked as a set); an actor 3 falls in it
    gap_members = MEMBERS_CSV.replace("3,2024-01-03,staff", "5,2024-01-03,staff")
    # when
    run_problems = problems_of(write_folder(tmp_path / "run", events=below))
    gap_problems = problems_of(write_folder(tmp_path / "gap", members=gap_members))
    # then
    assert run_problems == ["events.csv, row 3, column actor_id: unknown member id 0"]
    assert gap_problems == ["events.csv, row 3, column actor_id: unknown member id 3"]


def test_duplicate_ids_missing_values_and_unknown_status(tmp_path):
    # given
    members = MEMBERS_CSV + "2,2024-02-01T00:00:00Z,,,,,false,\n"
    ideas = IDEAS_CSV.replace("accepted", "maybe").replace("Repair kit", "")
    folder = write_folder(tmp_path / "ds", members=members, ideas=ideas)
    # when
    problems = problems_of(folder)
    # then
    assert problems == [
        "members.csv, row 4, column member_id: duplicate id 2",
        "ideas.csv, row 2, column title: missing value",
        "ideas.csv, row 2, column status: not one of submitted, open, under_review, accepted, "
        "in_development, launched, declined, merged: 'maybe'",
    ]


IP_AND_POOL_CSV = {
    "terms_versions": "version,published_at\n1,2024-01-01T00:00:00Z\n2,2024-01-04T00:00:00Z\n",
    "terms_acceptances": "member_id,version,accepted_at\n1,1,2024-01-05T11:00:00Z\n2,2,2024-01-06T11:00:00Z\n",
    "proof_log": "entry,kind,object_id,version,idea_id,member_id,logged_at\n"
    "0,revision,100,0,10,1,2024-01-05T12:00:01Z\n1,comment,7,0,10,,2024-01-06T08:00:00Z\n",
    "ip_flags": "idea_id,kind,flagged_at,earlier_idea_id,member_id,reason\n11,prior_art,2024-01-07,10,3,same rack\n",
    "royalty_pools": "pool_id,idea_id,split_rule,merged_percent,role_weights,currency,opened_at\n"
    '5,11,shares,20,"{""author"": 3}",EUR,2024-02-01\n',
    "pool_contributions": "pool_id,member_id,idea_id,is_author,share_percent,merged\n5,2,11,true,100,false\n",
    "pool_payouts": "pool_id,period_id,member_id,amount_cents,paid_at\n5,1,2,1234,2024-03-01\n",
}


def test_ip_and_pool_tables_load_with_their_types(tmp_path):
    # given: the ideas' licence and terms version, and every intellectual-property and pool table
    ideas = IDEAS_CSV.replace("merged_into\n", "merged_into,licence,terms_version\n")
    ideas = ideas.replace('foldable",en,\n', 'foldable",en,,exclusive,1\n').replace(',"",,\n', ',"",,,,\n')
    folder = write_folder(tmp_path / "ds", ideas=ideas, **IP_AND_POOL_CSV)
    # when
    ds = load_dataset(folder)
    # then
    assert ds.ideas.order_by("idea_id").to_pandas()[["licence", "terms_version"]].astype(object).where(
        lambda f: f.notna(), None
    ).to_dict("records") == [{"licence": "exclusive", "terms_version": 1}, {"licence": None, "terms_version": None}]
    assert ds.proof_log.to_pandas()["member_id"].tolist()[0] == 1
    assert ds.ip_flags.to_pandas()[["kind", "earlier_idea_id"]].to_dict("records") == [
        {"kind": "prior_art", "earlier_idea_id": 10}
    ]
    assert ds.royalty_pools.to_pandas()["role_weights"].tolist() == ['{"author": 3}']
    assert ds.pool_contributions.to_pandas()["is_author"].tolist() == [True]
    assert ds.pool_payouts.to_pandas()["amount_cents"].tolist() == [1234]


def test_ip_and_pool_tables_name_unknown_ids_and_values(tmp_path):
    # given: a licence, a kind and a split rule the contract lacks; a terms version, a pool and an idea that do not exist
    tables = dict(IP_AND_POOL_CSV)
    tables["terms_acceptances"] = tables["terms_acceptances"].replace("2,2,2024", "2,3,2024")
    tables["proof_log"] = tables["proof_log"].replace("comment,7,0,10", "note,7,0,12")
    tables["ip_flags"] = tables["ip_flags"].replace("prior_art", "stolen")
    tables["royalty_pools"] = tables["royalty_pools"].replace("shares", "lottery")
    tables["pool_payouts"] = tables["pool_payouts"].replace("5,1,2,1234", "6,1,2,1234")
    ideas = IDEAS_CSV.replace("merged_into\n", "merged_into,licence\n")
    ideas = ideas.replace('foldable",en,\n', 'foldable",en,,mine\n').replace(',"",,\n', ',"",,,\n')
    folder = write_folder(tmp_path / "ds", ideas=ideas, **tables)
    # when
    problems = problems_of(folder)
    # then: every problem at once, the values and the references
    assert problems == [
        "ideas.csv, row 1, column licence: not one of assignment, exclusive, non_exclusive, cc_by_4_0, "
        "cc_by_sa_4_0: 'mine'",
        "proof_log.csv, row 2, column kind: not one of revision, attachment, comment: 'note'",
        "ip_flags.csv, row 1, column kind: not one of dispute, prior_art: 'stolen'",
        "royalty_pools.csv, row 1, column split_rule: not one of equal, shares, roles, shapley: 'lottery'",
        "terms_acceptances.csv, row 2, column version: unknown terms version id 3",
        "proof_log.csv, row 2, column idea_id: unknown idea id 12",
        "pool_payouts.csv, row 1, column pool_id: unknown royalty pool id 6",
    ]
    # when the values are put right
    ideas = ideas.replace(",mine", ",exclusive")
    tables["proof_log"] = tables["proof_log"].replace("note", "comment")
    tables["ip_flags"] = tables["ip_flags"].replace("stolen", "dispute")
    tables["royalty_pools"] = tables["royalty_pools"].replace("lottery", "equal")
    problems = problems_of(write_folder(tmp_path / "ds2", ideas=ideas, **tables))
    # then
    assert problems == [
        "terms_acceptances.csv, row 2, column version: unknown terms version id 3",
        "proof_log.csv, row 2, column idea_id: unknown idea id 12",
        "pool_payouts.csv, row 1, column pool_id: unknown royalty pool id 6",
    ]


def test_many_bad_rows_are_summarised(tmp_path):
    # given
    rows = "".join(f"{i},2024-01-01T00:00:00Z,1,member.visited,,,,,,x{i},\n" for i in range(1, 9))
    folder = write_folder(tmp_path / "ds", events=EVENTS_CSV.splitlines()[0] + "\n" + rows)
    # when
    problems = problems_of(folder)
    # then
    assert problems[0] == "events.csv, row 1, column value: not a number 'x1'"
    assert problems[-1] == "events.csv, column value: not a number: 3 more rows"
    assert len(problems) == 6


def test_parquet_types_are_checked(tmp_path):
    # given
    folder = write_folder(tmp_path / "ds")
    (folder / "members.csv").unlink()
    naive = pa.table(
        {
            "member_id": pa.array([1, 2, 3], pa.int32()),
            "joined_at": pa.array([dt.datetime(2024, 1, 1)] * 3, pa.timestamp("ms")),
            "is_staff": pa.array([0, 0, 1], pa.int8()),
        }
    )
    pq.write_table(naive, folder / "members.parquet")
    # when
    problems = problems_of(folder)
    # then
    assert problems == [
        "members.parquet, column joined_at: timestamp without time zone (timestamp[ms]); "
        "the contract needs UTC (timestamp[us, tz=UTC])",
        "members.parquet, column is_staff: wrong type int8, expected bool",
    ]


def test_write_dataset_round_trip_with_contract_types(tmp_path):
    # given
    tables = {
        "members": pd.DataFrame(
            {
                "member_id": [1, 2],
                "joined_at": [dt.datetime(2024, 1, 1, tzinfo=UTC), dt.datetime(2024, 1, 2, tzinfo=UTC)],
                "is_staff": [False, True],
                "segment": ["a", None],
            }
        ),
        "ideas": pd.DataFrame(
            {
                "idea_id": [5],
                "author_id": [1],
                "created_at": [dt.datetime(2024, 1, 3, tzinfo=UTC)],
                "status": ["launched"],
                "title": ["t"],
                "body": ["b"],
            }
        ),
        "events": pd.DataFrame(
            {
                "event_id": [1],
                "occurred_at": [dt.datetime(2024, 1, 3, tzinfo=UTC)],
                "actor_id": [1],
                "verb": ["idea.submitted"],
                "object_type": ["idea"],
                "object_id": [5],
            }
        ),
        "idea_authors": pd.DataFrame({"idea_id": [5, 5], "member_id": [1, 2], "share": [0.75, 0.25]}),
    }
    # when
    write_dataset(tables, tmp_path / "out", {"name": "round", "licence": "CC BY 4.0"})
    ds = load_dataset(tmp_path / "out")
    # then
    members_schema = pq.read_schema(tmp_path / "out" / "members.parquet")
    assert members_schema.names == list(SCHEMA["members"])
    assert members_schema.field("joined_at").type == pa.timestamp("us", tz="UTC")
    assert members_schema.field("referred_by").type == pa.int64()
    assert pq.read_schema(tmp_path / "out" / "events.parquet").equals(arrow_schema("events"))
    meta = json.loads((tmp_path / "out" / "dataset.json").read_text())
    assert meta["name"] == "round"
    assert meta["licence"] == "CC BY 4.0"
    assert meta["created_at"]
    assert ds.idea_authors.share.sum().execute() == 1.0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "dataset.json",
        "events.parquet",
        "idea_authors.parquet",
        "ideas.parquet",
        "members.parquet",
    ]


def test_write_dataset_writes_nothing_when_invalid(tmp_path):
    # given
    tables = {
        "members": pd.DataFrame({"member_id": [1], "joined_at": ["2024-01-01T00:00:00Z"], "is_staff": [False]}),
        "ideas": pd.DataFrame(
            {
                "idea_id": [5],
                "author_id": [1],
                "created_at": ["2024-01-01T00:00:00Z"],
                "status": ["open"],
                "title": ["t"],
                "body": ["b"],
            }
        ),
        "events": pd.DataFrame({"event_id": [1], "occurred_at": ["2024-01-01T00:00:00Z"], "verb": ["x"]}),
        "idea_authors": pd.DataFrame({"idea_id": [5, 5], "member_id": [1, 1], "share": [0.5, 0.4]}),
    }
    # when
    with pytest.raises(DatasetError) as caught:
        write_dataset(tables, tmp_path / "out", {"name": "bad"})
    # then
    assert [str(p) for p in caught.value.problems] == ["idea_authors, column share: shares of idea 5 do not sum to 1"]
    assert not (tmp_path / "out").exists()


def test_validate_returns_contract_types_for_text_input():
    # given
    tables = {
        "members": pd.DataFrame({"member_id": ["1"], "joined_at": ["2024-03-01 10:00"], "is_staff": ["TRUE"]}),
        "ideas": pd.DataFrame(
            {
                "idea_id": ["5"],
                "author_id": ["1"],
                "created_at": ["2024-03-02T00:00:00-05:00"],
                "status": ["open"],
                "title": ["t"],
                "body": ["b"],
            }
        ),
        "events": pd.DataFrame({"event_id": ["1"], "occurred_at": ["2024-03-02T00:00:00Z"], "verb": ["x"]}),
    }
    # when
    out = validate(tables)
    # then
    assert out["ideas"].column("created_at").to_pylist() == [dt.datetime(2024, 3, 2, 5, tzinfo=dt.UTC)]
    assert out["members"].column("is_staff").to_pylist() == [True]
    assert out["events"].column("value").type == pa.float64()


def test_problem_and_error_messages():
    # given
    problem = Problem("events.csv", "not a number 'x'", 3, "value")
    # when
    error = DatasetError([problem])
    # then
    assert str(problem) == "events.csv, row 3, column value: not a number 'x'"
    assert isinstance(error, ValueError)
    assert (
        str(error) == "invalid community dataset (1 problems):\n  - events.csv, row 3, column value: not a number 'x'"
    )


def test_not_a_folder(tmp_path):
    # when / then
    with pytest.raises(DatasetError, match="not a folder"):
        load_dataset(tmp_path / "nowhere")


def test_both_formats_of_one_table_are_refused(tmp_path):
    # given
    folder = write_folder(tmp_path / "ds")
    write_dataset(
        {
            "members": pd.read_csv(folder / "members.csv", dtype=str),
            "ideas": pd.read_csv(folder / "ideas.csv", dtype=str, keep_default_na=False)
            .replace({"": None})
            .assign(body="x"),
            "events": pd.read_csv(folder / "events.csv", dtype=str),
        },
        tmp_path / "pq",
        {},
    )
    shutil.copy(tmp_path / "pq" / "members.parquet", folder / "members.parquet")
    # when
    problems = problems_of(folder)
    # then
    assert problems == ["members.parquet: both members.parquet and members.csv exist"]


LOCAL_SPARK = """
import json, sys, warnings
warnings.simplefilter("ignore")
import pandas as pd
from prosumo.analytics.dataset import load_dataset
ds = load_dataset(sys.argv[1], backend="spark")
per_idea = ds.events.group_by("object_id").aggregate(n=ds.events.count()).order_by("object_id").to_pandas()
print(json.dumps({
    "engine": ds.backend.name,
    "master": ds.backend._session.sparkContext.master,
    "max_result_size": ds.backend._session.conf.get("spark.driver.maxResultSize"),
    "members": int(ds.members.count().execute()),
    "per_idea": per_idea["n"].tolist(),
    "first": str(pd.Timestamp(ds.members.joined_at.min().execute()).replace(tzinfo=None)),
}))
"""


@pytest.mark.spark
@pytest.mark.timeout(180)
def test_spark_without_settings_runs_in_local_mode_with_the_same_tables(tmp_path):
    # given: no Spark settings (a process of its own: a local Spark session and the
    # run's Spark Connect client cannot share one process)
    if shutil.which("java") is None:
        pytest.skip("Spark needs Java")
    folder = write_folder(tmp_path / "ds")
    # (a Spark Connect session earlier in this process leaves SPARK_REMOTE and
    # SPARK_CONNECT_MODE_ENABLED set: none of Spark's variables go to the child)
    env = {
        k: v for k, v in os.environ.items() if k != "PROSUMO_SPARK_MASTER" and not k.startswith(("SPARK_", "PYSPARK_"))
    }
    # when
    done = subprocess.run(
        [sys.executable, "-c", LOCAL_SPARK, str(folder)], capture_output=True, text=True, env=env, timeout=170
    )
    # then
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    # Spark hands back wall-clock times in its session time zone, which is UTC
    assert figures == {
        "engine": "pyspark",
        "master": "local[2]",
        "max_result_size": "0",  # in local mode the driver's memory is the only limit on what comes back
        "members": 3,
        "per_idea": [3],
        "first": "2024-01-01 09:00:00",
    }


def test_the_spark_master_is_the_option_then_the_environment_then_local_mode(monkeypatch):
    # given: no setting at all
    for name in ("PROSUMO_SPARK_MASTER", "PYSPARK_GATEWAY_PORT", "SPARK_REMOTE"):
        monkeypatch.delenv(name, raising=False)
    # then: local mode stays the default
    assert spark_master() == "local[2]"
    # when: the environment names a cluster, the option still wins
    monkeypatch.setenv("PROSUMO_SPARK_MASTER", "sc://spark:15002")
    assert spark_master() == "sc://spark:15002"
    assert spark_master("spark://master:7077") == "spark://master:7077"
    # when: started by spark-submit, whose master stands
    monkeypatch.delenv("PROSUMO_SPARK_MASTER")
    monkeypatch.setenv("PYSPARK_GATEWAY_PORT", "40000")
    assert spark_master() is None


def test_a_dataset_json_that_is_not_a_json_object_is_refused(tmp_path):
    # given: the metadata file holding a list, then text that is not JSON
    folder = write_folder(tmp_path / "ds")
    (folder / "dataset.json").write_text("[1, 2]")
    # then
    assert problems_of(folder) == ["dataset.json: must hold a JSON object"]
    (folder / "dataset.json").write_text("{name: tiny")
    [problem] = problems_of(folder)
    assert problem.startswith("dataset.json: not valid JSON: Expecting property name")
