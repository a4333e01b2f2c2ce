"""Every section gives DuckDB's figures on Spark, through Spark Connect.

One Spark Connect server for the run (``spark_connect``, tests/analytics/conftest.py)
serves a small generated community: 1,000 members (seed 7), large enough that every
section has figures, the matched comparison and the propensity model included.
The community is loaded once on each engine, through ``load_dataset(...,
backend="spark", spark_master="sc://...")`` as ``prosumo analyze --engine spark
--spark-master sc://...`` does, and each section is compared figure by figure: notes,
headline and every table, floats to 1e-9 (relative). Sections whose figures come out of
an iterative solver (the Bass curve's least squares, the beta prior's fit, the
propensity model's regression) are compared to ``ITERATIVE`` instead, since their
solvers may stop at another iterate when the rows reach them in another order.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from prosumo.analytics import registry
from prosumo.analytics.dataset import Dataset, DatasetError, load_dataset
from prosumo.analytics.registry import METRICS
from prosumo.analytics.report import Report, to_json
from prosumo.synth import generate, write
from prosumo.synth.io import BENCH_END, BENCH_START

pytestmark = [
    pytest.mark.spark,
    pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::DeprecationWarning"),
]

EXACT = 1e-9
ITERATIVE = 1e-6
TOLERANCE = {"capacity": ITERATIVE, "innovation": ITERATIVE, "propensity": ITERATIVE}


@pytest.fixture(scope="module")
def community(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("spark-community") / "community"
    write(generate(seed=7, members=1000, start=BENCH_START, end=BENCH_END), folder)
    return folder


@pytest.fixture(scope="module")
def on_spark(community: Path, spark_connect: str) -> Dataset:
    return load_dataset(community, backend="spark", spark_master=spark_connect)


def _same(spark, duckdb, where, rel):
    """Equal values, floats to ``rel`` (relative), in nested lists and dicts."""
    if isinstance(duckdb, float) and not isinstance(spark, bool):
        assert spark == pytest.approx(duckdb, rel=rel, abs=rel, nan_ok=True), where
    elif isinstance(duckdb, dict):
        assert isinstance(spark, dict), where
        assert spark.keys() == duckdb.keys(), where
        for key, value in duckdb.items():
            _same(spark[key], value, (*where, key), rel)
    elif isinstance(duckdb, list):
        assert isinstance(spark, list), where
        assert len(spark) == len(duckdb), where
        for i, value in enumerate(duckdb):
            _same(spark[i], value, (*where, i), rel)
    else:
        assert spark == duckdb, where


def test_the_dataset_is_on_spark_connect(on_spark):
    # then: a Spark Connect session, not a local one in this process
    assert on_spark.backend.name == "pyspark"
    assert type(on_spark.backend._session).__module__.startswith("pyspark.sql.connect")
    assert int(on_spark.members.count().execute()) == 1000


@pytest.mark.parametrize("key", [m.key for m in METRICS])
def test_every_section_gives_duckdbs_figures_on_spark(community, on_spark, key):
    # given
    on_duckdb = load_dataset(community)
    metric = registry.metric(key)
    # when
    spark = to_json(Report("", {}, {}, [metric.section(on_spark)], "", "pyspark"))["sections"][0]
    duckdb = to_json(Report("", {}, {}, [metric.section(on_duckdb)], "", "duckdb"))["sections"][0]
    # then: the section has figures, and the same ones
    assert duckdb["headline"], key
    assert spark["notes"] == duckdb["notes"]
    assert list(spark["tables"]) == list(duckdb["tables"])
    rel = TOLERANCE.get(key, EXACT)
    _same(spark["headline"], duckdb["headline"], (key, "headline"), rel)
    _same(spark["tables"], duckdb["tables"], (key, "tables"), rel)


def test_the_cluster_reads_a_dataset_by_uri_as_a_local_folder_is_read(community, on_spark, spark_connect):
    # when: the server reads the folder itself, by a file:// URI
    by_uri = load_dataset(community.as_uri(), backend="spark", spark_master=spark_connect)
    # then: the same validated tables and metadata
    assert by_uri.meta == on_spark.meta
    for name in ("members", "ideas", "events", "surveys"):
        mine, theirs = getattr(by_uri, name), getattr(on_spark, name)
        assert mine.schema() == theirs.schema(), name
        assert int(mine.count().execute()) == int(theirs.count().execute()), name
    assert by_uri.events.occurred_at.max().execute() == on_spark.events.occurred_at.max().execute()


def test_a_bad_dataset_read_by_the_cluster_is_refused_with_the_local_messages(tmp_path, spark_connect):
    # given: a CSV dataset whose members file has a bad time and an unknown member
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "members.csv").write_text("member_id,joined_at\n1,2024-01-01T00:00:00Z\n2,not a time\n")
    (folder / "ideas.csv").write_text("idea_id,author_id,created_at\n10,3,2024-01-02T00:00:00Z\n")
    (folder / "events.csv").write_text("event_id,occurred_at,actor_id,verb\n1,2024-01-02T00:00:00Z,1,member.visited\n")
    with pytest.raises(DatasetError) as local:
        load_dataset(folder)
    # when
    with pytest.raises(DatasetError) as remote:
        load_dataset(folder.as_uri(), backend="spark", spark_master=spark_connect)
    # then
    assert [str(p) for p in remote.value.problems] == [str(p) for p in local.value.problems]
    assert any("joined_at" in str(p) for p in remote.value.problems)


def test_prosumo_analyze_runs_whole_on_spark_connect(community, spark_connect, tmp_path):
    # given the command as docs/scale.md shows it for a Spark Connect server
    import json

    from typer.testing import CliRunner

    from prosumo.cli import app

    out, report_json = tmp_path / "report.html", tmp_path / "report.json"
    # when
    command = ["analyze", str(community), "--engine", "spark", "--spark-master", spark_connect]
    done = CliRunner().invoke(app, [*command, "--out", str(out), "--json", str(report_json)])
    # then every section is computed on the cluster, none failed, and the report is written
    assert done.exit_code == 0, done.output
    assert "sections that failed" not in done.output
    found = json.loads(report_json.read_text())
    assert found["engine"] == "pyspark"
    assert [s["key"] for s in found["sections"]] == [m.key for m in METRICS]
    assert all(s["headline"] for s in found["sections"]), [s["key"] for s in found["sections"] if not s["headline"]]
    assert "<html" in out.read_text()
    # and its headlines are those of the same dataset on DuckDB
    duckdb = {s.key: s for s in [m.section(load_dataset(community)) for m in METRICS]}
    for section in found["sections"]:
        expected = to_json(Report("", {}, {}, [duckdb[section["key"]]], "", "duckdb"))["sections"][0]
        rel = TOLERANCE.get(section["key"], EXACT)
        _same(section["headline"], expected["headline"], (section["key"], "headline"), rel)
