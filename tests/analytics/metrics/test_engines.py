"""The same metric code gives the same numbers on DuckDB and on Spark.

Runs on the test run's Spark Connect server (``spark_connect``, started once for the
run); it is part of the normal suite on purpose and fails, never skips, when Spark
cannot start.
"""

from __future__ import annotations

import warnings

import ibis
import pandas as pd
import pytest

from prosumo.analytics.dataset import Dataset, validate
from prosumo.analytics.metrics import channels, involvement


@pytest.fixture(scope="module")
def spark(spark_connect):
    from pyspark.sql import SparkSession

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        session = SparkSession.builder.remote(spark_connect).getOrCreate()
    session.conf.set("spark.sql.session.timeZone", "UTC")
    return ibis.pyspark.connect(session)


def _on_spark(spark, tables: dict[str, pd.DataFrame]) -> Dataset:
    """The validated tables as Spark tables (the loader's own Spark binding is not used
    here so that this test checks the metrics, whatever the loader does)."""
    bound = {}
    for name, table in validate(tables).items():
        view = f"metrics_{name}"
        spark._session.createDataFrame(table).createOrReplaceTempView(view)
        bound[name] = spark.table(view)
    return Dataset(**bound, backend=spark)


def _same(left: pd.DataFrame, right: pd.DataFrame, key: str) -> None:
    left = left.sort_values(key).reset_index(drop=True)
    right = right.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(left, right, check_dtype=False, check_exact=False, rtol=1e-12)


@pytest.mark.spark
@pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::DeprecationWarning")
def test_involvement_and_channels_agree_on_duckdb_and_spark(make_dataset, tiny, spark):
    # given: the same dataset on both engines
    on_duckdb = make_dataset(**tiny)
    on_spark = _on_spark(spark, tiny)
    # when / then
    spark_funnel = involvement.funnel(on_spark)
    _same(involvement.funnel(on_duckdb), spark_funnel, ["group", "step_order"])
    _same(involvement.involvement_index(on_duckdb), involvement.involvement_index(on_spark), "group")
    _same(
        involvement.participation_inequality(on_duckdb),
        involvement.participation_inequality(on_spark),
        "group",
    )
    _same(channels.channel_table(on_duckdb), channels.channel_table(on_spark), "channel")
    assert spark_funnel["reached"].sum() == 18


@pytest.mark.spark
@pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::DeprecationWarning")
def test_ip_and_pool_figures_agree_on_duckdb_and_spark(spark):
    from prosumo.analytics.examples import example_dataset
    from prosumo.analytics.metrics import ip, remuneration

    # given: the example community with its IP story, on both engines
    on_duckdb = example_dataset(ip=True, pools=True)
    on_spark = _on_spark(spark, on_duckdb.arrow)
    # when
    duck, spark_figures = ip.compute(on_duckdb), ip.compute(on_spark)
    # then
    _same(duck.licences, spark_figures.licences, "licence")
    _same(duck.terms_versions, spark_figures.terms_versions, "terms_version")
    _same(duck.coverage, spark_figures.coverage, "contribution")
    _same(duck.delays, spark_figures.delays, "idea_id")
    _same(duck.flags, spark_figures.flags, "kind")
    _same(duck.consent, spark_figures.consent, "segment")
    assert duck.summary == spark_figures.summary
    assert spark_figures.summary["proof_delay_p95_seconds"] == 57.1
    _same(remuneration.pools(on_duckdb), remuneration.pools(on_spark), "pool_id")
    spark_splits = remuneration.split_rules(on_spark)
    _same(remuneration.split_rules(on_duckdb), spark_splits, "member_id")
    assert spark_splits["shapley"].tolist() == [31.2, 8.8]
