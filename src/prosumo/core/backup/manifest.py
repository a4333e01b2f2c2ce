"""The backup folder's manifest: what a backup holds, and the check that it is whole.

A backup folder holds the database (``database.sqlite3`` or ``database.dump``), the
uploaded files under ``media/``, and ``manifest.json``, written last. The manifest lists
every other file with its size and SHA-256, so a folder without one is an interrupted
backup, and a file that was changed, lost or added since is found before a restore
touches anything.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from prosumo.core.errors import InvalidInput

FORMAT = "prosumo-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA = "media"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.dump"}
ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
CHUNK = 1024 * 1024
# Folders a restore keeps inside MEDIA_ROOT while it swaps the files (see media.py); never backed up.
STAGING = ".prosumo-restore"
REPLACED = ".prosumo-replaced"
WORK_FOLDERS = frozenset({STAGING, REPLACED})
_SHA256 = re.compile(r"[0-9a-f]{64}")
_NAME = re.compile(r"[^$\x00-\x1f]+")  # a table or schema name; "$" would end the restore's SQL blocks


@dataclass(frozen=True)
class FileEntry:
    path: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    prosumo_version: str
    created_at: datetime
    engine: str
    migrations: dict[str, list[str]]
    tables: dict[str, int]
    files: list[FileEntry]
    schema: str = ""  # PostgreSQL: the schema the tables live in

    @property
    def database_file(self) -> str:
        return DATABASE_FILES[self.engine]

    @property
    def media_files(self) -> list[FileEntry]:
        return [entry for entry in self.files if entry.path.startswith(f"{MEDIA}/")]

    def as_json(self) -> str:
        document = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "prosumo_version": self.prosumo_version,
            "created_at": self.created_at.isoformat(),
            "database": {"engine": self.engine, "file": self.database_file, "schema": self.schema},
            "migrations": self.migrations,
            "tables": self.tables,
            "files": [{"path": e.path, "size": e.size, "sha256": e.sha256} for e in self.files],
        }
        return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def engine_name(engine: str) -> str:
    return ENGINE_NAMES.get(engine, engine)


def hash_file(path: Path, advance: Callable[[int], None]) -> tuple[int, str]:
    """Size and SHA-256 of a file, reading it once."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            advance(len(chunk))
    return size, digest.hexdigest()


def copy_file(source: Path, target: Path, advance: Callable[[int], None]) -> tuple[int, str]:
    """Copy a file and return the size and SHA-256 of what was written (read once, synced to disk)."""
    digest = hashlib.sha256()
    size = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with source.open("rb") as reader, target.open("xb") as writer:
        while chunk := reader.read(CHUNK):
            writer.write(chunk)
            digest.update(chunk)
            size += len(chunk)
            advance(len(chunk))
        writer.flush()
        os.fsync(writer.fileno())
    stat = source.stat()
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    return size, digest.hexdigest()


def walk_files(root: Path, *, skip: frozenset[str] = frozenset()) -> Iterator[Path]:
    """Every regular file under root (following no folder links), in a stable order."""
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if not (Path(folder) == root and name in skip))
        for name in sorted(names):
            path = Path(folder) / name
            if path.is_file():
                yield path


def write_manifest(directory: Path, manifest: Manifest) -> None:
    """Write the manifest under a temporary name and rename it: it appears whole or not at all."""
    partial = directory / f".{MANIFEST}.partial"
    with partial.open("w", encoding="utf-8") as out:
        out.write(manifest.as_json())
        out.flush()
        os.fsync(out.fileno())
    partial.replace(directory / MANIFEST)
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def read_manifest(directory: Path) -> Manifest:
    """The manifest of a backup folder; InvalidInput when the folder is not a whole backup."""
    if not directory.is_dir():
        raise InvalidInput(f"{directory}: no such folder.")
    path = directory / MANIFEST
    if not path.is_file():
        raise InvalidInput(
            f"{directory} has no {MANIFEST}: it is not a complete backup. A backup writes its manifest last, "
            "so a backup that was interrupted has none; use another backup."
        )
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return _parse(document)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InvalidInput(f"{path} is not a Prosumo backup manifest ({exc}).") from exc


