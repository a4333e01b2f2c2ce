"""A migrated SQLite database, made once per test run and copied by every test that starts a site.

Running `prosumo migrate` on a new SQLite file costs seconds of CPU; the tests that start a
site in real processes (faults, concurrency, mail, backups) copy one file made once per run
instead, shared by every xdist worker through a file lock.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from filelock import FileLock

ROOT = Path(__file__).resolve().parents[1]


def shared_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder every xdist worker of this run sees (the run's own temporary folder without xdist)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def migrated_template(folder: Path) -> Path:
    """``folder``/site.sqlite3, migrated by `prosumo migrate` unless another worker did it first."""
    database = folder / "site.sqlite3"
    with FileLock(f"{folder}.lock"):
        if not database.exists():
            folder.mkdir(exist_ok=True)
            building = folder / "building.sqlite3"
            env = {
                **{k: v for k, v in os.environ.items() if not k.startswith(("PROSUMO_", "DATABASE_URL", "DJANGO_"))},
                "DJANGO_SETTINGS_MODULE": "prosumo.settings",
                "DATABASE_URL": f"sqlite:///{building}",
                "PROSUMO_DATA_DIR": str(folder),
                "PROSUMO_SECRET_KEY": "migrated-template-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            }
            done = subprocess.run(
                [sys.executable, "-m", "prosumo.cli", "migrate"],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            assert done.returncode == 0, done.stderr[-3000:]
            with sqlite3.connect(building) as connection:
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.close()
            building.rename(database)
    return database


def copy_migrated(template: Path, database: Path) -> Path:
    """A new site's database: a copy of the migrated template."""
    database.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, database)
    return database
