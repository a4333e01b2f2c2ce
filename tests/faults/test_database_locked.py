"""A database locked for longer than the lock wait, several times over, stops no worker: it waits, logs, and
sends the mail once the lock is gone."""

from __future__ import annotations

import json
import sqlite3
import sys
import time

import pytest

from prosumo.core.scheduler import schedule
from tests.browser.smtp import text_of
from tests.faults.conftest import wait_until

pytestmark = pytest.mark.faults

# The worker waits up to LOCK_WAIT seconds for the lock (30 in production), then logs and tries again; the lock
# outlasts that wait three times over, so every statement of the worker (the task, its heartbeat, the
# schedule check) gives up at least once while it is held.
LOCK_WAIT = 5
LOCK_SECONDS = 3 * LOCK_WAIT + 3


def test_the_worker_outlives_a_long_write_lock_and_then_sends_the_mail(site, mailbox):
    # given a notification email queued for the author (a reviewer moved their idea)
    queued = json.loads(site.run(sys.executable, "-m", "tests.faults.site", "stage-change").splitlines()[-1])
    assert site.sql("SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'READY'") != [(0,)]
    # and another connection holding the write lock, as a long write elsewhere would
    holder = sqlite3.connect(site.database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    # when the default queue's worker (with the schedule) runs
    site.env["PROSUMO_SQLITE_LOCK_WAIT_SECONDS"] = str(LOCK_WAIT)
    worker = site.prosumo("worker", "worker", "--queue", "default")
    try:
        # (the lock's time counts from the worker's start: a loaded machine may take long to start it)
        wait_until(lambda: "Starting worker" in site.log("worker"), timeout=120, what="the worker's start")
        locked_at = time.monotonic()
        while time.monotonic() - locked_at < LOCK_SECONDS:
            # then for as long as the lock is held it stays up and sends nothing
            assert worker.poll() is None, site.log("worker")[-3000:]
            assert mailbox.messages == []
            time.sleep(1)
    finally:
        holder.execute("COMMIT")
        holder.close()
    # when the lock is released, the same process sends the mail
    message = mailbox.wait_for(to=queued["author"], timeout=40)
    assert "Our tent team is on it." in text_of(message)
    assert worker.poll() is None
    # and its schedule thread, which failed while the lock held, ran again
    wait_until(
        lambda: site.sql("SELECT count(*) FROM core_scheduledrun") == [(len(schedule()),)],
        timeout=20,
        what="the periodic tasks enqueued after the lock",
    )
    log = site.log("worker")
    assert "database error (database is locked); trying again" in log
    assert "schedule check failed; it runs again in 2 s" in log
    assert "heartbeat failed; it runs again in" in log
    assert site.sql("SELECT count(*) FROM notifications_notification WHERE emailed_at IS NOT NULL") == [(1,)]
    assert [m["To"] for m in mailbox.messages] == [queued["author"]]