def _parse(document: dict[str, Any]) -> Manifest:
    if document.get("format") != FORMAT:
        raise ValueError(f"format is {document.get('format')!r}, not {FORMAT!r}")
    version = document["format_version"]
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise InvalidInput(
            f"This backup was written by a newer Prosumo ({document.get('prosumo_version')}, backup format "
            f"{version}); this Prosumo reads format {FORMAT_VERSION}. Upgrade Prosumo, then restore."
        )
    database = document["database"]
    engine = database["engine"]
    if engine not in DATABASE_FILES:
        raise ValueError(f"unknown database engine {engine!r}")
    schema = str(database.get("schema") or "")
    migrations = {str(app): [str(name) for name in names] for app, names in document["migrations"].items()}
    tables = {str(name): int(rows) for name, rows in document["tables"].items()}
    for name in [*tables, *([schema] if schema else [])]:
        if not _NAME.fullmatch(name):
            raise ValueError(f"{name!r} is not a table or schema name")
    files = [FileEntry(str(f["path"]), int(f["size"]), str(f["sha256"])) for f in document["files"]]
    for entry in files:
        _check_entry(entry, DATABASE_FILES[engine])
    if DATABASE_FILES[engine] not in {entry.path for entry in files}:
        raise ValueError(f"it lists no {DATABASE_FILES[engine]}")
    if len({entry.path for entry in files}) != len(files):
        raise ValueError("it lists a file twice")
    return Manifest(
        prosumo_version=str(document["prosumo_version"]),
        created_at=datetime.fromisoformat(document["created_at"]),
        engine=engine,
        migrations=migrations,
        tables=tables,
        files=files,
        schema=schema,
    )


def _check_entry(entry: FileEntry, database_file: str) -> None:
    path = PurePosixPath(entry.path)
    inside = not path.is_absolute() and ".." not in path.parts and str(path) == entry.path
    if not inside or not (entry.path == database_file or (path.parts[0] == MEDIA and len(path.parts) > 1)):
        raise ValueError(f"{entry.path!r} is not a path a backup holds")
    if entry.size < 0 or not _SHA256.fullmatch(entry.sha256):
        raise ValueError(f"the size or checksum of {entry.path!r} is malformed")


def verify(directory: Path, manifest: Manifest, advance: Callable[[int], None]) -> None:
    """Check that the folder holds exactly the manifest's files, each with its size and SHA-256."""
    listed = {entry.path: entry for entry in manifest.files}
    present = {path.relative_to(directory).as_posix() for path in walk_files(directory) if path.name != MANIFEST} | {
        path.relative_to(directory).as_posix() for path in directory.rglob("*") if path.is_symlink()
    }
    missing = sorted(set(listed) - present)
    extra = sorted(present - set(listed))
    if missing:
        raise InvalidInput(f"The backup in {directory} is incomplete; missing: {_some(missing)}.")
    if extra:
        raise InvalidInput(f"The backup in {directory} holds files its manifest does not list: {_some(extra)}.")
    for entry in manifest.files:
        path = directory / entry.path
        if path.stat().st_size != entry.size:
            raise InvalidInput(
                f"The backup in {directory} is damaged: {entry.path} has {path.stat().st_size} bytes, "
                f"the manifest says {entry.size}."
            )
        _, sha256 = hash_file(path, advance)
        if sha256 != entry.sha256:
            raise InvalidInput(
                f"The backup in {directory} is damaged: the checksum of {entry.path} does not match the manifest."
            )


def _some(paths: list[str]) -> str:
    shown = ", ".join(paths[:5])
    return shown if len(paths) <= 5 else f"{shown} and {len(paths) - 5} more"
