"""The SQLite backend (prosumo.core.db.sqlite) waits out a locked database, up to its lock_wait, then fails.

Each test opens its own SQLite file with the backend, and a second, plain sqlite3
connection that holds the write lock (``BEGIN IMMEDIATE``) as another process would.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError, connections, transaction

from prosumo.core.db.sqlite.base import DatabaseWrapper

ALIAS = "lock_wait_test"


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "locks.sqlite3"
    with sqlite3.connect(path) as setup:
        setup.execute("PRAGMA journal_mode=WAL")
        setup.execute("CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER NOT NULL)")
        setup.execute("INSERT INTO counter VALUES (1, 0)")
    setup.close()
    return path


def open_backend(path: Path, **options: Any) -> DatabaseWrapper:
    settings_dict = connections.configure_settings(
        {"default": {}, ALIAS: {"ENGINE": "prosumo.core.db.sqlite", "NAME": str(path), "OPTIONS": options}}
    )[ALIAS]
    wrapper = DatabaseWrapper(settings_dict, alias=ALIAS)
    connections[ALIAS] = wrapper
    return wrapper


@pytest.fixture
def backend(django_db_blocker: Any) -> Iterator[Any]:
    opened: list[DatabaseWrapper] = []

    def make(path: Path, **options: Any) -> DatabaseWrapper:
        wrapper = open_backend(path, **options)
        opened.append(wrapper)
        return wrapper

    with django_db_blocker.unblock():
        yield make
        for wrapper in opened:
            wrapper.close()
        del connections[ALIAS]


def hold_write_lock(path: Path, seconds: float) -> threading.Thread:
    """Another connection takes the write lock now and commits after `seconds`."""
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")

    def release() -> None:
        time.sleep(seconds)
        holder.execute("COMMIT")
        holder.close()

    thread = threading.Thread(target=release)
    thread.start()
    return thread


def value(path: Path) -> int:
    with sqlite3.connect(path) as reader:
        found = reader.execute("SELECT value FROM counter WHERE id = 1").fetchone()[0]
    reader.close()
    return int(found)


def test_a_write_outside_a_transaction_waits_until_the_lock_is_released(database, backend):
    # given a lock held for 1 s, and a backend whose SQLite busy timeout is 0.1 s per attempt
    wrapper = backend(database, timeout=0.1, lock_wait=10)
    holder = hold_write_lock(database, 1.0)
    started = time.monotonic()
    # when
    with wrapper.cursor() as cursor:
        cursor.execute("UPDATE counter SET value = value + 1 WHERE id = 1")
    # then it waited for the lock, tried again past the busy timeout, and wrote once
    waited = time.monotonic() - started
    holder.join()
    assert 0.9 < waited < 5
    assert value(database) == 1


def test_a_transaction_waits_for_the_lock_at_begin(database, backend):
    # given
    backend(database, timeout=0.1, lock_wait=10, transaction_mode="IMMEDIATE")
    holder = hold_write_lock(database, 1.0)
    started = time.monotonic()
    # when
    with transaction.atomic(using=ALIAS), connections[ALIAS].cursor() as cursor:
        cursor.execute("UPDATE counter SET value = value + 1 WHERE id = 1")
        cursor.execute("UPDATE counter SET value = value + 1 WHERE id = 1")
    # then
    waited = time.monotonic() - started
    holder.join()
    assert 0.9 < waited < 5
    assert value(database) == 2


def test_the_write_fails_once_the_lock_wait_is_spent_and_changes_nothing(database, backend):
    # given a lock held for 1.5 s and a backend that waits 0.5 s in all
    wrapper = backend(database, timeout=0.1, lock_wait=0.5, transaction_mode="IMMEDIATE")
    holder = hold_write_lock(database, 1.5)
    started = time.monotonic()
    # when / then
    with pytest.raises(OperationalError, match="database is locked"), transaction.atomic(using=ALIAS):
        wrapper.cursor().execute("UPDATE counter SET value = value + 1 WHERE id = 1")
    waited = time.monotonic() - started
    assert 0.5 <= waited < 1.4
    holder.join()
    assert value(database) == 0


def test_a_statement_inside_a_transaction_is_not_repeated(database, backend):
    # given a deferred transaction that read the row, then another connection wrote it
    wrapper = backend(database, timeout=0.1, lock_wait=10)
    with transaction.atomic(using=ALIAS), wrapper.cursor() as cursor:
        cursor.execute("SELECT value FROM counter WHERE id = 1")
        other = sqlite3.connect(database, isolation_level=None)
        other.execute("UPDATE counter SET value = 5 WHERE id = 1")
        other.close()
        started = time.monotonic()
        # when this transaction writes on its stale snapshot
        with pytest.raises(OperationalError, match="database is locked"):
            cursor.execute("UPDATE counter SET value = value + 1 WHERE id = 1")
        # then SQLite refuses at once, and the backend does not repeat the statement for 10 s
        assert time.monotonic() - started < 1
        transaction.set_rollback(True, using=ALIAS)
    assert value(database) == 5
