"""Real parts for the fault tests: a site on a SQLite file, real `prosumo` processes, a real SMTP server.

* ``site``: a migrated SQLite site in the test's folder (a copy of the run's migrated
  template, ``migrated_sqlite``), with the environment its child processes run in, and helpers to start
  `prosumo` commands (their output goes to a log file in the folder), read the
  database with plain SQL, and list a process's children.
* ``mailbox``: an aiosmtpd server on 127.0.0.1 (tests/browser/smtp.py) that the site
  sends its mail to.

Every test module here is marked ``faults``: ``pytest -m faults`` runs them alone.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.browser.smtp import Mailbox
from tests.migrated import copy_migrated

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(condition: Callable[[], Any], *, timeout: float, what: str, every: float = 0.1) -> Any:
    """Poll ``condition`` until it returns something true; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(every)


def children(pid: int) -> dict[int, str]:
    """The live child processes of ``pid``: their pids and command lines."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found[int(entry.name)] = cmdline
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return state[state.rindex(")") + 2] != "Z"


def base_env(folder: Path, database: Path) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PROSUMO_", "DATABASE_URL", "DJANGO_"))},
        "DJANGO_SETTINGS_MODULE": "prosumo.settings",
        "DATABASE_URL": f"sqlite:///{database}",
        "PROSUMO_DATA_DIR": str(folder),
        "PROSUMO_SECRET_KEY": "fault-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "PROSUMO_SSL_REDIRECT": "0",
        "PROSUMO_DEBUG": "0",
        "PROSUMO_TASKS": "database",
        "PROSUMO_NOTIFICATION_COLLAPSE_SECONDS": "0",  # the stage-change mail goes at once
        "PROSUMO_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",
    }


@dataclass
class Site:
    folder: Path
    database: Path
    env: dict[str, str]
    started: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def run(self, *args: str) -> str:
        """Run a command to its end; its standard output."""
        done = subprocess.run(args, env=self.env, cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        """Start a command in the background; its output goes to ``<name>.log`` in the site's folder."""
        log = (self.folder / f"{name}.log").open("ab")
        process = subprocess.Popen(args, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self.started.append(process)
        return process

    def prosumo(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        return self.start(name, sys.executable, "-m", "prosumo.cli", *args)

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.database, timeout=30) as connection:
            rows = connection.execute(query, params).fetchall()
        connection.close()
        return rows

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.started:
            try:
                process.wait(timeout=25)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def site(tmp_path: Path, migrated_sqlite: Path) -> Iterator[Site]:
    database = tmp_path / "site.sqlite3"
    copy_migrated(migrated_sqlite, database)
    env = base_env(tmp_path, database)
    env.update(
        PROSUMO_WORKER_HEARTBEAT_SECONDS="0.5",
        PROSUMO_WORKER_STALE_SECONDS="3",
        PROSUMO_SCHEDULE_CHECK_SECONDS="2",
    )
    running = Site(folder=tmp_path, database=database, env=env)
    try:
        yield running
    finally:
        running.stop_all()


@pytest.fixture
def mailbox(site: Site) -> Iterator[Mailbox]:
    from aiosmtpd.controller import Controller

    box = Mailbox(port=free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    site.env.update(PROSUMO_EMAIL_HOST="127.0.0.1", PROSUMO_EMAIL_PORT=str(box.port))
    try:
        yield box
    finally:
        controller.stop()
