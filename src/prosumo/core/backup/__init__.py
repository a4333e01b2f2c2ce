"""Backups of a site (its database and uploaded files) and their restore.

`backup_create` writes a folder: the database (SQLite's online backup API, or pg_dump of
one snapshot), a copy of MEDIA_ROOT, and last a manifest with every file's size and
SHA-256. `backup_restore` checks all of that before it changes anything, and refuses a
database or media folder that already holds data unless forced (docs/operations.md,
"Backups and restore").
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader

from prosumo.core.backup import media, postgres, sqlite
from prosumo.core.backup.manifest import (
    DATABASE_FILES,
    MEDIA,
    REPLACED,
    WORK_FOLDERS,
    FileEntry,
    Manifest,
    copy_file,
    engine_name,
    hash_file,
    read_manifest,
    verify,
    walk_files,
    write_manifest,
)
from prosumo.core.errors import BackupFailed, Conflict, InvalidInput

__all__ = [
    "Manifest",
    "RestorePlan",
    "Steps",
    "backup_create",
    "backup_restore",
    "rebuilt_table_register",
    "rebuilt_tables",
]

# Tables an app can make again from others (pgvector's copy of the similar-idea vectors):
# left out of backups, so that a backup restores into a server without the extension the
# table needs, and rebuilt after every restore by the function their app registered.
_rebuilt: dict[str, tuple[Callable[[], object], str]] = {}


def rebuilt_table_register(table: str, rebuild: Callable[[], object], *, command: str) -> None:
    """Leave ``table`` out of backups, and call ``rebuild()`` after every restore (it makes the table again).

    For a table whose rows are all copies of other tables' rows. ``rebuild`` must do
    nothing where the table cannot exist (another engine, a missing extension);
    ``command`` is the `prosumo` command that does the same, named when it fails.
    """
    _rebuilt[table] = (rebuild, command)


def rebuilt_tables() -> list[str]:
    """The tables backups leave out and restores rebuild (`rebuilt_table_register`)."""
    return sorted(_rebuilt)


class Steps(Protocol):
    """Told when a long step starts (its total in bytes, or None); returns how to report progress."""

    def __call__(self, label: str, total: int | None) -> Callable[[int], None]: ...


def no_steps(label: str, total: int | None) -> Callable[[int], None]:
    return lambda _amount: None


@dataclass(frozen=True)
class RestorePlan:
    manifest: Manifest
    target: str
    media_root: Path
    replaced: list[str] = field(default_factory=list)  # what the target held (a restore with force replaces it)
    pending: list[str] = field(default_factory=list)  # migrations this code has and the backup lacks


def _engine() -> str:
    if connection.vendor not in DATABASE_FILES:
        raise InvalidInput(f"Backups cover SQLite and PostgreSQL; DATABASE_URL points at {connection.vendor}.")
    return connection.vendor


def _sqlite_path() -> Path:
    return Path(str(connection.settings_dict["NAME"]))


def _target() -> str:
    if connection.vendor == "sqlite":
        return f"the SQLite database {_sqlite_path()}"
    params = connection.settings_dict
    where = f"{params.get('HOST') or 'the local socket'}" + (f":{params['PORT']}" if params.get("PORT") else "")
    return f"the PostgreSQL database {params.get('NAME')} on {where}"


def _sync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def backup_create(*, directory: Path, steps: Steps = no_steps) -> Manifest:
    """Write a backup of the database and MEDIA_ROOT into `directory`, a new or empty folder."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise InvalidInput(f"{directory} is not empty: choose a new or empty folder (a backup never overwrites).")
    engine = _engine()
    if engine == "sqlite" and not _sqlite_path().is_file():
        raise InvalidInput(f"There is no database at {_sqlite_path()}: nothing to back up. Check DATABASE_URL.")
    if engine == "postgresql":
        postgres.binary("pg_dump")
    if not directory.exists():
        directory.mkdir(parents=True)
        directory.chmod(0o700)  # password hashes and tokens' hashes are in there
    database_file = directory / DATABASE_FILES[engine]

    steps(f"Copying the {engine_name(engine)} database", None)
    if engine == "sqlite":
        sqlite.backup(_sqlite_path(), database_file)
        schema, tables, migrations = "", sqlite.tables(database_file), sqlite.migrations(database_file)
    else:
        snapshot = postgres.backup(database_file, leave_out=rebuilt_tables())
        schema, tables, migrations = snapshot.schema, snapshot.tables, snapshot.migrations
    if not migrations:
        database_file.unlink()
        raise InvalidInput(f"{_target()} holds no Prosumo tables: nothing to back up. Check DATABASE_URL.")
    _sync(database_file)

    media_root = Path(settings.MEDIA_ROOT)
    sources = list(walk_files(media_root, skip=WORK_FOLDERS)) if media_root.is_dir() else []
    advance = steps("Copying the media files", sum(path.stat().st_size for path in sources))
    files = []
    for path in sources:
        relative = f"{MEDIA}/{path.relative_to(media_root).as_posix()}"
        try:
            size, sha256 = copy_file(path, directory / relative, advance)
        except FileNotFoundError:
            continue  # deleted since the walk: the database copy is older, nothing refers to it any more
        files.append(FileEntry(relative, size, sha256))

    size, sha256 = hash_file(database_file, steps("Checksums", database_file.stat().st_size))
    manifest = Manifest(
        prosumo_version=package_version("prosumo"),
        created_at=datetime.now(UTC),
        engine=engine,
        migrations=migrations,
        tables=tables,
        files=[FileEntry(database_file.name, size, sha256), *files],
        schema=schema,
    )
    write_manifest(directory, manifest)
    return manifest


