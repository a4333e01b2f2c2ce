"""What the importers of Fider, CONSUL and Decidim exports share.

An export is a folder or a zip archive of CSV or JSON files. Every reading step here
checks what it reads and raises :class:`ExportFormatError` naming the file, the row
(counted from 1 at the first data row, or the first record of a JSON array) and the
column, so that a bad export is refused before anything is written.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from prosumo.analytics.dataset import write_dataset

__all__ = [
    "EVENT_COLUMNS",
    "ExportFiles",
    "ExportFormatError",
    "Importer",
    "check_known",
    "check_unique",
    "details_json",
    "event_rows",
    "events_table",
    "import_meta",
    "integers",
    "members_table",
    "short_title",
    "times",
]

EVENT_COLUMNS = (
    "occurred_at",
    "actor_id",
    "verb",
    "object_type",
    "object_id",
    "target_member_id",
    "campaign_id",
    "channel",
    "value",
    "details",
)
_TITLE_LENGTH = 80


class ExportFormatError(ValueError):
    """An export that cannot be read; the message names the file, row and column."""


def _fail(where: str, row: int, column: str, message: str, more: int = 0) -> ExportFormatError:
    extra = f" ({more} more such rows)" if more else ""
    return ExportFormatError(f"{where}: row {row + 1}, column {column}: {message}{extra}")


class ExportFiles:
    """The files of an export, from a folder or from a zip archive.

    ``where(name)`` is the file's name as messages show it: ``FOLDER/name``, or
    ``ARCHIVE.zip/name`` for a file inside an archive.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._zip: dict[str, str] = {}
        if self.path.is_file() and zipfile.is_zipfile(self.path):
            with zipfile.ZipFile(self.path) as archive:
                for info in archive.infolist():
                    if not info.is_dir():
                        self._zip[Path(info.filename).name] = info.filename
        elif not self.path.is_dir():
            raise ExportFormatError(f"{self.path}: not a folder or a zip archive")

    @property
    def names(self) -> list[str]:
        """The names of the export's files (without their folders)."""
        if self._zip:
            return sorted(self._zip)
        return sorted(p.name for p in self.path.iterdir() if p.is_file())

    def where(self, name: str) -> str:
        return f"{self.path}/{name}"

    def find(self, *suffixes: str) -> str | None:
        """The first file whose name is one of ``suffixes`` or ends with ``-`` + one."""
        for suffix in suffixes:
            for name in self.names:
                if name == suffix or name.endswith("-" + suffix):
                    return name
        return None

    def read_bytes(self, name: str) -> bytes:
        if self._zip:
            if name not in self._zip:
                raise ExportFormatError(f"{self.where(name)}: missing file")
            with zipfile.ZipFile(self.path) as archive:
                return archive.read(self._zip[name])
        path = self.path / name
        if not path.is_file():
            raise ExportFormatError(f"{self.where(name)}: missing file")
        return path.read_bytes()

    def read_csv(
        self, name: str, required: Sequence[str], *, encodings: Sequence[str] = ("utf-8-sig",)
    ) -> pd.DataFrame:
        """Read a CSV file as text columns; ``,`` or ``;`` separated (from the header line)."""
        raw = self.read_bytes(name)
        text = None
        for encoding in encodings:
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError as exc:
                error = exc
        if text is None:
            raise ExportFormatError(f"{self.where(name)}: not {' or '.join(encodings)} text: {error}")
        header = text.split("\n", 1)[0]
        sep = ";" if header.count(";") > header.count(",") else ","
        try:
            frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise ExportFormatError(f"{self.where(name)}: cannot be read as CSV: {exc}") from exc
        return _require(frame, required, self.where(name))

    def read_json(self, name: str, required: Sequence[str]) -> pd.DataFrame:
        """Read a JSON array of objects (one per row)."""
        try:
            records = json.loads(self.read_bytes(name).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ExportFormatError(f"{self.where(name)}: cannot be read as JSON: {exc}") from exc
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise ExportFormatError(f"{self.where(name)}: not a JSON array of objects")
        frame = pd.DataFrame.from_records(records) if records else pd.DataFrame(columns=list(required))
        return _require(frame, required, self.where(name))


def _require(frame: pd.DataFrame, required: Sequence[str], where: str) -> pd.DataFrame:
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ExportFormatError(f"{where}: missing column {', '.join(missing)}")
    return frame.reset_index(drop=True)


def _blank(values: pd.Series) -> pd.Series:
    return values.isna() | (values.astype("string").str.strip() == "")


def integers(frame: pd.DataFrame, column: str, where: str, *, nullable: bool = False) -> pd.Series:
    """A column of whole numbers (``Int64``); a blank cell is missing, allowed when ``nullable``."""
    values = frame[column]
    blank = _blank(values)
    numbers = pd.to_numeric(values.where(~blank).astype("string").str.strip(), errors="coerce")
    bad = (numbers.isna() & ~blank) | (numbers.notna() & (numbers != numbers.round()))
    if not nullable:
        bad |= blank
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        value = values.iloc[row]
        message = "missing value" if blank.iloc[row] else f"{value!r} is not an integer"
        raise _fail(where, row, column, message, int(bad.sum()) - 1)
    return numbers.astype("Int64")


def times(frame: pd.DataFrame, column: str, where: str, *, nullable: bool = False) -> pd.Series:
    """A column of ISO 8601 times (``YYYY-MM-DD HH:MM:SS`` too, ``UTC`` suffix allowed) as UTC."""
    values = frame[column]
    blank = _blank(values)
    text = values.where(~blank).astype("string").str.strip().str.replace(r"\s*UTC$", "", regex=True)
    parsed = pd.to_datetime(text, utc=True, format="ISO8601", errors="coerce")
    bad = parsed.isna() & ~blank
    if not nullable:
        bad |= blank
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        message = "missing value" if blank.iloc[row] else f"{values.iloc[row]!r} is not a time (ISO 8601)"
        raise _fail(where, row, column, message, int(bad.sum()) - 1)
    return pd.Series(parsed, index=frame.index).astype("datetime64[us, UTC]")


def check_unique(ids: pd.Series, where: str, column: str) -> None:
    dup = ids.duplicated().to_numpy()
    if dup.any():
        row = int(np.flatnonzero(dup)[0])
        raise _fail(where, row, column, f"duplicate id {ids.iloc[row]}")


def check_known(ids: pd.Series, known: Iterable[Any], where: str, column: str, what: str) -> None:
    """Every (non-missing) id is one of ``known``; ``what`` names the reference in the message."""
    unknown = (ids.notna() & ~ids.isin(list(known))).to_numpy()
    if unknown.any():
        row = int(np.flatnonzero(unknown)[0])
        raise _fail(where, row, column, f"{what} {ids.iloc[row]}", int(unknown.sum()) - 1)


def short_title(text: pd.Series) -> pd.Series:
    """A one-line title of at most 80 characters from a longer text."""
    title = text.astype("string").str.replace(r"\s+", " ", regex=True).str.strip()
    return title.where(title.str.len() <= _TITLE_LENGTH, title.str.slice(0, _TITLE_LENGTH - 1) + "…")


def members_table(
    member_ids: pd.Series,
    joined_at: pd.Series,
    *,
    channel: str,
    is_staff: pd.Series | None = None,
    attributes: pd.Series | None = None,
) -> pd.DataFrame:
    n = len(member_ids)
    return pd.DataFrame(
        {
            "member_id": pd.array(member_ids.to_numpy(), dtype="Int64"),
            "joined_at": pd.Series(joined_at.to_numpy()).astype("datetime64[us, UTC]"),
            "segment": pd.Series([None] * n, dtype="string"),
            "country": pd.Series([None] * n, dtype="string"),
            "channel": pd.Series([channel] * n, dtype="string"),
            "referred_by": pd.Series([None] * n, dtype="Int64"),
            "is_staff": np.zeros(n, dtype=bool) if is_staff is None else is_staff.to_numpy(dtype=bool),
            "attributes": pd.Series([None] * n if attributes is None else attributes.to_numpy(), dtype="string"),
        }
    ).sort_values("member_id", ignore_index=True)


def event_rows(occurred_at: pd.Series, verb: str, order: int, **columns: Any) -> pd.DataFrame:
    """One event per row of ``occurred_at``; a column given as a scalar is the same on every row.

    ``order`` breaks ties of time: a member joins (0) before writing (1), an idea is
    submitted before it is voted on or commented (2), and answered last (3).
    """
    n = len(occurred_at)
    frame = {"occurred_at": pd.Series(occurred_at.to_numpy()).astype("datetime64[us, UTC]"), "order": order}
    for name in EVENT_COLUMNS[1:]:
        value = columns.get(name)
        frame[name] = value.to_numpy() if isinstance(value, pd.Series) else [value] * n
    frame["verb"] = [verb] * n
    return pd.DataFrame(frame, index=range(n))


def events_table(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate event rows in time order and number them from 1."""
    events = pd.concat([p for p in parts if len(p)], ignore_index=True)
    events = events.sort_values(["occurred_at", "order"], kind="stable", ignore_index=True)
    return pd.DataFrame(
        {
            "event_id": np.arange(1, len(events) + 1, dtype=np.int64),
            "occurred_at": events["occurred_at"].astype("datetime64[us, UTC]"),
            "actor_id": pd.array(events["actor_id"], dtype="Int64"),
            "verb": events["verb"].astype("string"),
            "object_type": events["object_type"].astype("string"),
            "object_id": pd.array(events["object_id"], dtype="Int64"),
            "target_member_id": pd.array(events["target_member_id"], dtype="Int64"),
            "campaign_id": pd.array(events["campaign_id"], dtype="Int64"),
            "channel": events["channel"].astype("string"),
            "value": pd.to_numeric(events["value"]).astype("float64"),
            "details": events["details"].astype("string"),
        }
    )


def details_json(length: int, **columns: pd.Series | Any) -> pd.Series:
    """``length`` JSON objects from columns, by position (a missing value is written as ``null``)."""
    out = []
    for i in range(length):
        row: dict[str, Any] = {}
        for key, value in columns.items():
            cell = value.iloc[i] if isinstance(value, pd.Series) else value
            if cell is None or cell is pd.NA or (isinstance(cell, float) and np.isnan(cell)):
                cell = None
            elif isinstance(cell, np.integer):
                cell = int(cell)
            elif isinstance(cell, np.bool_):
                cell = bool(cell)
            row[key] = cell
        out.append(json.dumps(row, ensure_ascii=False))
    return pd.Series(out, dtype="string")


def import_meta(
    *,
    name: str,
    source: str,
    importer: str,
    changes: str,
    licence: str | None,
    attribution: str | None,
    **extra: Any,
) -> dict[str, Any]:
    """``dataset.json`` of an imported export: what staff said of its licence, and what was changed."""
    return {
        "name": name,
        "source": source,
        "licence": licence or None,
        "attribution": attribution or None,
        "changes": changes,
        "importer": importer,
        **extra,
    }


@dataclass(frozen=True)
class Importer:
    """One platform's export turned into a community dataset: its tables, then its ``dataset.json``.

    ``read`` checks the whole export and returns the dataset's tables (raising
    :class:`ExportFormatError` before anything is written); ``describe`` gives the dataset's
    name and a line saying where it came from. The licence and attribution are the ones staff
    give, since these exports state none.
    """

    read: Callable[[str | os.PathLike[str]], dict[str, pd.DataFrame]]
    describe: Callable[[str | os.PathLike[str]], tuple[str, str]]
    module: str
    changes: str

    def meta(
        self, path: str | os.PathLike[str], *, licence: str | None = None, attribution: str | None = None
    ) -> dict[str, Any]:
        """The ``dataset.json`` of the export at ``path``."""
        name, source = self.describe(path)
        return import_meta(
            name=name,
            source=source,
            importer=self.module,
            changes=self.changes,
            licence=licence,
            attribution=attribution,
        )

    def write(
        self,
        path: str | os.PathLike[str],
        dataset: str | os.PathLike[str],
        *,
        licence: str | None = None,
        attribution: str | None = None,
    ) -> Path:
        """Import the export at ``path`` and write it as a community dataset folder."""
        tables = self.read(path)
        return write_dataset(tables, dataset, self.meta(path, licence=licence, attribution=attribution))
