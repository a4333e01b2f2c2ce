"""A dataset loaded on Spark gives the report the same headline numbers as on DuckDB.

The Pol.is sample is imported (as ``prosumo import polis`` does), loaded once with
``load_dataset(..., backend="spark", spark_master="sc://...")`` (on the run's Spark
Connect server, bound through temp views) and once on DuckDB; the involvement,
capacity and channels sections are built on both and their headlines compared with
the figures that can be counted from the sample's files. Every section is compared
figure by figure on a larger community in test_spark_connect.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from prosumo.analytics.dataset import load_dataset
from prosumo.analytics.importers.polis import write_polis_dataset
from prosumo.analytics.report import build_report

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
def on_spark(folder, spark_connect):
    return load_dataset(folder, backend="spark", spark_master=spark_connect)


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
