"""A rate limit holds across web processes: two servers on one database share the member's count.

Each web process of `prosumo serve` has its own memory, so a count kept there would let
a member post N comments per process. Here two Granian servers serve one SQLite file and
one member's comments go to both, alternately and at once: exactly the limit gets through.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import pytest

from prosumo.cli import web_server_command
from tests.migrated import copy_migrated

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def comment(port: int, token: str, idea_id: int, n: int) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            "POST",
            f"/api/ideas/{idea_id}/comments",
            body=json.dumps({"body": f"Comment {n} of a burst"}),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        return connection.getresponse().status
    finally:
        connection.close()


@pytest.mark.sqlite_site
def test_two_web_servers_on_one_database_let_through_exactly_the_limit(tmp_path, migrated_sqlite):
    # given: a member and an idea in a SQLite file, a limit of 5 comments a minute, two servers on the file
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "prosumo.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}",
        "PROSUMO_DATA_DIR": str(tmp_path),
        "PROSUMO_SECRET_KEY": "limits-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "PROSUMO_SSL_REDIRECT": "0",
        "PROSUMO_TASKS": "immediate",
        "PROSUMO_DEBUG": "0",
        "PROSUMO_RATE_LIMIT_COMMENT": "5/minute",
        "PROSUMO_RATE_LIMIT_COMMENT_IP": "off",
        "PYTHONPATH": str(ROOT),
    }

    def run(*args: str) -> str:
        done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    (tmp_path / "static").mkdir()
    copy_migrated(migrated_sqlite, tmp_path / "site.sqlite3")
    seeded = json.loads(run(sys.executable, "-m", "tests.concurrency.site", "seed", "1").splitlines()[-1])
    token, idea_id = seeded["tokens"][0], min(int(i) for i in seeded["ideas"])
    ports = [free_port(), free_port()]
    with ExitStack() as stack:
        servers = []
        for number, port in enumerate(ports):
            log = stack.enter_context((tmp_path / f"server{number}.log").open("w"))
            command = web_server_command(host="127.0.0.1", port=port, workers=1, threads=4)
            server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
            stack.callback(server.wait, timeout=10)
            stack.callback(server.terminate)
            servers.append(server)
        deadline = time.monotonic() + 120  # a web process loads the whole site first: far longer on a busy machine
        for port, server in zip(ports, servers, strict=True):
            while not listening(port):
                assert server.poll() is None, [p.read_text() for p in tmp_path.glob("server*.log")]
                assert time.monotonic() < deadline, "a server did not listen within 120 s"
                time.sleep(0.1)
        # when: 16 comments at once, half to each server
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(lambda n: comment(ports[n % 2], token, idea_id, n), range(16)))
        # then: 5 went through, whichever server took them, and the rest were refused
        assert Counter(statuses) == {201: 5, 429: 11}, [p.read_text()[-2000:] for p in tmp_path.glob("server*.log")]
        # and each server refuses the next one
        assert [comment(port, token, idea_id, 99) for port in ports] == [429, 429]
