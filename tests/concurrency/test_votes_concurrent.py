"""Votes stay exact when many members vote at once over real HTTP, on PostgreSQL and on SQLite.

Each test seeds 3 ideas (one per voting mode) and members with API tokens, fires a
seeded mix of PUT/DELETE /api/ideas/{id}/vote requests from a thread pool,
including bursts where one member votes on one idea from many threads at the same
instant, then requires every request to succeed and the idea tallies, ranking
keys, votes table and event log to agree exactly (tests/concurrency/voting.py).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from prosumo.cli import web_server_command
from tests.concurrency import site
from tests.concurrency.voting import discrepancies, fire, plan
from tests.migrated import copy_migrated

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.postgres_only
def test_parallel_votes_over_http_are_exact_on_postgresql(live_server, transactional_db, settings):
    # 800 votes in a few seconds from one address: faster than the site lets one address vote
    settings.PROSUMO_RATE_LIMITS = {**settings.PROSUMO_RATE_LIMITS, "vote": ("", "")}
    if connection.vendor != "postgresql":
        pytest.skip(
            f"needs PostgreSQL row locks; DATABASE_URL points at {connection.vendor} (make test-postgres runs it)"
        )
    # given 40 members with tokens, 3 ideas, and 800 requests of which 12 bursts of 10 simultaneous ones
    tokens, ideas = site.seed(40)
    requests = plan(tokens=tokens, ideas=ideas, requests=800, bursts=12, burst_size=10, seed=20261123)
    # when 24 threads send them at once
    outcome = fire(live_server.url, requests, threads=24)
    # then every request succeeded and all the records agree
    assert outcome.failures == []
    assert outcome.statuses == {200: len(requests)}
    found = site.rows(sorted(ideas))
    assert discrepancies(*found, half_life_hours=settings.PROSUMO_TRENDING_HALF_LIFE_HOURS) == []
    assert found[1] != []


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.sqlite_site
def test_parallel_votes_over_http_are_exact_on_sqlite(tmp_path, migrated_sqlite):
    # given a SQLite file served by Granian (as `prosumo serve` runs it) in 2 processes of 4 threads (writers from two processes contend)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "prosumo.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'votes.sqlite3'}",
        "PROSUMO_DATA_DIR": str(tmp_path),
        "PROSUMO_SECRET_KEY": "concurrency-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "PROSUMO_SSL_REDIRECT": "0",
        "PROSUMO_TASKS": "immediate",
        "PROSUMO_DEBUG": "0",
        # many members vote from one address, faster than the site lets one address vote
        "PROSUMO_RATE_LIMIT_VOTE_IP": "off",
        "PYTHONPATH": str(ROOT),
    }

    def run(*args: str) -> str:
        done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    (tmp_path / "static").mkdir()
    copy_migrated(migrated_sqlite, tmp_path / "votes.sqlite3")
    seeded = json.loads(run(sys.executable, "-m", "tests.concurrency.site", "seed", "20").splitlines()[-1])
    ideas = {int(k): v for k, v in seeded["ideas"].items()}
    port = free_port()
    log = (tmp_path / "server.log").open("w")
    command = web_server_command(host="127.0.0.1", port=port, workers=2, threads=4)
    server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120  # a web process loads the whole site first: far longer on a busy machine
        while True:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert server.poll() is None, (tmp_path / "server.log").read_text()
            assert time.monotonic() < deadline, "the server did not listen within 120 s"
            time.sleep(0.1)
        requests = plan(tokens=seeded["tokens"], ideas=ideas, requests=150, bursts=4, burst_size=6, seed=7)
        # when 8 threads send them at once
        outcome = fire(f"http://127.0.0.1:{port}", requests, threads=8)
    finally:
        server.terminate()
        server.wait(timeout=10)
    # then no request failed (no "database is locked" as a 500) and all the records agree
    log.close()
    assert outcome.failures == [], (tmp_path / "server.log").read_text()[-3000:]
    assert outcome.statuses == {200: len(requests)}
    found = site.rows_from_json(run(sys.executable, "-m", "tests.concurrency.site", "dump", *map(str, sorted(ideas))))
    assert discrepancies(*found, half_life_hours=settings.PROSUMO_TRENDING_HALF_LIFE_HOURS) == []
    assert found[1] != []
