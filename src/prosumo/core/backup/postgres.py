"""Backing up and restoring a PostgreSQL database with pg_dump, pg_restore and psql.

The backup exports a snapshot from a repeatable-read transaction, reads the applied
migrations and the row counts in it, and has pg_dump dump that same snapshot: the
manifest describes exactly the dump, while the site keeps writing.

The restore feeds pg_restore's SQL to psql inside one transaction that first drops what
the schema holds, then creates and loads the backup's tables, then checks every table's
row count against the manifest, and commits only if all of that succeeded: a failure at
any point leaves the database as it was.

The connection comes from DATABASE_URL through libpq's environment variables
(PGHOST, PGPASSWORD, ...), so a password never appears on a command line.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.db import DatabaseError, connection

from prosumo.core.backup.manifest import CHUNK
from prosumo.core.errors import BackupFailed, InvalidInput

# libpq reads these connection options from the environment; Django's OPTIONS may carry them.
_LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "sslpassword": "PGSSLPASSWORD",
    "channel_binding": "PGCHANNELBINDING",
    "gssencmode": "PGGSSENCMODE",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "options": "PGOPTIONS",
    "application_name": "PGAPPNAME",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
}
_DROP = {"v": "VIEW", "m": "MATERIALIZED VIEW", "f": "FOREIGN TABLE", "S": "SEQUENCE"}


@dataclass(frozen=True)
class Snapshot:
    schema: str
    migrations: dict[str, list[str]]
    tables: dict[str, int]


def binary(name: str) -> str:
    """A PostgreSQL client program: from PROSUMO_PG_BINDIR, PATH, or the newest /usr/lib/postgresql/*/bin."""
    folder = os.environ.get("PROSUMO_PG_BINDIR")
    if folder:
        candidate = Path(folder) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
        raise InvalidInput(f"{name} is not in PROSUMO_PG_BINDIR ({folder}).")
    found = shutil.which(name)
    if found:
        return found
    installed = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=_major, reverse=True)
    if installed:
        return str(installed[0])
    raise InvalidInput(
        f"{name} was not found on PATH nor under /usr/lib/postgresql. Install the PostgreSQL client programs "
        "(Debian and Ubuntu: apt-get install postgresql-client), or set PROSUMO_PG_BINDIR to the folder "
        "that holds pg_dump, pg_restore and psql."
    )


def _major(path: Path) -> tuple[int, str]:
    version = path.parent.parent.name
    return (int(version) if version.isdigit() else -1, version)


def environment(settings_dict: dict[str, Any]) -> dict[str, str]:
    """The process environment with the database's connection in libpq's variables (password included)."""
    env = dict(os.environ)
    for key, variable in [
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ]:
        value = settings_dict.get(key)
        if value not in (None, ""):
            env[variable] = str(value)
    for option, variable in _LIBPQ_OPTIONS.items():
        value = settings_dict.get("OPTIONS", {}).get(option)
        if value not in (None, ""):
            env[variable] = str(value)
    return env


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _relations(cursor: Any, schema: str, kinds: str) -> list[tuple[str, str]]:
    cursor.execute(
        "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relkind = ANY(%s) ORDER BY c.relname",
        [schema, list(kinds)],
    )
    return [(str(name), str(kind)) for name, kind in cursor.fetchall()]


def backup(target: Path, *, leave_out: list[str] | tuple[str, ...] = ()) -> Snapshot:
    """pg_dump the database into `target` (custom format) and describe what the dump holds.

    The tables named in ``leave_out`` (their rows, indexes and constraints) are not dumped.
    """
    pg_dump = binary("pg_dump")
    env = environment(connection.settings_dict)
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                cursor.execute("SELECT pg_export_snapshot(), current_schema()")
                snapshot_id, schema = cursor.fetchone()
                if schema is None:
                    raise InvalidInput("The database user has no schema to work in (search_path is empty).")
                tables = {}
                for name, _kind in _relations(cursor, schema, "rp"):
                    if name in leave_out:
                        continue
                    cursor.execute(f"SELECT count(*) FROM {_quote(schema)}.{_quote(name)}")  # noqa: S608 (names quoted by _quote)
                    tables[name] = int(cursor.fetchone()[0])
                migrations: dict[str, list[str]] = {}
                if "django_migrations" in tables:
                    cursor.execute(f"SELECT app, name FROM {_quote(schema)}.django_migrations ORDER BY app, id")  # noqa: S608 (names quoted by _quote)
                    for app, name in cursor.fetchall():
                        migrations.setdefault(app, []).append(name)
                command = [
                    pg_dump,
                    "--format=custom",
                    f"--file={target}",
                    f"--snapshot={snapshot_id}",
                    f"--schema={schema}",
                    "--no-password",
                    *(f"--exclude-table={_quote(schema)}.{_quote(name)}" for name in leave_out),
                ]
                result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
                if result.returncode != 0:
                    raise BackupFailed(f"pg_dump failed: {result.stderr.strip()}")
            finally:
                cursor.execute("ROLLBACK")
    except DatabaseError as exc:
        raise BackupFailed(f"Could not read the database (DATABASE_URL): {exc}") from exc
    return Snapshot(schema=schema, migrations=migrations, tables=tables)


def table_names(schema: str) -> set[str]:
    try:
        with connection.cursor() as cursor:
            return {name for name, _kind in _relations(cursor, schema, "rpvmf")}
    except DatabaseError as exc:
        raise BackupFailed(f"Could not read the database (DATABASE_URL): {exc}") from exc


def row_count(schema: str, table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {_quote(schema)}.{_quote(table)}")  # noqa: S608 (names quoted by _quote)
        return int(cursor.fetchone()[0])


def _preamble(schema: str) -> str:
    """SQL that opens the transaction and drops every table, view, sequence and function in the schema."""
    kinds = " ".join(f"WHEN '{kind}' THEN '{word}'" for kind, word in _DROP.items())
    return f"""BEGIN;
SET client_min_messages = warning;
CREATE SCHEMA IF NOT EXISTS {_quote(schema)};
DO $prosumo_clear$
DECLARE item record;
BEGIN
  FOR item IN
    SELECT c.relkind, format('%I.%I', n.nspname, c.relname) AS name
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = {_literal(schema)} AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
    ORDER BY c.relkind = 'S', c.relname
  LOOP
    EXECUTE format('DROP %s IF EXISTS %s CASCADE', CASE item.relkind {kinds} ELSE 'TABLE' END, item.name);
  END LOOP;
  -- and the functions the migrations made there (the ledger's append-only trigger), not an extension's
  FOR item IN
    SELECT format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)) AS name
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = {_literal(schema)} AND p.prokind = 'f'
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', item.name);
  END LOOP;
END
$prosumo_clear$;
"""  # noqa: S608 (the schema's name quoted)


def _checks(schema: str, tables: dict[str, int]) -> str:
    """SQL that fails the transaction unless every table holds the rows the manifest counted."""
    body = "".join(_check(schema, name, int(rows)) for name, rows in tables.items())
    return f"DO $prosumo_check$\nDECLARE found bigint;\nBEGIN\n{body}END\n$prosumo_check$;\n"


def _check(schema: str, name: str, rows: int) -> str:
    return (
        f"  SELECT count(*) INTO found FROM {_quote(schema)}.{_quote(name)};\n"  # noqa: S608 (quoted names)
        f"  IF found <> {rows} THEN\n"
        f"    RAISE EXCEPTION 'restore check: table % has % rows, the backup {rows}', {_literal(name)}, found;\n"
        "  END IF;\n"
    )


def _contents(pg_restore: str, dump: Path, schema: str) -> str:
    """The dump's table of contents without the schema itself, which the restore keeps (and may not own)."""
    listed = subprocess.run(  # noqa: S603
        [pg_restore, "--list", str(dump)], capture_output=True, text=True, check=False
    )
    if listed.returncode != 0:
        raise BackupFailed(f"pg_restore could not read {dump}: {listed.stderr.strip()} The database was not changed.")
    schema_entry = re.compile(rf"^\d+; \d+ \d+ (SCHEMA - |COMMENT - SCHEMA ){re.escape(schema)} ")
    return "".join(line for line in listed.stdout.splitlines(keepends=True) if not schema_entry.match(line))


def restore(dump: Path, *, schema: str, tables: dict[str, int]) -> None:
    """Replace what the schema holds with the dump, in one transaction that checks the row counts."""
    pg_restore, psql = binary("pg_restore"), binary("psql")
    env = environment(connection.settings_dict)
    connection.close()
    with (
        tempfile.NamedTemporaryFile("w", suffix=".list") as contents,
        tempfile.TemporaryFile() as reader_errors,
        tempfile.TemporaryFile() as writer_errors,
    ):
        contents.write(_contents(pg_restore, dump, schema))
        contents.flush()
        reader = subprocess.Popen(  # noqa: S603
            [pg_restore, "--no-owner", "--no-privileges", f"--use-list={contents.name}", "--file=-", str(dump)],
            stdout=subprocess.PIPE,
            stderr=reader_errors,
        )
        writer = subprocess.Popen(  # noqa: S603
            [psql, "--no-psqlrc", "--quiet", "--no-password", "--set=ON_ERROR_STOP=1", "--file=-"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=writer_errors,
            env=env,
        )
        assert reader.stdout is not None
        assert writer.stdin is not None
        try:
            writer.stdin.write(_preamble(schema).encode())
            shutil.copyfileobj(reader.stdout, writer.stdin, CHUNK)
            if reader.wait() == 0:
                # Only now: without COMMIT, psql's end of input ends the session and rolls everything back.
                writer.stdin.write((_checks(schema, tables) + "COMMIT;\n").encode())
        except BrokenPipeError:
            pass  # psql stopped at an error; its message says which
        finally:
            reader.stdout.close()
            with contextlib.suppress(BrokenPipeError):
                writer.stdin.close()
            reader.wait()
            writer.wait()
        if writer.returncode != 0:
            raise BackupFailed(f"psql failed: {_text(writer_errors)} The database was not changed.")
        if reader.returncode != 0:
            raise BackupFailed(
                f"pg_restore could not read {dump}: {_text(reader_errors)} The database was not changed."
            )


def _text(stream: IO[bytes]) -> str:
    stream.seek(0)
    return stream.read().decode(errors="replace").strip()
