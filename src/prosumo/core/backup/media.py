"""Putting a backup's uploaded files in place of MEDIA_ROOT's.

The files are first copied into a folder inside MEDIA_ROOT (so that the later moves are
renames on one file system, even when MEDIA_ROOT is a mount point), checked against the
manifest as they are written, and only moved in once the database is restored. The files
that were there before are removed at the end: afterwards MEDIA_ROOT holds exactly the
backup's files.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from prosumo.core.backup.manifest import MEDIA, REPLACED, STAGING, WORK_FOLDERS, Manifest, copy_file, walk_files
from prosumo.core.errors import InvalidInput


def present(media_root: Path) -> list[Path]:
    """The uploaded files in MEDIA_ROOT now."""
    return list(walk_files(media_root, skip=WORK_FOLDERS)) if media_root.is_dir() else []


def stage(directory: Path, manifest: Manifest, media_root: Path, advance: Callable[[int], None]) -> Path:
    """Copy the backup's files into a staging folder inside MEDIA_ROOT, checking each one."""
    staging = media_root / STAGING
    if staging.exists():
        shutil.rmtree(staging)  # left by an interrupted restore
    staging.mkdir(parents=True)
    try:
        for entry in manifest.media_files:
            size, sha256 = copy_file(directory / entry.path, staging / entry.path[len(MEDIA) + 1 :], advance)
            if (size, sha256) != (entry.size, entry.sha256):
                raise InvalidInput(f"{directory / entry.path} changed while it was being restored.")
    except BaseException:
        shutil.rmtree(staging)
        raise
    return staging


def discard(staging: Path, created: Path | None = None) -> None:
    """Remove the staged files (and MEDIA_ROOT itself when the restore created it)."""
    shutil.rmtree(staging, ignore_errors=True)
    if created is not None:
        created.rmdir()


def swap(staging: Path, media_root: Path) -> None:
    """Replace MEDIA_ROOT's files with the staged ones."""
    replaced = media_root / REPLACED
    if replaced.exists():
        shutil.rmtree(replaced)
    replaced.mkdir()
    for item in list(media_root.iterdir()):
        if item.name not in WORK_FOLDERS:
            item.rename(replaced / item.name)
    for item in list(staging.iterdir()):
        item.rename(media_root / item.name)
    staging.rmdir()
    shutil.rmtree(replaced)
