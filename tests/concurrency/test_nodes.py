"""Two `prosumo serve` nodes behind one load balancer, sharing one PostgreSQL and one Redis (docs/scale.md).

The test makes a fresh database on the suite's throwaway PostgreSQL server, a second one
copied from it that stands in for a replica (nothing replicates to it, so what a page read
there is plain to see), starts a Redis server from the machine's binaries, and runs two
`prosumo serve` processes (web server and task workers each) on two ports. It checks that

* votes sent to both nodes at once stay exact (tallies, votes table and event log agree),
* each periodic task is enqueued once although both nodes check the schedule,
* a token revoked by another process is refused by both nodes at once (the token cache
  is shared), and an anonymous list cached by one node is what the other serves,
* the node given ``DATABASE_REPLICA_URL`` answers a read-heavy page from the replica,
  and from the primary for a browser that has just written.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from prosumo.core.periodic import Periodic
from tests.concurrency.serving import bearer_of, free_port, request, sql, stop, wait_listening
from tests.concurrency.voting import discrepancies, fire, plan

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    server = shutil.which("redis-server") or shutil.which("valkey-server")
    if server is None:
        message = "needs redis-server or valkey-server (apt-get install redis-server; .ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    port = free_port()
    log = tmp_path / "redis.log"
    process = subprocess.Popen(
        [
            server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_listening(port, process, [log], within=20)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.postgres_only
def test_two_nodes_share_the_database_and_the_cache(tmp_path, redis_url):
    server_url = os.environ.get("DATABASE_URL", "")
    if not server_url.startswith("postgres"):
        pytest.skip("needs PostgreSQL: run it through scripts/with_postgres.py (make test-postgres)")
    from prosumo.core.models import ScheduledRun
    from prosumo.ideas.models import Campaign, Idea

    # given: a migrated, seeded database, and a copy of it standing in for a replica
    base = server_url.rsplit("/", 1)[0]
    name = f"nodes_{os.getpid()}_{time.monotonic_ns()}"
    primary, replica = f"{base}/{name}", f"{base}/{name}_replica"
    sql(server_url, f'CREATE DATABASE "{name}"')
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "prosumo.settings",
        "DATABASE_URL": primary,
        "PROSUMO_CACHE_URL": redis_url,
        "PROSUMO_DATA_DIR": str(tmp_path),
        "PROSUMO_SECRET_KEY": "nodes-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "PROSUMO_SSL_REDIRECT": "0",
        "PROSUMO_DEBUG": "0",
        "PROSUMO_ALLOWED_HOSTS": "localhost,127.0.0.1",
        "PROSUMO_TASKS": "database",
        "PROSUMO_SCHEDULE_CHECK_SECONDS": "0.5",
        "PROSUMO_TOKEN_CACHE_SECONDS": "600",
        "PROSUMO_ANONYMOUS_CACHE_SECONDS": "600",
        "PROSUMO_SIMILARITY": "lexical",
        # many members vote from one address, faster than the site lets one address vote
        "PROSUMO_RATE_LIMIT_VOTE_IP": "off",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("PROSUMO_TEST_POSTGRES", None)

    def run(*args: str, **extra: str) -> str:
        done = subprocess.run(args, env={**env, **extra}, cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    try:
        run(str(BIN / "prosumo"), "migrate")
        seeded = json.loads(run(sys.executable, "-m", "tests.concurrency.site", "seed", "30").splitlines()[-1])
        ideas = {int(k): v for k, v in seeded["ideas"].items()}
        tokens = seeded["tokens"]
        sql(server_url, f'CREATE DATABASE "{name}_replica" TEMPLATE "{name}"')
        # the primary moves on; nothing carries it to the replica
        campaign_table = Campaign._meta.db_table
        slug = str(sql(primary, f"SELECT slug FROM {campaign_table} ORDER BY id LIMIT 1")[0][0])
        # (the title in the default language too: the pages read it from its column)
        sql(
            primary,
            f"UPDATE {campaign_table} SET title = %s, title_en = %s WHERE slug = %s",
            ("Written on the primary", "Written on the primary", slug),
        )
        (tmp_path / "static").mkdir()
        run(str(BIN / "prosumo"), "django", "collectstatic", "--noinput", "--verbosity", "0")

        ports = [free_port(), free_port()]
        logs = [tmp_path / "node0.log", tmp_path / "node1.log"]
        with ExitStack() as stack:
            nodes = []
            for number, port in enumerate(ports):
                log = stack.enter_context(logs[number].open("w"))
                node_env = {**env, **({"DATABASE_REPLICA_URL": replica} if number == 1 else {})}
                command = [str(BIN / "prosumo"), "serve", "--port", str(port), "--workers", "1", "--threads", "4"]
                node = subprocess.Popen(
                    [*command, "--no-collectstatic"],
                    env=node_env,
                    cwd=ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # its own process group, for `stop`
                )
                stack.callback(stop, node)
                nodes.append(node)
            for port, node in zip(ports, nodes, strict=True):
                wait_listening(port, node, logs)

            # then: both nodes check the schedule twice a second, and each periodic task is enqueued once
            jobs = all_periodic()
            deadline = time.monotonic() + 60
            runs_table = ScheduledRun._meta.db_table
            while sql(primary, f"SELECT count(*) FROM {runs_table}")[0][0] < len(jobs):
                assert time.monotonic() < deadline, [p.read_text()[-3000:] for p in logs]
                time.sleep(0.2)
            time.sleep(3)  # a dozen more checks by each node
            from django_tasks_db.models import DBTaskResult

            enqueued = dict(
                sql(
                    primary,
                    f"SELECT task_path, count(*) FROM {DBTaskResult._meta.db_table} GROUP BY task_path",
                )
            )
            assert {job.task: enqueued.get(job.task) for job in all_periodic()} == {
                job.task: 1 for job in all_periodic()
            }

            # when: members vote through both nodes at once, bursts of one member's votes split between them
            requests = plan(tokens=tokens, ideas=ideas, requests=300, bursts=6, burst_size=8, seed=15)
            outcome = fire([f"http://127.0.0.1:{port}" for port in ports], requests, threads=12)
            # then: every vote went through and the tallies, the votes and the event log agree
            assert outcome.failures == [], [p.read_text()[-3000:] for p in logs]
            dumped = run(sys.executable, "-m", "tests.concurrency.site", "dump", *map(str, sorted(ideas)))
            from tests.concurrency.site import rows_from_json

            found = rows_from_json(dumped.splitlines()[-1])
            assert discrepancies(*found, half_life_hours=72.0) == []
            assert found[1] != []

            # the token cache is shared: both nodes trust a token they have checked, until
            # another process revokes it, and then neither does
            bearer = {"Authorization": f"Bearer {tokens[0]}"}
            assert [request(port, "GET", "/api/me", headers=bearer).status for port in ports] == [200, 200]
            run(sys.executable, "-m", "tests.concurrency.site", "revoke", tokens[0])
            assert [request(port, "GET", "/api/me", headers=bearer).status for port in ports] == [401, 401]

            # the anonymous page cache is shared: what one node cached, the other serves
            listing = f"/api/campaigns/{slug}/ideas"
            first = request(ports[0], "GET", listing)
            assert first.status == 200
            idea_id = json.loads(first.body)["items"][0]["id"]
            sql(primary, f"UPDATE {Idea._meta.db_table} SET title = %s WHERE id = %s", ("Renamed meanwhile", idea_id))
            assert request(ports[1], "GET", listing).body == first.body
            assert b"Renamed meanwhile" in request(ports[1], "GET", listing, headers=bearer_of(tokens[1])).body
            voted = request(
                ports[1], "PUT", f"/api/ideas/{idea_id}/vote", body={"value": 1}, headers=bearer_of(tokens[1])
            )
            assert voted.status == 200, voted.body

            # the replica: node 1 answers the campaign page from it, but from the primary for
            # a browser that has just written (the write itself gave it the cookie that says so)
            page = f"/c/{slug}/"
            assert b"Written on the primary" in request(ports[0], "GET", page).body
            from_replica = request(ports[1], "GET", page)
            assert from_replica.status == 200
            assert b"Written on the primary" not in from_replica.body
            assert "prosumo_primary=1" in voted.cookies
            after_write = request(ports[1], "GET", page, headers={"Cookie": "prosumo_primary=1"})
            assert b"Written on the primary" in after_write.body
            assert "prosumo_primary" not in first.cookies  # node 0 has no replica: no such cookie
    finally:
        for database in (f"{name}_replica", name):
            sql(server_url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def all_periodic() -> list[Periodic]:
    from django.apps import apps

    return [job for config in apps.get_app_configs() for job in getattr(config, "periodic", ())]
