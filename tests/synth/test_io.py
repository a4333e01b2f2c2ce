"""Writing communities as dataset folders, small and at scale."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from prosumo.synth import Community, generate_to_parquet, write

from .conftest import END, START
from .test_generate import CONTRACT


def test_write_makes_a_dataset_folder_with_metadata_and_truth(demo: Community, tmp_path: Path):
    # when
    folder = write(demo, tmp_path / "demo")
    # then
    for name, columns in CONTRACT.items():
        schema = pq.read_schema(folder / f"{name}.parquet")
        assert [(f.name, f.type) for f in schema] == columns, name
        assert pq.read_metadata(folder / f"{name}.parquet").num_rows == len(demo.table(name)), name
    meta = json.loads((folder / "dataset.json").read_text(encoding="utf-8"))
    assert {"name", "source", "created_at", "licence", "attribution"} <= set(meta)
    assert json.loads((folder / "truth.json").read_text(encoding="utf-8")) == demo.truth


def test_generate_to_parquet_hits_the_event_target_and_reports_progress(tmp_path: Path):
    # given
    steps: list[str] = []
    # when
    truth = generate_to_parquet(
        tmp_path / "bench", members=3000, events_target=60_000, seed=3, progress=steps.append, start=START, end=END
    )
    # then
    assert pq.read_metadata(tmp_path / "bench" / "events.parquet").num_rows == 60_000
    assert truth["rows"]["members"] == 3000
    assert truth["events"] == 60_000
    assert steps[0] == "members"
    assert steps[-1] == "writing parquet"
    assert json.loads((tmp_path / "bench" / "truth.json").read_text(encoding="utf-8"))["seed"] == 3


def test_generate_to_parquet_equals_generate_for_the_contract_tables(tmp_path: Path):
    # given
    from prosumo.synth import generate

    community = generate(seed=4, members=400, start=START, end=END)
    # when
    generate_to_parquet(tmp_path / "same", members=400, seed=4, start=START, end=END)
    # then
    for name in CONTRACT:
        written = pq.read_table(tmp_path / "same" / f"{name}.parquet")
        assert written.equals(community.arrow(name).cast(written.schema)), name


def test_command_line_writes_a_dataset_and_reports_rows(tmp_path: Path, capsys):
    # given
    from prosumo.synth.__main__ import main

    # when
    status = main([str(tmp_path / "cli"), "--members", "500", "--events", "8000", "--seed", "2"])
    # then
    report = json.loads(capsys.readouterr().out)
    assert status == 0
    assert report["rows"]["members"] == 500
    assert report["rows"]["events"] == 8000
    assert (tmp_path / "cli" / "truth.json").exists()


def test_command_line_refuses_bad_arguments_with_exit_code_2(tmp_path: Path, capsys):
    # given
    from prosumo.synth.__main__ import main

    # when
    status = main([str(tmp_path / "cli"), "--members", "10"])
    # then
    assert status == 2
    assert "members must be an integer of at least 50, got 10" in capsys.readouterr().err
    assert not (tmp_path / "cli").exists()
