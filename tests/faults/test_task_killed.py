"""A worker killed in the middle of a webhook delivery: the next worker delivers it, and only once."""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.faults.conftest import alive, wait_until

pytestmark = pytest.mark.faults


class StallingReceiver:
    """An HTTP endpoint that never answers its first request, and answers 200 to the others."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append({"delivery": self.headers["X-Prosumo-Delivery"], "body": body})
                if len(receiver.received) == 1:
                    receiver.release.wait(60)
                    return
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/prosumo"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[StallingReceiver]:
    started = StallingReceiver()
    yield started
    started.close()


def test_a_delivery_killed_mid_try_is_delivered_once_by_the_next_worker(site, receiver):
    # given a delivery queued for a receiver that stalls on its first request;
    # a claim lasts 2 s, a worker silent for 3 s is dead (production: 60 s each)
    site.env["PROSUMO_WEBHOOK_CLAIM_SECONDS"] = "2"
    site.env["PROSUMO_WEBHOOK_ALLOWED_HOSTS"] = "127.0.0.1"  # the receiver is local, as an internal one would be
    queued = json.loads(site.run(sys.executable, "-m", "tests.faults.site", "webhook", receiver.url).splitlines()[-1])
    delivery_id = queued["delivery"]
    first = site.prosumo("first-worker", "worker", "--queue", "webhooks")
    wait_until(lambda: len(receiver.received) == 1, timeout=30, what="the first try reached the receiver")
    # when the worker is killed while the receiver holds the request
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    # then the delivery and its task are left as the kill found them
    assert site.sql("SELECT status, attempts FROM integrations_webhookdelivery") == [("pending", 0)]
    task_row = "SELECT status, worker_ids, return_value FROM django_tasks_database_dbtaskresult WHERE task_path = ?"
    deliver = "prosumo.integrations.tasks.deliver_webhook"
    [(status, worker_ids, _)] = site.sql(task_row, deliver)
    assert (status, len(json.loads(worker_ids))) == ("RUNNING", 1)
    # when a new worker starts on the queue
    second = site.prosumo("second-worker", "worker", "--queue", "webhooks")
    wait_until(
        lambda: site.sql("SELECT status FROM integrations_webhookdelivery") == [("delivered",)],
        timeout=30,
        what="the delivery delivered by the second worker",
    )
    # then the task was put back in the queue and run by it: the receiver got the same delivery twice,
    # answered the second, and the delivery records that one try, with no error
    wait_until(lambda: site.sql(task_row, deliver)[0][0] == "SUCCESSFUL", timeout=10, what="the task recorded as done")
    [(status, worker_ids, return_value)] = site.sql(task_row, deliver)
    hostname = socket.gethostname()[:40]
    assert [w.split(":")[:2] for w in json.loads(worker_ids)] == [
        [hostname, str(first.pid)],
        [hostname, str(second.pid)],
    ]
    assert return_value == "true"
    assert site.sql("SELECT status, attempts, last_error FROM integrations_webhookdelivery") == [("delivered", 1, "")]
    assert [r["delivery"] for r in receiver.received] == [str(delivery_id), str(delivery_id)]
    assert receiver.received[0]["body"] == receiver.received[1]["body"]
    assert "was left running by worker" in site.log("second-worker")
    # and nothing is sent again in the next few seconds (claims and reaping run every 0.5 to 3 s)
    receiver.release.set()
    time.sleep(4)
    assert len(receiver.received) == 2
    assert alive(second.pid)
