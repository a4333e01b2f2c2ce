"""A folder larger than memory: Parquet files checked in batches and read by DuckDB in place."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from prosumo.analytics import dataset as dataset_module
from prosumo.analytics.dataset import DatasetError, load_dataset
from prosumo.analytics.report import build_report, to_json
from prosumo.synth import generate_to_parquet


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("batches") / "ds"
    generate_to_parquet(path, members=400, events_target=12_000, seed=4)
    return path


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dataset_module, "_BATCH_ROWS", 1000)


def copy_of(folder: Path, target: Path) -> Path:
    target.mkdir()
    for file in folder.iterdir():
        (target / file.name).write_bytes(file.read_bytes())
    return target


def test_a_folder_read_in_place_has_the_same_tables_as_in_memory(folder: Path, small_batches: None):
    # when
    in_place = load_dataset(folder, in_memory=False)
    in_memory = load_dataset(folder, in_memory=True)
    # then
    assert set(in_place.parquet) == set(in_memory.arrow)
    assert in_place.arrow == {}
    for name, table in in_memory.tables().items():
        other = in_place.tables()[name]
        assert other.schema() == table.schema(), name
        assert other.count().execute() == table.count().execute(), name
    events = in_place.events.group_by("verb").aggregate(n=in_place.events.count()).order_by("verb").to_pandas()
    expected = in_memory.events.group_by("verb").aggregate(n=in_memory.events.count()).order_by("verb").to_pandas()
    assert events.equals(expected)
    assert in_place.meta == in_memory.meta


def test_a_folder_read_in_place_is_analysed_two_sections_at_a_time(folder: Path):
    # given
    ds = load_dataset(folder, in_memory=False)
    # when
    report = build_report(ds, workers=2)
    # then
    assert ds.can_fork()
    assert ds.fork().events.count().execute() == 12_000
    assert report.sections


def test_a_bad_row_in_a_later_batch_is_reported_by_its_row_in_the_file(
    folder: Path, tmp_path: Path, small_batches: None
):
    # given: the 2,500th event's actor is no member
    bad = copy_of(folder, tmp_path / "bad")
    events = pq.read_table(bad / "events.parquet")
    actors = events["actor_id"].to_pylist()
    actors[2499] = 999_999
    events = events.set_column(events.schema.get_field_index("actor_id"), "actor_id", pa.array(actors, pa.int64()))
    pq.write_table(events, bad / "events.parquet")
    # when
    with pytest.raises(DatasetError) as caught:
        load_dataset(bad, in_memory=False)
    # then
    assert [str(p) for p in caught.value.problems] == [
        "events.parquet, row 2500, column actor_id: unknown member id 999999"
    ]
    with pytest.raises(DatasetError) as whole:
        load_dataset(bad, in_memory=True)
    assert [str(p) for p in whole.value.problems] == [str(p) for p in caught.value.problems]


def test_ids_repeated_across_batches_are_found(folder: Path, tmp_path: Path, small_batches: None):
    # given: the last event carries the id of the first
    bad = copy_of(folder, tmp_path / "bad")
    events = pq.read_table(bad / "events.parquet")
    ids = events["event_id"].to_pylist()
    ids[-1] = 1
    events = events.set_column(0, "event_id", pa.array(ids, pa.int64()))
    pq.write_table(events, bad / "events.parquet")
    # when
    with pytest.raises(DatasetError) as caught:
        load_dataset(bad, in_memory=False)
    # then
    assert [str(p) for p in caught.value.problems] == ["events.parquet, row 12000, column event_id: duplicate id 1"]


def test_a_file_in_other_types_is_conformed_and_kept_in_memory(folder: Path, tmp_path: Path, small_batches: None):
    # given: surveys' member ids written as 32-bit integers
    other = copy_of(folder, tmp_path / "other")
    surveys = pq.read_table(other / "surveys.parquet")
    surveys = surveys.set_column(0, "member_id", pc.cast(surveys["member_id"], pa.int32()))
    pq.write_table(surveys, other / "surveys.parquet")
    # when
    ds = load_dataset(other, in_memory=False)
    # then
    assert "surveys" in ds.arrow
    assert "surveys" not in ds.parquet
    assert ds.arrow["surveys"].schema.field("member_id").type == pa.int64()
    assert ds.surveys.count().execute() == surveys.num_rows
    assert json.loads((other / "dataset.json").read_text(encoding="utf-8")) == ds.meta


def test_a_large_folder_is_read_in_place_by_default(folder: Path, monkeypatch: pytest.MonkeyPatch):
    # given: a machine with less than eight times the folder's uncompressed size
    monkeypatch.setattr(dataset_module, "_machine_memory", lambda: 8 * 1024)
    # when
    ds = load_dataset(folder)
    # then
    assert ds.arrow == {}
    assert "events" in ds.parquet
    assert load_dataset(folder, in_memory=True).parquet == {}


LOCAL_SPARK_IN_PLACE = """
import json, sys, warnings
warnings.simplefilter("ignore")
from prosumo.analytics.dataset import load_dataset
from prosumo.analytics.report import build_report, to_json
ds = load_dataset(sys.argv[1], backend="spark", in_memory=False)
verbs = ds.events.group_by("verb").aggregate(n=ds.events.count()).order_by("verb").to_pandas()
report = to_json(build_report(ds, modules=["involvement"]))
print(json.dumps({
    "master": ds.backend._session.sparkContext.master,
    "in_place": sorted(ds.parquet),
    "verbs": dict(zip(verbs["verb"], verbs["n"].tolist())),
    "headline": report["sections"][0]["headline"],
}))
"""


@pytest.mark.spark
@pytest.mark.timeout(240)
def test_local_spark_reads_a_large_folder_in_place_with_the_same_figures(folder: Path):
    # given: local Spark (a process of its own, as a local session and the run's Spark
    # Connect client cannot share one process)
    if shutil.which("java") is None:
        pytest.skip("Spark needs Java")
    env = {
        k: v for k, v in os.environ.items() if k != "PROSUMO_SPARK_MASTER" and not k.startswith(("SPARK_", "PYSPARK_"))
    }
    on_duckdb = load_dataset(folder, in_memory=True)
    # when
    done = subprocess.run(
        [sys.executable, "-c", LOCAL_SPARK_IN_PLACE, str(folder)], capture_output=True, text=True, env=env, timeout=230
    )
    # then: Spark read every file where it lies, and counted as DuckDB does
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["master"] == "local[2]"
    assert figures["in_place"] == sorted(load_dataset(folder, in_memory=False).parquet)
    assert "events" in figures["in_place"]
    verbs = on_duckdb.events.group_by("verb").aggregate(n=on_duckdb.events.count()).to_pandas()
    assert figures["verbs"] == dict(zip(verbs["verb"], verbs["n"].tolist(), strict=True))
    expected = to_json(build_report(on_duckdb, modules=["involvement"]))["sections"][0]["headline"]
    assert figures["headline"].keys() == expected.keys()
    for key, value in expected.items():
        assert figures["headline"][key] == (pytest.approx(value, rel=1e-9) if isinstance(value, float) else value), key


@pytest.mark.spark
def test_spark_connect_gets_the_tables_handed_over_even_when_in_place_is_asked(folder: Path, spark_connect: str):
    # when: the server may run on another machine, which cannot see this one's files
    ds = load_dataset(folder, backend="spark", spark_master=spark_connect, in_memory=False)
    # then
    assert ds.parquet == {}
    assert ds.events.count().execute() == 12_000
