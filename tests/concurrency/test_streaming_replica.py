"""Read-heavy pages on a real PostgreSQL streaming replica (docs/scale.md, "A read replica").

tests/concurrency/test_nodes.py stands a plain copy of the database in for the replica,
which accepts writes. Here the replica is a hot standby that PostgreSQL itself feeds
from the primary's write-ahead log: the test starts a primary and a standby cloned from
it with ``pg_basebackup`` (from the machine's PostgreSQL binaries, as the suite's own
server), and one `prosumo serve` node with ``DATABASE_URL`` on the primary and
``DATABASE_REPLICA_URL`` on the standby. It checks that

* every read-heavy page answers from the read-only standby, for a visitor and for a
  signed-in member (a page that wrote while reading would fail there),
* those pages do read the standby: while the standby's replay is paused, they show the
  primary's state of before the pause, and the primary's after it is resumed,
* a browser that has just written reads from the primary however far the standby lags.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from scripts.with_postgres import as_owner, find_binary, initdb_command
from tests.concurrency.serving import bearer_of, free_port, request, sql, stop, wait_listening

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@contextmanager
def primary_and_standby() -> Iterator[tuple[str, str]]:
    """A PostgreSQL primary and a hot standby streaming from it; their server URLs."""
    owner = "postgres" if os.geteuid() == 0 else None
    base = Path(tempfile.mkdtemp(prefix="prosumo-replica-"))
    if owner:
        shutil.chown(base, user=owner)
    base.chmod(0o700)
    pg_ctl = find_binary("pg_ctl")
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    started: list[Path] = []

    def run(*command: str) -> None:
        done = subprocess.run(as_owner(list(command), owner), env=env, capture_output=True, text=True, timeout=120)
        logs = "".join(p.read_text() for p in base.glob("*.log"))
        assert done.returncode == 0, f"{command[0]}: {done.stderr[-2000:]}\n{logs[-3000:]}"

    def start(data: Path, port: int) -> None:
        options = f"-h 127.0.0.1 -p {port} -k {base} -F -c max_connections=60 -c hot_standby_feedback=on"
        run(pg_ctl, "-D", str(data), "-l", str(base / f"{data.name}.log"), "-o", options, "-w", "-t", "60", "start")
        started.append(data)

    ports = free_port(), free_port()
    try:
        run(*initdb_command(base / "primary"))
        start(base / "primary", ports[0])
        # the standby: a copy of the primary's files that goes on replaying its log (-R)
        run(find_binary("pg_basebackup"), "-h", "127.0.0.1", "-p", str(ports[0]), "-U", "prosumo", "-D",
            str(base / "standby"), "-R", "-X", "stream", "--no-sync")  # fmt: skip
        start(base / "standby", ports[1])
        primary, standby = (f"postgres://prosumo@127.0.0.1:{port}" for port in ports)
        assert sql(f"{standby}/postgres", "SELECT pg_is_in_recovery()") == [(True,)]
        yield primary, standby
    finally:
        for data in reversed(started):
            subprocess.run(as_owner([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"], owner), check=False,
                           capture_output=True)  # fmt: skip
        shutil.rmtree(base, ignore_errors=True)


def caught_up(primary: str, standby: str, within: float = 60) -> None:
    """Wait until the standby has replayed everything the primary had written when called."""
    (target,) = sql(primary, "SELECT pg_current_wal_lsn()")[0]
    deadline = time.monotonic() + within
    while not sql(standby, "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (str(target),))[0][0]:
        assert time.monotonic() < deadline, "the standby did not catch up"
        time.sleep(0.1)


@pytest.mark.postgres_only
@pytest.mark.timeout(600)
def test_pages_read_from_a_streaming_standby_and_a_writer_reads_its_own_write(tmp_path):
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("runs in the PostgreSQL pass (make test-postgres), which has the server binaries")
    from prosumo.ideas.models import Campaign, Idea

    with primary_and_standby() as (primary_server, standby_server), ExitStack() as stack:
        sql(f"{primary_server}/postgres", "CREATE DATABASE prosumo")
        primary, standby = f"{primary_server}/prosumo", f"{standby_server}/prosumo"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "prosumo.settings",
            "DATABASE_URL": primary,
            "DATABASE_REPLICA_URL": standby,
            "PROSUMO_REPLICA_LAG_SECONDS": "600",
            "PROSUMO_DATA_DIR": str(tmp_path),
            "PROSUMO_SECRET_KEY": "replica-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "PROSUMO_SSL_REDIRECT": "0",
            "PROSUMO_DEBUG": "0",
            "PROSUMO_ALLOWED_HOSTS": "localhost,127.0.0.1",
            "PROSUMO_TASKS": "database",
            "PROSUMO_SIMILARITY": "lexical",
            "PROSUMO_ANONYMOUS_CACHE_SECONDS": "0",
            "PYTHONPATH": str(ROOT),
        }
        env.pop("PROSUMO_TEST_POSTGRES", None)
        env.pop("PROSUMO_CACHE_URL", None)

        def run(*args: str) -> str:
            done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
            assert done.returncode == 0, done.stderr[-3000:]
            return done.stdout

        # given: a migrated, seeded site whose standby has replayed all of it
        run(str(BIN / "prosumo"), "migrate")
        seeded = json.loads(run(sys.executable, "-m", "tests.concurrency.site", "seed", "2").splitlines()[-1])
        idea_id = int(next(iter(seeded["ideas"])))
        session = run(sys.executable, "-m", "tests.concurrency.site", "session", "load-author@example.org").split()[-1]
        campaigns, ideas = Campaign._meta.db_table, Idea._meta.db_table
        slug = str(sql(primary, f"SELECT slug FROM {campaigns} ORDER BY id LIMIT 1")[0][0])
        (tmp_path / "static").mkdir()
        run(str(BIN / "prosumo"), "django", "collectstatic", "--noinput", "--verbosity", "0")
        caught_up(primary, standby)
        port = free_port()
        log = tmp_path / "node.log"
        node = subprocess.Popen(
            [
                str(BIN / "prosumo"),
                "serve",
                "--port",
                str(port),
                "--workers",
                "1",
                "--threads",
                "4",
                "--no-collectstatic",
            ],
            env=env,
            cwd=ROOT,
            stdout=stack.enter_context(log.open("w")),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        stack.callback(stop, node)
        wait_listening(port, node, [log])
        pages = ["/campaigns/", f"/c/{slug}/", f"/ideas/{idea_id}/"]

        # then: the standby, read-only, answers every read-heavy page, for a visitor and a member
        for page in pages:
            for headers in ({}, {"Cookie": session}):
                answer = request(port, "GET", page, headers=headers)
                assert answer.status == 200, (page, headers, answer.body[-2000:], log.read_text()[-3000:])
        # when: the standby stops replaying (it lags), and the primary moves on
        sql(standby, "SELECT pg_wal_replay_pause()")
        renamed = ("Renamed on the primary",) * 2
        sql(primary, f"UPDATE {campaigns} SET title = %s, title_en = %s WHERE slug = %s", (*renamed, slug))
        sql(primary, f"UPDATE {ideas} SET title = %s WHERE id = %s", (renamed[0], idea_id))
        token = bearer_of(seeded["tokens"][0])
        voted = request(port, "PUT", f"/api/ideas/{idea_id}/vote", body={"value": 1}, headers=token)
        assert voted.status == 200, voted.body

        # then: visitors and members are shown the standby's state, the browser that wrote the primary's
        assert "prosumo_primary=1" in voted.cookies
        for page in pages:
            for headers in ({}, {"Cookie": session}):
                answer = request(port, "GET", page, headers=headers)
                assert answer.status == 200
                assert b"Renamed on the primary" not in answer.body, (page, headers)
            own = request(port, "GET", page, headers={"Cookie": "prosumo_primary=1"})
            assert own.status == 200
            assert b"Renamed on the primary" in own.body, page

        # when: the standby replays again, everyone sees the change
        sql(standby, "SELECT pg_wal_replay_resume()")
        caught_up(primary, standby)
        for page in pages:
            assert b"Renamed on the primary" in request(port, "GET", page).body, page
