"""One member's orders carrying their arm's code, converted from many threads at once, count once.

On PostgreSQL the threads share the test database; on SQLite, two processes of four
threads each convert orders on a file, as `prosumo serve` would (tests/concurrency/outreach_orders.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.concurrency import outreach_orders
from tests.migrated import copy_migrated

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.postgres_only
def test_parallel_order_conversions_count_once_on_postgresql(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip(f"needs PostgreSQL; DATABASE_URL points at {connection.vendor} (make test-postgres runs it)")
    # given a member given an arm of a running experiment, and eight orders of theirs carrying its code
    orders, assignment = outreach_orders.seed(8)
    # when each order is converted in its own thread at once
    recorded = outreach_orders.convert(orders)
    # then one conversion and one exposure were recorded, by one thread
    assert sorted(recorded) == [0] * 7 + [1]
    assert outreach_orders.dump(assignment) == {"conversion": "order", "converted": 1, "exposed": 1}


@pytest.mark.sqlite_site
def test_parallel_order_conversions_count_once_on_sqlite(tmp_path, migrated_sqlite):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PROSUMO_", "DATABASE_URL", "DJANGO_"))},
        "DJANGO_SETTINGS_MODULE": "prosumo.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'race.sqlite3'}",
        "PROSUMO_DATA_DIR": str(tmp_path),
        "PROSUMO_SECRET_KEY": "concurrency-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "PROSUMO_TASKS": "immediate",
        "PYTHONPATH": str(ROOT),
    }
    command = [sys.executable, "-m", "tests.concurrency.outreach_orders"]

    def run(*args: str) -> str:
        done = subprocess.run([*command, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout.splitlines()[-1]

    # given a SQLite file with a member given an arm of a running experiment, and eight orders of theirs with its code
    copy_migrated(migrated_sqlite, tmp_path / "race.sqlite3")
    seeded = json.loads(run("seed", "8"))
    orders = [str(o) for o in seeded["orders"]]
    # when two processes each convert four of them from four threads at once
    children = [
        subprocess.Popen(
            [*command, "convert", *half], env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for half in (orders[:4], orders[4:])
    ]
    outputs = [child.communicate(timeout=120) for child in children]
    for child, (_, stderr) in zip(children, outputs, strict=True):
        assert child.returncode == 0, stderr[-3000:]
    recorded = [n for stdout, _ in outputs for n in json.loads(stdout.splitlines()[-1])]
    # then one conversion and one exposure were recorded, by one thread, and no thread failed on a locked database
    assert sorted(recorded) == [0] * 7 + [1]
    assert json.loads(run("dump", str(seeded["assignment"]))) == {"conversion": "order", "converted": 1, "exposed": 1}
