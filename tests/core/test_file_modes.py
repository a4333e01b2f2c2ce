"""The trial site's secrets and database are readable by their owner only, whatever the umask."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

# The trial site is SQLite whatever the suite runs on: this test needs no second run on PostgreSQL.
pytestmark = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="the trial site is SQLite; make test-sqlite runs it",
)

PROSUMO = str(Path(sys.executable).parent / "prosumo")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _run(*args: str, data_dir: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PROSUMO_", "DJANGO_", "DATABASE_URL"))}
    env["PROSUMO_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [PROSUMO, *args],
        cwd=cwd,
        # (no sentence vectors for the demo ideas: they cost time and have nothing to do with file modes)
        env=env | {"PROSUMO_DEBUG": "1", "PROSUMO_SIMILARITY": "lexical"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        preexec_fn=lambda: os.umask(0o022),  # the common umask, which would make them readable by all
    )


def test_migrate_and_demo_make_private_files(tmp_path):
    # when `prosumo migrate` creates the database in a data folder that does not exist yet
    data = tmp_path / "site" / "var"
    migrated = _run("migrate", data_dir=data, cwd=tmp_path)
    # then the folder and the database are their owner's only
    assert migrated.returncode == 0, migrated.stderr
    assert _mode(data) == 0o700
    assert _mode(data / "prosumo.sqlite3") == 0o600
    # and so are the files SQLite adds beside it in WAL mode, which take the database's mode
    db = sqlite3.connect(data / "prosumo.sqlite3")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE t (x)")
    assert _mode(data / "prosumo.sqlite3-wal") == 0o600
    assert _mode(data / "prosumo.sqlite3-shm") == 0o600
    db.close()
    # when `prosumo demo` sets up a trial site of its own
    demo_data = tmp_path / "trial" / "var"
    demo = _run("demo", "--no-serve", "--members", "50", data_dir=demo_data, cwd=tmp_path)
    # then its secret key, its database and its folder are private too
    assert demo.returncode == 0, demo.stderr
    assert _mode(demo_data) == 0o700
    assert _mode(demo_data / "secret_key") == 0o600
    assert _mode(demo_data / "prosumo.sqlite3") == 0o600
