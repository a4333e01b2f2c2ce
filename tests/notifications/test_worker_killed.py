"""Kill the worker in the middle of a mail: the next worker delivers it, under the same Message-ID.

Real parts throughout: `prosumo worker` processes on a SQLite file with the database
task queue, a real SMTP server (aiosmtpd) that stalls in DATA, and SIGKILL.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.browser.smtp import smtp_server
from tests.migrated import copy_migrated

ROOT = Path(__file__).resolve().parents[2]
CLAIM_SECONDS = 2

pytestmark = pytest.mark.faults


def site_env(database: Path, folder: Path, *, smtp_port: int) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "prosumo.settings",
        "DATABASE_URL": f"sqlite:///{database}",
        "PROSUMO_DATA_DIR": str(folder),
        "PROSUMO_SECRET_KEY": "mail-fault-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "PROSUMO_TASKS": "database",
        "PROSUMO_EMAIL_HOST": "127.0.0.1",
        "PROSUMO_EMAIL_PORT": str(smtp_port),
        "PROSUMO_EMAIL_TIMEOUT": "30",
        "PROSUMO_MAIL_CLAIM_SECONDS": str(CLAIM_SECONDS),
        "PROSUMO_SSL_REDIRECT": "0",
        "PYTHONPATH": str(ROOT),
    }


@pytest.mark.parametrize(
    ("stall", "copies"),
    [
        # The server had not said OK when the worker died: it keeps nothing, the retry delivers once.
        ("before_accepting", 1),
        # The server had kept the message but the worker died before hearing OK: the retry sends
        # it again, and the receiver sees two copies with one Message-ID (docs/operations.md, "Mail").
        ("after_storing", 2),
    ],
)
def test_a_worker_killed_mid_send_leaves_the_mail_to_the_next_worker(
    migrated_sqlite: Path, tmp_path: Path, stall: str, copies: int
) -> None:
    database = tmp_path / "db.sqlite3"
    copy_migrated(migrated_sqlite, database)
    with smtp_server(stall=stall) as box:
        env = site_env(database, tmp_path, smtp_port=box.port)

        def run(*args: str) -> str:
            done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
            assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
            return done.stdout

        def rows() -> list[dict[str, Any]]:
            return json.loads(run(sys.executable, "-m", "tests.notifications.mailsite", "rows").splitlines()[-1])

        # given an invitation whose mail is queued, and a worker sending it into a server that stalls in DATA
        run(sys.executable, "-m", "tests.notifications.mailsite", "invite", "friend@example.org")
        log = (tmp_path / "worker-1.log").open("w")
        first = subprocess.Popen(
            # one process serving the default queue, the one that sends: without --queue, `worker`
            # supervises a child per queue, and killing the supervisor would leave its sender running
            [sys.executable, "-m", "prosumo.cli", "worker", "--queue", "default", "--no-schedule", "--interval", "0.2"],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            assert box.stalled.wait(timeout=60), (tmp_path / "worker-1.log").read_text()[-3000:]
        finally:
            # when the worker is killed in the middle of the mail
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
            log.close()
        [row] = rows()
        assert (row["status"], row["attempts"]) == ("sending", 1)
        assert len(box.received()) == copies - 1
        # and, once its claim has lapsed, the periodic retry runs in another worker
        time.sleep(CLAIM_SECONDS + 0.5)
        run(sys.executable, "-m", "tests.notifications.mailsite", "retry")
        run(sys.executable, "-m", "prosumo.cli", "worker", "--batch", "--no-schedule")
        time.sleep(0.5)  # anything still on its way would arrive now
        received = box.received()
    # then the mail was delivered, every copy under the one Message-ID it was queued with
    [row] = rows()
    assert (row["to"], row["status"], row["attempts"]) == ("friend@example.org", "sent", 2)
    assert len(received) == copies
    assert {m["Message-ID"] for m in received} == {row["message_id"]}
    assert {str(m["To"]) for m in received} == {"friend@example.org"}
