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


def test_links_follow_the_port_the_demo_serves_on(demo_folder: Path):
    # given a demo folder whose site `prosumo demo --port 8101` served
    (demo_folder / "var" / "site_url").write_text("http://127.0.0.1:8101\n")
    # when a later command in that folder builds links (a worker mailing a notification)
    done = prosumo(
        demo_folder,
        "django",
        "shell",
        "-c",
        "from prosumo.notifications.services import unsubscribe_url; from prosumo.community.models import Member;"
        "print(unsubscribe_url(Member(unsubscribe_token='t'), 'news'))",
    )
    # then they point at the port the site is served on
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.endswith("\nhttp://127.0.0.1:8101/notifications/unsubscribe/t/news/\n")


@pytest.mark.parametrize(
    ("host", "port", "url"),
    [
        ("127.0.0.1", 8101, "http://127.0.0.1:8101"),
        ("0.0.0.0", 8000, "http://127.0.0.1:8000"),
        ("::", 9000, "http://127.0.0.1:9000"),
        ("::1", 8101, "http://[::1]:8101"),
        ("ideas.example.com", 8080, "http://ideas.example.com:8080"),
    ],
)
def test_the_served_address_is_where_a_browser_reaches_the_server(host: str, port: int, url: str):
    from prosumo.cli import served_site_url

    assert served_site_url(host, port) == url
