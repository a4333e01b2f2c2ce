"""DuckDB's memory limit and spill folder: set on every connection, from the environment or a default."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from prosumo.analytics.cli import app
from prosumo.analytics.dataset import (
    DUCKDB_MEMORY_LIMIT_ENV,
    DUCKDB_TEMP_DIR_ENV,
    duckdb_settings,
)
from prosumo.analytics.examples import example_dataset

runner = CliRunner()


def _setting(con, name: str) -> str:
    return con.con.execute(f"select current_setting('{name}')").fetchone()[0]


def test_the_limit_and_spill_folder_come_from_the_environment(monkeypatch, tmp_path):
    # given
    monkeypatch.setenv(DUCKDB_MEMORY_LIMIT_ENV, "300MiB")
    monkeypatch.setenv(DUCKDB_TEMP_DIR_ENV, str(tmp_path / "spill"))
    # when
    ds = example_dataset()
    # then: the connection and its forks have them
    assert _setting(ds.backend, "memory_limit") == "300.0 MiB"
    assert _setting(ds.backend, "temp_directory") == str(tmp_path / "spill")
    assert _setting(ds.fork().backend, "memory_limit") == "300.0 MiB"


def test_without_settings_half_the_memory_and_the_system_temporary_folder(monkeypatch):
    # given
    monkeypatch.delenv(DUCKDB_MEMORY_LIMIT_ENV, raising=False)
    monkeypatch.delenv(DUCKDB_TEMP_DIR_ENV, raising=False)
    # when
    settings = duckdb_settings()
    # then
    import os
    import tempfile

    half = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2 // 2**20
    assert settings == {
        "memory_limit": f"{max(half, 256)}MiB",
        "temp_directory": str(Path(tempfile.gettempdir()) / "prosumo-duckdb"),
    }


def test_a_query_above_the_limit_spills_and_finishes(monkeypatch, tmp_path):
    # given: 40 MiB for a sort of 3 million rows (about 50 MiB of keys)
    monkeypatch.setenv(DUCKDB_MEMORY_LIMIT_ENV, "40MiB")
    monkeypatch.setenv(DUCKDB_TEMP_DIR_ENV, str(tmp_path / "spill"))
    ds = example_dataset()
    # when
    con = ds.backend.con
    con.execute("set threads = 1")
    rows = con.execute("select count(*) from (select x, hash(x) h from range(3000000) t(x) order by h)").fetchone()
    # then
    assert rows == (3_000_000,)


def test_a_limit_that_is_not_a_size_exits_2_and_writes_nothing(monkeypatch, tmp_path):
    # given
    monkeypatch.setenv(DUCKDB_MEMORY_LIMIT_ENV, "lots")
    # when
    result = runner.invoke(app, ["analyze", str(tmp_path / "ds"), "--out", str(tmp_path / "r.html")])
    # then
    assert result.exit_code == 2
    assert "$PROSUMO_DUCKDB_MEMORY_LIMIT='lots' is not a size: give a number and a unit, such as 4GB" in result.output
    assert not (tmp_path / "r.html").exists()
