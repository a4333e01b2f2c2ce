"""Backing up and restoring a SQLite database through SQLite's online backup API.

The backup API copies the database page by page as one read transaction, so the copy
is consistent while the site keeps writing (in WAL mode readers do not block writers).
A restore runs the same API the other way, as one write transaction on the target:
other connections see the old database or the new one, never a mix.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from prosumo.core.errors import BackupFailed


@contextmanager
def _open(path: Path, mode: str) -> Iterator[sqlite3.Connection]:
    """A connection that never creates a file (`mode` is SQLite's `ro` or `rw`)."""
    uri = f"{path.resolve().as_uri()}?mode={mode}"
    with closing(sqlite3.connect(uri, uri=True, timeout=20)) as connection:
        yield connection


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def version() -> str:
    return sqlite3.sqlite_version


def backup(source: Path, target: Path) -> None:
    """Copy the live database at `source` into a new file `target`, self-contained (no WAL file)."""
    try:
        with _open(source, "rw") as reader, closing(sqlite3.connect(target)) as writer:
            reader.backup(writer)
            writer.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as exc:
        raise BackupFailed(f"Could not copy the database {source}: {exc}.") from exc


def tables(path: Path) -> dict[str, int]:
    """Every table (with the search index's) and its number of rows."""
    with _open(path, "ro") as connection:
        names = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {name: _count(connection, name) for name in sorted(names)}


def migrations(path: Path) -> dict[str, list[str]]:
    with _open(path, "ro") as connection:
        try:
            rows = connection.execute("SELECT app, name FROM django_migrations ORDER BY app, id").fetchall()
        except sqlite3.OperationalError:
            return {}
    applied: dict[str, list[str]] = {}
    for app, name in rows:
        applied.setdefault(app, []).append(name)
    return applied


def table_names(path: Path) -> set[str]:
    """The tables of the target database (none when there is no file yet)."""
    if not path.exists():
        return set()
    with _open(path, "ro") as connection:
        return {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def row_count(path: Path, table: str) -> int:
    with _open(path, "ro") as connection:
        return _count(connection, table)


def _count(connection: sqlite3.Connection, table: str) -> int:
    return int(connection.execute(f"SELECT count(*) FROM {_quote(table)}").fetchone()[0])  # noqa: S608 (quoted name)


def restore(source: Path, target: Path) -> None:
    """Replace the database at `target` with the backup file `source`, in one write transaction."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with _open(source, "ro") as reader, closing(sqlite3.connect(target, timeout=20)) as writer:
            reader.backup(writer)
    except sqlite3.Error as exc:
        raise BackupFailed(f"Could not restore {source} into {target}: {exc}. The database was not changed.") from exc