def _check_schema(manifest: Manifest) -> list[str]:
    """Refuse a backup from a newer schema; return the migrations `prosumo migrate` will apply after it."""
    applied = {(app, name) for app, names in manifest.migrations.items() for name in names}
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    pending = []
    for key in loader.graph.nodes:
        replaces = {(app, name) for app, name in loader.graph.nodes[key].replaces}
        known |= replaces  # a squash stands for migrations that may be gone from the code
        if key not in applied and not (replaces and replaces <= applied):
            pending.append(f"{key[0]}.{key[1]}")
    unknown = sorted(applied - known)
    if unknown:
        shown = ", ".join(f"{app}.{name}" for app, name in unknown[:5])
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        raise InvalidInput(
            f"The backup's schema is newer than this Prosumo's: it was made by Prosumo {manifest.prosumo_version} "
            f"and has migrations this code does not know ({shown}{more}). Upgrade Prosumo, then restore."
        )
    return sorted(pending)


def _holdings(engine: str, manifest: Manifest) -> list[str]:
    """What the target database holds that a restore would replace (empty for a new or freshly migrated one)."""
    if engine == "sqlite":
        path = _sqlite_path()
        names = sqlite.table_names(path)

        def count(table: str) -> int:
            return sqlite.row_count(path, table)
    else:
        names = postgres.table_names(manifest.schema)

        def count(table: str) -> int:
            return postgres.row_count(manifest.schema, table)

    held = []
    members_table = get_user_model()._meta.db_table
    if members_table in names and (members := count(members_table)):
        held.append(f"{members} member account{'s' if members != 1 else ''}")
    prosumo_tables = set(manifest.tables) | set(connection.introspection.django_table_names())
    foreign = sorted(name for name in names - prosumo_tables if not name.startswith("sqlite_"))
    if foreign:
        held.append(f"tables that are not Prosumo's ({', '.join(foreign[:5])}{' ...' if len(foreign) > 5 else ''})")
    return held


def backup_restore(
    *, directory: Path, force: bool = False, dry_run: bool = False, steps: Steps = no_steps
) -> RestorePlan:
    """Replace the database and MEDIA_ROOT with a backup's, after checking everything first.

    InvalidInput (an incomplete, damaged or foreign backup) and Conflict (a target that
    holds data, without `force`) are raised before anything is changed.
    """
    manifest = read_manifest(directory)
    engine = _engine()
    if manifest.engine != engine:
        raise InvalidInput(
            f"This backup holds a {engine_name(manifest.engine)} database, but DATABASE_URL points at "
            f"{engine_name(engine)}: restore it into a site that uses {engine_name(manifest.engine)}."
        )
    pending = _check_schema(manifest)
    if engine == "postgresql":
        for program in ("pg_restore", "psql"):
            postgres.binary(program)
    verify(directory, manifest, steps("Checking the backup", _size(manifest.files)))

    media_root = Path(settings.MEDIA_ROOT)
    target = _target()
    replaced = []
    if held := _holdings(engine, manifest):
        replaced.append(f"{target} holds {' and '.join(held)}")
    if uploads := len(media.present(media_root)):
        replaced.append(f"MEDIA_ROOT ({media_root}) holds {uploads} file{'s' if uploads != 1 else ''}")
    plan = RestorePlan(manifest=manifest, target=target, media_root=media_root, replaced=replaced, pending=pending)
    if replaced and not force:
        raise Conflict(
            f"The site is not empty: {'; '.join(replaced)}. A restore replaces all of it: restore into an empty "
            "database and media folder, or pass --force to replace what is there."
        )
    if dry_run:
        return plan

    created = not media_root.exists()
    try:
        staging = media.stage(
            directory, manifest, media_root, steps("Copying the media files", _size(manifest.media_files))
        )
    except OSError as exc:
        raise BackupFailed(f"Could not copy the media files into {media_root}: {exc}. Nothing was changed.") from exc
    try:
        steps(f"Restoring the {engine_name(engine)} database", None)
        database_file = directory / manifest.database_file
        if engine == "sqlite":
            # The file's checksum matched, so the restored database is the one the manifest counted.
            sqlite.restore(database_file, _sqlite_path())
        else:
            postgres.restore(database_file, schema=manifest.schema, tables=manifest.tables)
    except BaseException:
        media.discard(staging, media_root if created else None)
        raise
    try:
        media.swap(staging, media_root)
    except OSError as exc:
        raise BackupFailed(
            f"The database is restored, but moving the media files into place failed: {exc}. The backup's files "
            f"are in {staging}, the files that were there in {media_root / REPLACED}: move them by hand."
        ) from exc
    if _rebuilt:
        steps("Rebuilding the tables made from others", None)
        for table, (rebuild, command) in _rebuilt.items():
            try:
                rebuild()
            except DatabaseError as exc:
                raise BackupFailed(
                    f"The backup is restored, but {table}, which is made from other tables, could not be made "
                    f"again: {exc}. The site works without it; `{command}` makes it again."
                ) from exc
    return plan


def _size(entries: list[FileEntry]) -> int:
    return sum(entry.size for entry in entries)
