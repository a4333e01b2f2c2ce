"""On Spark as on DuckDB, a small community's matched comparison says in words why it has no figure."""

from __future__ import annotations

from pathlib import Path

import pytest

from prosumo.analytics.dataset import load_dataset
from prosumo.analytics.metrics import effectiveness
from prosumo.analytics.report import build_report
from prosumo.synth import generate_to_parquet

pytestmark = [
    pytest.mark.spark,
    pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::DeprecationWarning"),
]


def test_the_section_gives_the_same_reason_on_spark_as_on_duckdb(tmp_path: Path, spark_connect: str) -> None:
    # given: the 300-member community whose matched comparison once divided by zero
    generate_to_parquet(tmp_path / "ds", members=300, seed=4, profile="bench")
    on_duckdb = load_dataset(tmp_path / "ds")
    on_spark = load_dataset(tmp_path / "ds", backend="spark", spark_master=spark_connect)
    # when
    reason = effectiveness.matched_comparison(on_duckdb)
    spark_report = build_report(on_spark, modules=["effectiveness"])
    duckdb_report = build_report(on_duckdb, modules=["effectiveness"])
    # then
    assert isinstance(reason, str)
    assert reason.startswith("No matched comparison: ")
    assert effectiveness.matched_comparison(on_spark) == reason
    assert spark_report.failed == duckdb_report.failed == []
    assert reason in spark_report.sections[0].notes
    assert spark_report.sections[0].notes == duckdb_report.sections[0].notes
