"""A dataset loaded on Spark gives the report the same headline numbers as on DuckDB.

The Pol.is sample is imported (as ``prosumo import polis`` does), loaded once with
``load_dataset(..., backend="spark")`` (one local Spark session for the module, bound
through temp views) and once on DuckDB; the involvement, capacity and channels
sections are built on both and their headlines compared, and every other registered
metric is compared figure by figure (headline, notes and every table).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from prosumo.analytics import registry
from prosumo.analytics.dataset import load_dataset
from prosumo.analytics.importers.polis import write_polis_dataset
from prosumo.analytics.registry import METRICS
from prosumo.analytics.report import Report, build_report, to_json

SAMPLE = Path(__file__).parent / "data" / "polis_sample"
SECTIONS = ["involvement", "capacity", "channels"]

pytestmark = [
    pytest.mark.spark,
    pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::DeprecationWarning"),
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_polis_dataset(SAMPLE, tmp_path_factory.mktemp("polis") / "ds")


@pytest.fixture(scope="module")
def on_spark(folder):
    ds = load_dataset(folder, backend="spark")
    yield ds
    ds.backend._session.stop()


def test_spark_report_has_the_duckdb_headline_numbers(folder, on_spark):
    # given
    on_duckdb = load_dataset(folder)
    # when
    spark_report = build_report(on_spark, modules=SECTIONS)
    duckdb_report = build_report(on_duckdb, modules=SECTIONS)
    # then
    assert (spark_report.engine, duckdb_report.engine) == ("pyspark", "duckdb")
    assert spark_report.failed == duckdb_report.failed == []
    assert spark_report.extent == duckdb_report.extent
    spark_headlines = {s.key: s.headline for s in spark_report.sections}
    duckdb_headlines = {s.key: s.headline for s in duckdb_report.sections}
    assert list(spark_headlines) == SECTIONS
    for key in SECTIONS:
        assert spark_headlines[key].keys() == duckdb_headlines[key].keys(), key
        for name, value in duckdb_headlines[key].items():
            expected = pytest.approx(value, rel=1e-9) if isinstance(value, float) else value
            assert spark_headlines[key][name] == expected, (key, name)
    # figures of the sample that can be counted from its files: 39 participants,
    # all of whom voted, all through the one channel "polis"
    assert spark_headlines["involvement"]["members"] == 39
    assert spark_headlines["involvement"]["lurkers"] == 0.0
    assert spark_headlines["capacity"]["contributors"] == 39
    assert spark_headlines["channels"] == {
        "channels": 1,
        "best_activation_channel": "polis",
        "best_activation": 1.0,
        "multi_touch_journeys": 0.0,
        "top_shapley_channel": "polis",
    }
    spark_credit = next(s for s in spark_report.sections if s.key == "channels").tables["channel_attribution"]
    assert spark_credit.to_dict("records") == [
        {
            "channel": "polis",
            "members_touched": 39,
            "conversions_touched": 39,
            "shapley_conversions": 39.0,
            "shapley_share": 1.0,
            "first_touch_conversions": 39,
            "last_touch_conversions": 39,
            "method": "exact",
        }
    ]


def _same(spark, duckdb, where):
    """Equal values, floats to 1e-9 (relative), in nested lists and dicts."""
    if isinstance(duckdb, float) and not isinstance(spark, bool):
        assert spark == pytest.approx(duckdb, rel=1e-9, nan_ok=True), where
    elif isinstance(duckdb, dict):
        assert isinstance(spark, dict), where
        assert spark.keys() == duckdb.keys(), where
        for key, value in duckdb.items():
            _same(spark[key], value, (*where, key))
    elif isinstance(duckdb, list):
        assert isinstance(spark, list), where
        assert len(spark) == len(duckdb), where
        for i, value in enumerate(duckdb):
            _same(spark[i], value, (*where, i))
    else:
        assert spark == duckdb, where


# the three sections above are compared by their headlines; these by every figure
OTHERS = [m.key for m in METRICS if m.key not in SECTIONS]


@pytest.mark.parametrize("key", OTHERS)
def test_spark_gives_every_figure_of_duckdb(folder, on_spark, key):
    # given
    on_duckdb = load_dataset(folder)
    metric = registry.metric(key)
    # when
    spark = to_json(Report("", {}, {}, [metric.section(on_spark)], "", "pyspark"))["sections"][0]
    duckdb = to_json(Report("", {}, {}, [metric.section(on_duckdb)], "", "duckdb"))["sections"][0]
    # then
    assert spark["notes"] == duckdb["notes"]
    assert list(spark["tables"]) == list(duckdb["tables"])
    _same(spark["headline"], duckdb["headline"], (key, "headline"))
    _same(spark["tables"], duckdb["tables"], (key, "tables"))
