"""Django's SQLite backend, retrying a write that finds the database locked.

SQLite lets one writer at a time hold the write lock. Each attempt waits for it up to
the ``timeout`` option (SQLite's own busy handler); this backend then tries again, with
a growing pause, until ``lock_wait`` seconds have passed in all, and only then lets
"database is locked" reach the caller. It retries only what is safe to repeat: the
``BEGIN`` that opens a transaction, and a statement run outside any transaction (in
autocommit it either wrote everything or nothing); ``executemany`` outside a transaction
commits row by row and is not retried. A statement inside a transaction is
never repeated: with ``BEGIN IMMEDIATE`` the transaction already holds the lock, and
repeating a statement of a half-done transaction could not be right anyway.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from django.db.backends.sqlite3 import base

logger = logging.getLogger("prosumo.db")

T = TypeVar("T")

DEFAULT_LOCK_WAIT_SECONDS = 30.0
FIRST_PAUSE_SECONDS = 0.05
LONGEST_PAUSE_SECONDS = 1.0


def is_locked(error: BaseException) -> bool:
    """True for SQLite's "database is locked" (SQLITE_BUSY), the error worth waiting out."""
    return isinstance(error, sqlite3.OperationalError) and "database is locked" in str(error)


def wait_out_lock(attempt: Callable[[], T], *, lock_wait: float, what: str) -> T:
    """Call ``attempt`` until it does not fail with "database is locked", for ``lock_wait`` seconds in all."""
    started = time.monotonic()
    pause = FIRST_PAUSE_SECONDS
    tries = 0
    while True:
        tries += 1
        try:
            return attempt()
        except sqlite3.OperationalError as error:
            waited = time.monotonic() - started
            if not is_locked(error) or waited >= lock_wait:
                if is_locked(error):
                    logger.warning(
                        "SQLite: %s gave up after %.1f s and %d tries: database is locked", what, waited, tries
                    )
                raise
            logger.info(
                "SQLite: database is locked for %s; waited %.1f s of %.0f s, trying again", what, waited, lock_wait
            )
            time.sleep(min(pause * (0.5 + random.random()), max(lock_wait - waited, 0)))
            pause = min(pause * 2, LONGEST_PAUSE_SECONDS)


class SQLiteCursorWrapper(base.SQLiteCursorWrapper):
    lock_wait: float = DEFAULT_LOCK_WAIT_SECONDS

    def execute(self, query: str, params: Any = None) -> Any:
        if self.connection.in_transaction:
            return super().execute(query, params)
        # Outside a transaction (a BEGIN, or a statement in autocommit) a statement that
        # failed left nothing behind, so running it again is safe.
        run = super().execute
        return wait_out_lock(lambda: run(query, params), lock_wait=self.lock_wait, what=query.split(None, 1)[0])


def create_private(path: Path) -> None:
    """Create an empty database file only its owner may read and write (0600), if there is none.

    SQLite would create it with the process's umask, commonly readable by every local
    user; it gives the ``-wal`` and ``-shm`` files it adds later the database file's own
    mode, so setting it here covers all three.
    """
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def database_file(name: Any) -> Path | None:
    """The file a database NAME refers to; None for an in-memory database or a URI."""
    text = str(name)
    if not text or text == ":memory:" or text.startswith("file:") or "mode=memory" in text:
        return None
    return Path(text)


class DatabaseWrapper(base.DatabaseWrapper):
    """SQLite with the ``lock_wait`` option: seconds a write may wait for the lock in all.

    A database file this backend creates is readable by its owner only (`create_private`).
    """

    lock_wait: float = DEFAULT_LOCK_WAIT_SECONDS

    def get_connection_params(self) -> dict[str, Any]:
        params: dict[str, Any] = super().get_connection_params()
        self.lock_wait = float(params.pop("lock_wait", DEFAULT_LOCK_WAIT_SECONDS))
        return params

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        path = database_file(conn_params.get("database", ""))
        if path is not None and not path.exists() and path.parent.is_dir():
            create_private(path)
        return super().get_new_connection(conn_params)

    def create_cursor(self, name: str | None = None) -> SQLiteCursorWrapper:
        cursor: SQLiteCursorWrapper = self.connection.cursor(factory=SQLiteCursorWrapper)
        cursor.lock_wait = self.lock_wait
        return cursor
