"""`prosumo worker` and `prosumo serve` keep their children running, give up loudly, and stop cleanly."""

from __future__ import annotations

import json
import os
import signal
import urllib.request
from datetime import UTC, datetime

import pytest

from tests.faults.conftest import alive, children, free_port, wait_until

pytestmark = pytest.mark.faults

QUEUES = ("default", "webhooks", "bulk")


def worker_pids(supervisor: int) -> dict[str, int]:
    """The supervisor's worker processes by queue."""
    found = {}
    for pid, command in children(supervisor).items():
        words = command.split()
        if "--queue" in words:
            found[words[words.index("--queue") + 1]] = pid
    return found


def beating(site, queue: str, pid: int) -> bool:
    rows = site.sql("SELECT queues FROM core_workerheartbeat WHERE pid = ?", pid)
    return [json.loads(q) for (q,) in rows] == [[queue]]


def all_beating(site, supervisor: int) -> dict[str, int] | None:
    pids = worker_pids(supervisor)
    if set(pids) == set(QUEUES) and all(beating(site, q, p) for q, p in pids.items()):
        return pids
    return None


def nothing_due(site) -> None:
    """The periodic tasks ran a moment ago, so the workers start with nothing to do."""
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    for name in ("expire_support_gates", "retry_webhooks", "send_daily_digests", "nightly_insights", "reactions_sweep"):
        site.sql("INSERT INTO core_scheduledrun (name, last_enqueued_at) VALUES (?, ?)", name, now)


def test_a_killed_worker_is_restarted_until_it_dies_too_often(site):
    # given `prosumo worker`: one process per queue, at most 2 restarts of one within 120 s
    supervisor = site.prosumo("workers", "worker", "--no-schedule", "--max-restarts", "2", "--restart-window", "120")
    pids = wait_until(lambda: all_beating(site, supervisor.pid), timeout=60, what="a beating worker per queue")
    # when the default queue's worker is killed, twice
    for restart, pause in ((1, 1), (2, 2)):
        killed = pids["default"]
        os.kill(killed, signal.SIGKILL)
        # then a new one takes its place and beats, and the others go on
        pids = wait_until(
            lambda killed=killed: (found := all_beating(site, supervisor.pid)) and found["default"] != killed and found,
            timeout=60,
            what=f"restart {restart} of the default worker",
        )
        assert supervisor.poll() is None
        assert (
            f"worker default was killed by SIGKILL; restarting it in {pause} s (restart {restart} of at most 2 in 120 s)"
            in site.log("workers")
        )
    # when it is killed a third time within the window
    os.kill(pids["default"], signal.SIGKILL)
    # then the supervisor stops the other workers and exits 1, for the service manager to act on
    assert supervisor.wait(timeout=40) == 1
    assert "worker default was killed by SIGKILL (3 exits in 120 s): giving up and stopping everything" in site.log(
        "workers"
    )
    assert [queue for queue, pid in pids.items() if alive(pid)] == []
    # the workers that were stopped removed their heartbeats; the three killed ones left theirs
    assert sorted(q for (q,) in site.sql("SELECT queues FROM core_workerheartbeat")) == ['["default"]'] * 3


def test_serve_stops_everything_on_sigterm_and_exits_1_when_the_web_server_ends(site):
    nothing_due(site)
    port = free_port()
    arguments = ("serve", "--port", str(port), "--workers", "1", "--threads", "2", "--no-collectstatic")

    def up(serve) -> dict[str, int] | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                healthy = response.status == 200
        except OSError:
            healthy = False
        return all_beating(site, serve.pid) if healthy else None

    # given `prosumo serve` up: the web server and a worker per queue
    serve = site.prosumo("serve", *arguments)
    workers = wait_until(lambda: up(serve), timeout=60, what="the site and its workers up")
    processes = set(children(serve.pid))
    assert len(processes) == 4
    # when it gets SIGTERM
    serve.send_signal(signal.SIGTERM)
    # then it stops every child and exits 0; the workers removed their heartbeats
    assert serve.wait(timeout=40) == 0
    assert [pid for pid in processes if alive(pid)] == []
    assert site.sql("SELECT count(*) FROM core_workerheartbeat") == [(0,)]
    assert "Received SIGTERM: stopping" in site.log("serve")
    # given it running again
    serve = site.prosumo("serve-again", *arguments)
    workers = wait_until(lambda: up(serve), timeout=60, what="the site and its workers up again")
    [web] = [pid for pid, command in children(serve.pid).items() if "granian" in command]
    # when the web server stops by itself
    os.kill(web, signal.SIGTERM)
    # then serve stops the workers and exits 1
    assert serve.wait(timeout=40) == 1
    assert "web server exited with code 0: stopping everything" in site.log("serve-again")
    assert [pid for pid in workers.values() if alive(pid)] == []
