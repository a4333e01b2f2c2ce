"""In the folder `prosumo demo` made, every command uses that site with no environment variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.migrated import ROOT, copy_migrated

pytestmark = pytest.mark.sqlite_site


@pytest.fixture
def demo_folder(tmp_path: Path, migrated_sqlite: Path) -> Path:
    """A folder laid out as `prosumo demo` leaves it: var/ with the database and the site's key."""
    var = tmp_path / "var"
    var.mkdir()
    copy_migrated(migrated_sqlite, var / "prosumo.sqlite3")
    (var / "secret_key").write_text("a-trial-site-key-made-by-prosumo-demo-" + "k" * 20 + "\n")
    return tmp_path


def prosumo(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "prosumo.cli", *args],
        cwd=folder,
        env={"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT / "src")},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_command_that_needs_the_database_runs_with_no_environment(demo_folder: Path):
    # given a customer file in the demo's folder, and no PROSUMO_ or DATABASE_URL variable
    (demo_folder / "customers.csv").write_text("customer_id,email,tier,spend,country\nC1,ana@example.org,gold,120,ES\n")
    # when the README's import command checks it
    done = prosumo(demo_folder, "import-customers", "customers.csv", "--dry-run")
    # then it reads the demo's site, and writes nothing
    assert done.returncode == 0, done.stdout + done.stderr
    assert "PROSUMO_SECRET_KEY" not in done.stderr
    assert done.stdout.endswith("would import: 1 new, 0 updated, 0 matched to members.\n")
    assert sorted(p.name for p in (demo_folder / "var").iterdir()) == ["prosumo.sqlite3", "secret_key"]


def test_without_a_demo_site_the_command_says_what_is_missing(tmp_path: Path):
    # given a folder with no var/ (not a demo's folder) and no environment
    # when a command needs the site
    done = prosumo(tmp_path, "verify-log")
    # then it stops with the configuration problem and exit code 2
    assert done.returncode == 2
    assert "PROSUMO_SECRET_KEY" in done.stderr
