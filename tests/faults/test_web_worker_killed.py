"""One of the web server's worker processes killed under load: the other answers, and it is replaced."""

from __future__ import annotations

import os
import signal
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from prosumo.cli import web_server_command
from tests.faults.conftest import children, free_port, wait_until

pytestmark = pytest.mark.faults

THREADS = 4
LOAD_SECONDS = 8.0
KILL_AFTER_SECONDS = 2.0


@dataclass
class Outcome:
    started: float
    ended: float
    status: int | str


def load(url: str, until: float, outcomes: list[Outcome]) -> None:
    """Send GET requests one after another, each on a new connection, until ``until``."""
    while time.monotonic() < until:
        started = time.monotonic()
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                response.read()
                status: int | str = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        except Exception as error:  # a connection reset, or a response cut short
            status = f"{type(error).__name__}: {error}"
        outcomes.append(Outcome(started, time.monotonic(), status))


def test_the_site_keeps_answering_when_a_web_worker_is_killed(site):
    # given the web server as `prosumo serve` runs it: 2 processes of 4 threads
    port = free_port()
    server = site.start("web", *web_server_command(host="127.0.0.1", port=port, workers=2, threads=4))
    url = f"http://127.0.0.1:{port}/api/campaigns"
    wait_until(lambda: len(children(server.pid)) == 2, timeout=30, what="two web worker processes")

    def answers() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    wait_until(answers, timeout=120, what="the site answering")
    workers = sorted(children(server.pid))
    # when 4 clients load it for 8 s and one worker process is killed after 2 s
    outcomes: list[Outcome] = []
    until = time.monotonic() + LOAD_SECONDS
    clients = [threading.Thread(target=load, args=(url, until, outcomes)) for _ in range(THREADS)]
    for client in clients:
        client.start()
    time.sleep(KILL_AFTER_SECONDS)
    killed_at = time.monotonic()
    os.kill(workers[0], signal.SIGKILL)
    # (the kernel takes a moment to end all of a process's threads, and only then closes its
    # listening socket; the process is gone from /proc once the web server has reaped it)
    wait_until(
        lambda: not Path(f"/proc/{workers[0]}").exists(), timeout=5, what="the killed process reaped", every=0.005
    )
    gone_at = time.monotonic()
    for client in clients:
        client.join()
    # then every request sent once the killed process was reaped was answered 200 by the other one;
    # the only failures are requests under way while it was being killed (sent before it was
    # reaped, not finished when the kill was sent)
    after = [o for o in outcomes if o.started >= gone_at]
    failed = [o for o in outcomes if o.status != 200]
    assert {o.status for o in after} == {200}, [o for o in after if o.status != 200]
    assert len(after) >= 20
    assert all(o.started < gone_at and o.ended >= killed_at for o in failed), failed
    # and the server replaced the killed process, and still runs
    replaced = wait_until(
        lambda: (found := set(children(server.pid))) and len(found) == 2 and workers[0] not in found and found,
        timeout=90,  # a new worker loads the whole site first: seconds alone, far longer on a busy machine
        what="a new web worker process in place of the killed one",
    )
    assert workers[1] in replaced
    assert server.poll() is None
    assert answers()
