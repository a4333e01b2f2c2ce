"""The community dataset: its schema, loading, validation and writing.

A dataset is a folder of tables, each ``NAME.parquet`` or ``NAME.csv`` (UTF-8, header
row), plus a ``dataset.json`` with metadata (name, source, created_at, licence,
attribution). ``docs/dataset.md`` describes every table and column.

Everything is checked before any metric runs: a missing table or column, a value of
the wrong type, an unparsable timestamp, a missing value where none is allowed, a
duplicate id, or an id that points at no member or idea. Each problem names the file,
the row (1-based data row: the first row after the CSV header is row 1; the same
counting for Parquet) and the column. All checks are vectorised (pyarrow compute,
pandas), so a dataset of ten million events is checked in seconds.

Examples
--------
>>> import pandas as pd, datetime as dt, tempfile
>>> utc = dt.timezone.utc
>>> folder = tempfile.mkdtemp()
>>> _ = write_dataset({
...     "members": pd.DataFrame({"member_id": [1], "joined_at": [dt.datetime(2024, 1, 1, tzinfo=utc)],
...                              "is_staff": [False]}),
...     "ideas": pd.DataFrame({"idea_id": [10], "author_id": [1],
...                            "created_at": [dt.datetime(2024, 1, 2, tzinfo=utc)],
...                            "status": ["open"], "title": ["A"], "body": ["B"]}),
...     "events": pd.DataFrame({"event_id": [1], "occurred_at": [dt.datetime(2024, 1, 2, tzinfo=utc)],
...                             "actor_id": [1], "verb": ["idea.submitted"]}),
... }, folder, {"name": "tiny"})
>>> ds = load_dataset(folder)
>>> int(ds.events.count().execute())
1
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import tempfile
import warnings
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

if TYPE_CHECKING:
    import ibis.expr.types as ir

__all__ = [
    "DUCKDB_MEMORY_LIMIT_ENV",
    "DUCKDB_TEMP_DIR_ENV",
    "OPTIONAL_TABLES",
    "REQUIRED_TABLES",
    "SCHEMA",
    "SPARK_MASTER_ENV",
    "STAGES",
    "Dataset",
    "DatasetError",
    "Problem",
    "SettingError",
    "arrow_schema",
    "duckdb_settings",
    "load_dataset",
    "open_tables",
    "read_tables",
    "read_tables_on_spark",
    "spark_master",
    "validate",
    "write_dataset",
]

#: Column types of the contract: ``int64``, ``float64``, ``bool``, ``string``,
#: ``timestamp`` (UTC, microseconds).
SCHEMA: dict[str, dict[str, tuple[str, bool]]] = {
    "members": {
        "member_id": ("int64", False),
        "joined_at": ("timestamp", False),
        "segment": ("string", True),
        "country": ("string", True),
        "channel": ("string", True),
        "referred_by": ("int64", True),
        "is_staff": ("bool", False),
        "attributes": ("string", True),
    },
    "campaigns": {
        "campaign_id": ("int64", False),
        "title": ("string", False),
        "starts_at": ("timestamp", False),
        "ends_at": ("timestamp", True),
        "voting_mode": ("string", False),
    },
    "ideas": {
        "idea_id": ("int64", False),
        "campaign_id": ("int64", True),
        "author_id": ("int64", False),
        "created_at": ("timestamp", False),
        "status": ("string", False),
        "title": ("string", False),
        "body": ("string", False),
        "language": ("string", True),
        "merged_into": ("int64", True),
        "licence": ("string", True),
        "terms_version": ("int64", True),
    },
    "idea_authors": {
        "idea_id": ("int64", False),
        "member_id": ("int64", False),
        "share": ("float64", False),
    },
    "idea_stages": {
        "idea_id": ("int64", False),
        "stage": ("string", False),
        "changed_at": ("timestamp", False),
        "actor_id": ("int64", True),
        "reason": ("string", True),
        "message": ("string", True),
    },
    "events": {
        "event_id": ("int64", False),
        "occurred_at": ("timestamp", False),
        "actor_id": ("int64", True),
        "verb": ("string", False),
        "object_type": ("string", True),
        "object_id": ("int64", True),
        "target_member_id": ("int64", True),
        "campaign_id": ("int64", True),
        "channel": ("string", True),
        "value": ("float64", True),
        "details": ("string", True),
    },
    "outcomes": {
        "member_id": ("int64", False),
        "product_id": ("int64", False),
        "ordered_at": ("timestamp", False),
        "amount": ("float64", False),
        "from_idea_id": ("int64", True),
    },
    "surveys": {
        "member_id": ("int64", False),
        "item": ("string", False),
        "score": ("float64", False),
    },
    "costs": {
        "channel": ("string", False),
        "period_start": ("timestamp", False),
        "period_end": ("timestamp", False),
        "spend": ("float64", False),
    },
    # Intellectual property (docs/ip.md): the terms, the proof log, disputes and prior-art flags.
    "terms_versions": {
        "version": ("int64", False),
        "published_at": ("timestamp", False),
    },
    "terms_acceptances": {
        "member_id": ("int64", False),
        "version": ("int64", False),
        "accepted_at": ("timestamp", False),
    },
    "proof_log": {
        "entry": ("int64", False),
        "kind": ("string", False),
        "object_id": ("int64", False),
        "version": ("int64", False),
        "idea_id": ("int64", False),
        "member_id": ("int64", True),
        "logged_at": ("timestamp", False),
    },
    "ip_flags": {
        "idea_id": ("int64", False),
        "kind": ("string", False),
        "flagged_at": ("timestamp", False),
        "earlier_idea_id": ("int64", True),
        "member_id": ("int64", True),
        "reason": ("string", True),
    },
    # Royalty pools (docs/rewards.md): each pool, its contributors, and what it paid.
    "royalty_pools": {
        "pool_id": ("int64", False),
        "idea_id": ("int64", False),
        "split_rule": ("string", False),
        "merged_percent": ("int64", False),
        "role_weights": ("string", True),
        "currency": ("string", False),
        "opened_at": ("timestamp", False),
    },
    "pool_contributions": {
        "pool_id": ("int64", False),
        "member_id": ("int64", False),
        "idea_id": ("int64", False),
        "is_author": ("bool", False),
        "share_percent": ("float64", False),
        "merged": ("bool", False),
    },
    "pool_payouts": {
        "pool_id": ("int64", False),
        "period_id": ("int64", True),
        "member_id": ("int64", False),
        "amount_cents": ("int64", False),
        "paid_at": ("timestamp", False),
    },
}

REQUIRED_TABLES: tuple[str, ...] = ("members", "ideas", "events")
OPTIONAL_TABLES: tuple[str, ...] = (
    "campaigns",
    "idea_authors",
    "idea_stages",
    "outcomes",
    "surveys",
    "costs",
    "terms_versions",
    "terms_acceptances",
    "proof_log",
    "ip_flags",
    "royalty_pools",
    "pool_contributions",
    "pool_payouts",
)
STAGES: tuple[str, ...] = (
    "submitted",
    "open",
    "under_review",
    "accepted",
    "in_development",
    "launched",
    "declined",
    "merged",
)
VOTING_MODES: tuple[str, ...] = ("support", "updown", "score", "pairwise", "budget")
LICENCES: tuple[str, ...] = ("assignment", "exclusive", "non_exclusive", "cc_by_4_0", "cc_by_sa_4_0")
PROOF_KINDS: tuple[str, ...] = ("revision", "attachment", "comment")
FLAG_KINDS: tuple[str, ...] = ("dispute", "prior_art")
SPLIT_RULES: tuple[str, ...] = ("equal", "shares", "roles", "shapley")

#: Unique id column per table.
_PRIMARY_KEYS = {
    "members": "member_id",
    "campaigns": "campaign_id",
    "ideas": "idea_id",
    "events": "event_id",
    "terms_versions": "version",
    "proof_log": "entry",
    "royalty_pools": "pool_id",
}
#: (table, column) -> table whose id it references.
_REFERENCES: dict[tuple[str, str], str] = {
    ("members", "referred_by"): "members",
    ("ideas", "author_id"): "members",
    ("ideas", "campaign_id"): "campaigns",
    ("ideas", "merged_into"): "ideas",
    ("idea_authors", "idea_id"): "ideas",
    ("idea_authors", "member_id"): "members",
    ("idea_stages", "idea_id"): "ideas",
    ("idea_stages", "actor_id"): "members",
    ("events", "actor_id"): "members",
    ("events", "target_member_id"): "members",
    ("events", "campaign_id"): "campaigns",
    ("outcomes", "member_id"): "members",
    ("outcomes", "from_idea_id"): "ideas",
    ("surveys", "member_id"): "members",
    ("ideas", "terms_version"): "terms_versions",
    ("terms_acceptances", "member_id"): "members",
    ("terms_acceptances", "version"): "terms_versions",
    ("proof_log", "idea_id"): "ideas",
    ("proof_log", "member_id"): "members",
    ("ip_flags", "idea_id"): "ideas",
    ("ip_flags", "earlier_idea_id"): "ideas",
    ("ip_flags", "member_id"): "members",
    ("royalty_pools", "idea_id"): "ideas",
    ("pool_contributions", "pool_id"): "royalty_pools",
    ("pool_contributions", "member_id"): "members",
    ("pool_contributions", "idea_id"): "ideas",
    ("pool_payouts", "pool_id"): "royalty_pools",
    ("pool_payouts", "member_id"): "members",
}
_ALLOWED_VALUES: dict[tuple[str, str], tuple[str, ...]] = {
    ("ideas", "status"): STAGES,
    ("idea_stages", "stage"): STAGES,
    ("campaigns", "voting_mode"): VOTING_MODES,
    ("ideas", "licence"): LICENCES,
    ("proof_log", "kind"): PROOF_KINDS,
    ("ip_flags", "kind"): FLAG_KINDS,
    ("royalty_pools", "split_rule"): SPLIT_RULES,
}
_ARROW_TYPES = {
    "int64": pa.int64(),
    "float64": pa.float64(),
    "bool": pa.bool_(),
    "string": pa.string(),
    "timestamp": pa.timestamp("us", tz="UTC"),
}
#: How many offending rows one check lists before summarising the rest.
_MAX_ROWS_LISTED = 5
_INT_RE = r"^\s*[+-]?\d+\s*$"
_FLOAT_RE = r"^\s*[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|nan|NaN|inf|Infinity|-?inf)\s*$"
_TRUE = ("true", "t", "1", "yes", "y")
_FALSE = ("false", "f", "0", "no", "n")


def arrow_schema(table: str) -> pa.Schema:
    """The Arrow schema of one contract table (the types ``write_dataset`` writes)."""
    return pa.schema(
        [pa.field(name, _ARROW_TYPES[kind], nullable=nullable) for name, (kind, nullable) in SCHEMA[table].items()]
    )


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a dataset, located by file, row and column."""

    file: str
    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


class DatasetError(ValueError):
    """A dataset that does not follow the contract; ``problems`` lists every issue."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        shown = "\n".join(f"  - {p}" for p in self.problems[:50])
        more = len(self.problems) - 50
        if more > 0:
            shown += f"\n  ... and {more} more problems"
        super().__init__(f"invalid community dataset ({len(self.problems)} problems):\n{shown}")


@dataclass
class Dataset:
    """A loaded, validated community dataset: one Ibis table per contract table.

    Optional tables are ``None`` when the folder has none. ``meta`` is the content of
    ``dataset.json``; ``backend`` is the Ibis connection the tables live on.
    """

    members: ir.Table
    ideas: ir.Table
    events: ir.Table
    campaigns: ir.Table | None = None
    idea_authors: ir.Table | None = None
    idea_stages: ir.Table | None = None
    outcomes: ir.Table | None = None
    surveys: ir.Table | None = None
    costs: ir.Table | None = None
    terms_versions: ir.Table | None = None
    terms_acceptances: ir.Table | None = None
    proof_log: ir.Table | None = None
    ip_flags: ir.Table | None = None
    royalty_pools: ir.Table | None = None
    pool_contributions: ir.Table | None = None
    pool_payouts: ir.Table | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    backend: Any = None
    arrow: dict[str, pa.Table] = field(default_factory=dict, repr=False)
    #: Tables DuckDB reads from their Parquet files in place (views), by name: a large folder's (see ``load_dataset``).
    parquet: dict[str, Path] = field(default_factory=dict, repr=False)

    def tables(self) -> dict[str, Any]:
        """The tables present, by contract name."""
        names = REQUIRED_TABLES + OPTIONAL_TABLES
        return {n: getattr(self, n) for n in names if getattr(self, n) is not None}

    def can_fork(self) -> bool:
        """True when :meth:`fork` gives a dataset another thread can query at the same time."""
        return getattr(self.backend, "name", None) == "duckdb" and bool(self.arrow or self.parquet)

    def fork(self) -> Dataset:
        """The same tables on a second DuckDB connection to the same database.

        A DuckDB connection refuses a query while it runs another one, so each thread
        that computes metrics needs its own; the Arrow tables are registered again
        (no copy); the views on Parquet files belong to the database and are seen as they are.
        Needs :meth:`can_fork`.
        """
        import ibis

        if not self.can_fork():
            raise ValueError("only a dataset loaded on DuckDB (with its Arrow tables) can be forked")
        con = ibis.duckdb.from_connection(self.backend.con.cursor())
        bound = {name: _bind(con, name, table) for name, table in self.arrow.items()}
        bound |= {name: con.table(name) for name in self.parquet}
        return Dataset(**bound, meta=self.meta, backend=con, arrow=self.arrow, parquet=self.parquet)


# --------------------------------------------------------------------------- reading


def _file_of(table: str, files: Mapping[str, str] | None) -> str:
    if files and table in files:
        return files[table]
    return table


def _row_problems(file: str, column: str, mask: np.ndarray, values: Any, message: str) -> list[Problem]:
    """One problem per offending row (the first few), then one summary line."""
    rows = np.flatnonzero(mask)
    problems = []
    for r in rows[:_MAX_ROWS_LISTED]:
        value = None if values is None else values[int(r)]
        if isinstance(value, np.generic):
            value = value.item()
        shown = "" if values is None else f" {value!r}"
        problems.append(Problem(file, f"{message}{shown}", int(r) + 1, column))
    if len(rows) > _MAX_ROWS_LISTED:
        problems.append(Problem(file, f"{message}: {len(rows) - _MAX_ROWS_LISTED} more rows", None, column))
    return problems


def _to_arrow(obj: pa.Table | pd.DataFrame) -> pa.Table:
    if isinstance(obj, pa.Table):
        return obj
    if isinstance(obj, pd.DataFrame):
        return pa.Table.from_pandas(obj, preserve_index=False)
    raise TypeError(f"expected a pyarrow.Table or pandas.DataFrame, got {type(obj).__name__}")


def _parse_strings(
    col: pa.ChunkedArray, kind: str, file: str, column: str
) -> tuple[pa.ChunkedArray | None, list[Problem]]:
    """Parse a text column (as CSV gives it) into the contract type, row by row errors."""
    if kind == "string":
        return col, []
    present = pc.is_valid(col)
    if kind == "timestamp":
        series = col.to_pandas()
        parsed = pd.to_datetime(series, format="ISO8601", utc=True, errors="coerce")
        bad = (parsed.isna() & series.notna()).to_numpy()
        if bad.any():
            return None, _row_problems(file, column, bad, series.to_numpy(), "unparsable timestamp (expected ISO 8601)")
        return pa.chunked_array([pa.array(parsed.astype("datetime64[us, UTC]"))]), []
    if kind == "bool":
        lowered = pc.utf8_lower(pc.utf8_trim_whitespace(col))
        is_true = pc.is_in(lowered, value_set=pa.array(_TRUE))
        is_false = pc.is_in(lowered, value_set=pa.array(_FALSE))
        bad = pc.and_(present, pc.invert(pc.or_(is_true, is_false)))
        bad_np = bad.to_numpy(zero_copy_only=False)
        if bad_np.any():
            return None, _row_problems(
                file, column, bad_np, col.to_numpy(zero_copy_only=False), "not a boolean (true/false)"
            )
        return pc.if_else(present, is_true, pa.scalar(None, pa.bool_())), []
    pattern = _INT_RE if kind == "int64" else _FLOAT_RE
    ok = pc.match_substring_regex(col, pattern)
    bad_np = pc.and_(present, pc.invert(ok)).to_numpy(zero_copy_only=False)
    if bad_np.any():
        noun = "an integer" if kind == "int64" else "a number"
        return None, _row_problems(file, column, bad_np, col.to_numpy(zero_copy_only=False), f"not {noun}")
    return pc.cast(pc.utf8_trim_whitespace(col), _ARROW_TYPES[kind]), []


def _conform_column(
    col: pa.ChunkedArray, kind: str, file: str, column: str
) -> tuple[pa.ChunkedArray | None, list[Problem]]:
    """Cast one column to its contract type, or say why it cannot be."""
    typ = col.type
    if pa.types.is_dictionary(typ):
        col = col.cast(typ.value_type)
        typ = col.type
    if pa.types.is_large_string(typ) or pa.types.is_string_view(typ):
        col = col.cast(pa.string())
        typ = col.type
    if pa.types.is_null(typ):
        return col.cast(_ARROW_TYPES[kind]), []
    if pa.types.is_string(typ):
        return _parse_strings(col, kind, file, column)
    wrong = [Problem(file, f"wrong type {typ}, expected {kind}", None, column)]
    if kind == "int64":
        if pa.types.is_integer(typ):
            return col.cast(pa.int64()), []
        if pa.types.is_floating(typ):
            arr = col.to_numpy(zero_copy_only=False)
            frac = ~np.isnan(arr) & (arr != np.round(arr))
            if frac.any():
                return None, _row_problems(file, column, frac, arr, "not an integer")
            return pc.cast(col, pa.int64(), safe=False), []
        return None, wrong
    if kind == "float64":
        if pa.types.is_integer(typ) or pa.types.is_floating(typ) or pa.types.is_decimal(typ):
            return col.cast(pa.float64()), []
        return None, wrong
    if kind == "bool":
        if pa.types.is_boolean(typ):
            return col, []
        return None, wrong
    if kind == "timestamp":
        if pa.types.is_timestamp(typ):
            if typ.tz is None:
                return None, [
                    Problem(
                        file,
                        f"timestamp without time zone ({typ}); the contract needs UTC (timestamp[us, tz=UTC])",
                        None,
                        column,
                    )
                ]
            return col.cast(pa.timestamp("us", tz="UTC")), []
        if pa.types.is_date(typ):
            return col.cast(pa.timestamp("us")).cast(pa.timestamp("us", tz="UTC")), []
        return None, wrong
    if kind == "string":
        return None, wrong
    raise AssertionError(kind)


def _conform_table(name: str, table: pa.Table, file: str) -> tuple[pa.Table | None, list[Problem]]:
    """Check one table's columns, types and missing values; return it in contract types.

    Nullable columns the file lacks are added, empty; extra columns are kept as they are.
    """
    problems: list[Problem] = []
    blocking = False
    columns: dict[str, pa.ChunkedArray] = {}
    for column, (kind, nullable) in SCHEMA[name].items():
        if column not in table.column_names:
            if nullable:
                columns[column] = pa.chunked_array([pa.nulls(table.num_rows, _ARROW_TYPES[kind])])
            else:
                problems.append(Problem(file, "missing column", None, column))
                blocking = True
            continue
        col, col_problems = _conform_column(table.column(column), kind, file, column)
        problems += col_problems
        if col is None:
            blocking = True
            continue
        if not nullable and col.null_count:
            missing = pc.is_null(col, nan_is_null=True).to_numpy(zero_copy_only=False)
            problems += _row_problems(file, column, missing, None, "missing value")
        columns[column] = col
    if blocking:
        # the columns that did conform, so that their ids and references are still checked
        return (pa.table(columns) if columns else None), problems
    for column in table.column_names:
        if column not in columns:
            columns[column] = table.column(column)
    return pa.table(columns), problems


def _check_unique(name: str, table: pa.Table, file: str) -> list[Problem]:
    key = _PRIMARY_KEYS.get(name)
    if key is None or key not in table.column_names:
        return []
    ids = table.column(key).to_numpy()
    # Exports are usually written in id order: one linear pass proves those unique.
    if len(ids) < 2 or bool(np.all(ids[1:] > ids[:-1])):
        return []
    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]
    same = sorted_ids[1:] == sorted_ids[:-1]
    if not same.any():
        return []
    repeat = np.zeros(len(ids), dtype=bool)
    repeat[order[1:][same]] = True
    return _row_problems(file, key, repeat, ids, "duplicate id")


def _check_values(name: str, table: pa.Table, file: str) -> list[Problem]:
    problems = []
    for (tname, column), allowed in _ALLOWED_VALUES.items():
        if tname != name or column not in table.column_names:
            continue
        col = table.column(column)
        bad = pc.and_(pc.is_valid(col), pc.invert(pc.is_in(col, value_set=pa.array(allowed))))
        bad_np = bad.to_numpy(zero_copy_only=False)
        if bad_np.any():
            problems += _row_problems(
                file,
                column,
                bad_np,
                col.to_numpy(zero_copy_only=False),
                f"not one of {', '.join(allowed)}:",
            )
    if name == "idea_authors" and {"idea_id", "share"} <= set(table.column_names):
        sums = table.group_by("idea_id").aggregate([("share", "sum")])
        off = np.abs(sums.column("share_sum").to_numpy() - 1.0) > 1e-6
        for idea_id in sums.column("idea_id").to_numpy()[off][:_MAX_ROWS_LISTED]:
            problems.append(Problem(file, f"shares of idea {int(idea_id)} do not sum to 1", None, "share"))
    return problems


def _id_run(ids: pa.ChunkedArray) -> tuple[int, int] | None:
    """(first, last) when the ids are exactly the consecutive integers first..last, else None."""
    values = ids.to_numpy()
    if len(values) == 0 or values[-1] - values[0] != len(values) - 1:
        return None
    if len(values) > 1 and not bool(np.all(values[1:] > values[:-1])):
        return None
    return int(values[0]), int(values[-1])


def _unknown(col: pa.ChunkedArray, known: pa.ChunkedArray, run: tuple[int, int] | None) -> pa.ChunkedArray:
    """True where ``col`` holds an id that ``known`` lacks (nulls are not unknown)."""
    if run is not None:  # ids 1..n (as exports write them): a range check is a set check
        outside = pc.or_(pc.less(col, run[0]), pc.greater(col, run[1]))
        return pc.fill_null(outside, False)
    return pc.and_(pc.is_valid(col), pc.invert(pc.is_in(col, value_set=known.combine_chunks())))


def _check_references(tables: Mapping[str, pa.Table], files: Mapping[str, str] | None) -> list[Problem]:
    problems = []
    runs: dict[str, tuple[int, int] | None] = {}
    for (name, column), target in _REFERENCES.items():
        if name not in tables or target not in tables:
            continue
        if column not in tables[name].column_names or _PRIMARY_KEYS[target] not in tables[target].column_names:
            continue  # a column that could not be read: its problem is already reported
        col = tables[name].column(column)
        known = tables[target].column(_PRIMARY_KEYS[target])
        if target not in runs:
            runs[target] = _id_run(known)
        bad = _unknown(col, known, runs[target])
        bad_np = bad.to_numpy(zero_copy_only=False)
        if bad_np.any():
            noun = target[:-1].replace("_", " ")
            problems += _row_problems(
                _file_of(name, files),
                column,
                bad_np,
                pc.fill_null(col, 0).to_numpy(),  # ids as integers, not 4.0 (a null is never unknown)
                f"unknown {noun} id",
            )
    if (
        "events" in tables
        and "ideas" in tables
        and {"object_type", "object_id"} <= set(tables["events"].column_names)
        and "idea_id" in tables["ideas"].column_names
    ):
        events = tables["events"]
        is_idea = pc.fill_null(pc.equal(events.column("object_type"), "idea"), False)
        obj = events.column("object_id")
        known = tables["ideas"].column("idea_id")
        run = runs["ideas"] if "ideas" in runs else _id_run(known)
        bad = pc.and_(is_idea, _unknown(obj, known, run))
        bad_np = bad.to_numpy(zero_copy_only=False)
        if bad_np.any():
            problems += _row_problems(
                _file_of("events", files),
                "object_id",
                bad_np,
                pc.fill_null(obj, 0).to_numpy(),
                "unknown idea id",
            )
    return problems


def validate(
    tables: Mapping[str, pa.Table | pd.DataFrame], *, files: Mapping[str, str] | None = None
) -> dict[str, pa.Table]:
    """Check tables against the contract and return them cast to the contract's types.

    Parameters
    ----------
    tables:
        Contract table name -> Arrow table or DataFrame. Text columns (as read from
        CSV) are parsed: integers, numbers, booleans (true/false), ISO 8601 times
        (a time without an offset is taken as UTC).
    files:
        Table name -> file name used in messages (defaults to the table name).

    Returns
    -------
    dict
        The same tables in contract types (timestamps ``timestamp[us, tz=UTC]``).

    Raises
    ------
    DatasetError
        With every problem found: missing table or column, wrong type, unparsable
        value, missing value, duplicate id, unknown member/idea/campaign id, unknown
        stage or voting mode, co-author shares not summing to 1.
    """
    conformed, problems = _validated(tables, files=files)
    if problems:
        raise DatasetError(problems)
    return conformed


def _validated(
    tables: Mapping[str, pa.Table | pd.DataFrame],
    *,
    files: Mapping[str, str] | None = None,
    unreadable: Collection[str] = (),
) -> tuple[dict[str, pa.Table], list[Problem]]:
    """Every problem of the tables at once: format, values, ids and references together.

    A column that cannot be read is left out of the checks that need it; every other
    check still runs (``unreadable`` names tables whose file was found but could not
    be read, so they are not reported missing as well).
    """
    problems: list[Problem] = []
    unknown = sorted(set(tables) - set(SCHEMA))
    for name in unknown:
        problems.append(Problem(_file_of(name, files), "not a table of the contract"))
    for name in REQUIRED_TABLES:
        if name not in tables and name not in unreadable:
            problems.append(Problem(f"{name}.parquet or {name}.csv", "missing table"))
    conformed: dict[str, pa.Table] = {}
    for name, raw in tables.items():
        if name not in SCHEMA:
            continue
        file = _file_of(name, files)
        table, table_problems = _conform_table(name, _to_arrow(raw), file)
        problems += table_problems
        if table is not None:
            problems += _check_unique(name, table, file)
            problems += _check_values(name, table, file)
            conformed[name] = table
    problems += _check_references(conformed, files)
    return conformed, problems


def _read_csv(path: Path) -> pa.Table:
    """Read a CSV file with every column as text, so each value can be checked by row."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        columns = next(csv.reader(fh), [])
    return pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(encoding="utf-8"),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types={c: pa.string() for c in columns},
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
            null_values=[""],
        ),
    )


def read_tables(path: str | os.PathLike[str]) -> tuple[dict[str, pa.Table], dict[str, Any]]:
    """Read and validate a dataset folder into Arrow tables and its ``dataset.json``.

    Raises
    ------
    DatasetError
        When the folder is missing, a file cannot be read, or :func:`validate` fails.
    """
    folder = Path(path)
    if not folder.is_dir():
        raise DatasetError([Problem(str(folder), "not a folder")])
    problems: list[Problem] = []
    raw: dict[str, pa.Table] = {}
    files: dict[str, str] = {}
    for name in SCHEMA:
        found = [folder / f"{name}.parquet", folder / f"{name}.csv"]
        present = [p for p in found if p.exists()]
        if present:
            files[name] = present[0].name
        if len(present) == 2:
            problems.append(Problem(present[0].name, f"both {name}.parquet and {name}.csv exist"))
            continue
        if not present:
            continue
        file = present[0]
        try:
            raw[name] = pq.read_table(file) if file.suffix == ".parquet" else _read_csv(file)
        except (pa.ArrowInvalid, OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
            found_rows = _csv_syntax_problems(file) if file.suffix == ".csv" else []
            problems += found_rows or [Problem(file.name, f"cannot be read: {exc}")]
    meta = _read_meta(folder, problems)
    conformed, table_problems = _validated(raw, files=files, unreadable=set(files) - set(raw))
    problems += table_problems
    if problems:
        raise DatasetError(problems)
    return conformed, meta


#: Rows checked at a time when a folder is checked in batches (:func:`read_parquet_in_batches`).
_BATCH_ROWS = 1 << 22
#: Tables whose checks look across rows (co-author shares per idea): always checked whole.
_WHOLE_TABLES = ("idea_authors",)


def _parquet_files(path: str | os.PathLike[str]) -> dict[str, Path] | None:
    """The folder's table files when it is a local folder of Parquet files only, else ``None``."""
    if _is_uri(path) or not Path(path).is_dir():
        return None
    folder = Path(path)
    if any((folder / f"{name}.csv").exists() for name in SCHEMA):
        return None
    return {name: folder / f"{name}.parquet" for name in SCHEMA if (folder / f"{name}.parquet").exists()}


def _decoded_bytes(files: Mapping[str, Path]) -> int:
    """About how much memory the tables take once read: their Parquet files' uncompressed sizes."""
    total = 0
    for file in files.values():
        try:
            meta = pq.read_metadata(file)
        except (pa.ArrowInvalid, OSError):
            continue  # reported when the file is read
        total += sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    return total


def _machine_memory() -> int:
    if hasattr(os, "sysconf"):
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return 8 * 2**30


def _moved(problems: list[Problem], rows: int) -> list[Problem]:
    """Problems of a batch, their rows counted from the start of the file."""
    return [Problem(p.file, p.message, None if p.row is None else p.row + rows, p.column) for p in problems]


def _batch_references(
    name: str, table: pa.Table, known: Mapping[str, tuple[pa.ChunkedArray, tuple[int, int] | None]], file: str
) -> list[Problem]:
    """The reference checks of :func:`_check_references` for one batch, against the whole targets' ids."""
    problems: list[Problem] = []
    checks: list[tuple[str, str, str | None]] = [
        (column, target, None) for (table_name, column), target in _REFERENCES.items() if table_name == name
    ]
    if name == "events":
        checks.append(("object_id", "ideas", "idea"))
    for column, target, object_type in checks:
        if target not in known or column not in table.column_names:
            continue
        ids, run = known[target]
        col = table.column(column)
        bad = _unknown(col, ids, run)
        if object_type is not None:
            if "object_type" not in table.column_names:
                continue
            bad = pc.and_(pc.fill_null(pc.equal(table.column("object_type"), object_type), False), bad)
        bad_np = bad.to_numpy(zero_copy_only=False)
        if bad_np.any():
            noun = target[:-1].replace("_", " ")
            values = pc.fill_null(col, 0).to_numpy()
            problems += _row_problems(file, column, bad_np, values, f"unknown {noun} id")
    return problems


def read_parquet_in_batches(
    path: str | os.PathLike[str],
) -> tuple[dict[str, pa.Table], dict[str, Path], dict[str, Any]]:
    """Check a folder of Parquet files a batch of rows at a time, for folders larger than memory.

    The same checks and messages as :func:`read_tables`, with rows counted from the
    start of each file; references are checked against the whole target tables' ids
    (read alone), and ids are proven unique across batches when they increase from one
    batch to the next (as exports write them), else by reading the id column alone.

    Returns
    -------
    tuple
        The tables to keep in memory (those whose files are not in the contract's exact
        types, conformed), the files DuckDB can read in place, and ``dataset.json``.

    Raises
    ------
    DatasetError
        As :func:`read_tables`.
    """
    folder = Path(path)
    files = _parquet_files(folder)
    if files is None:
        raise DatasetError([Problem(str(folder), "not a folder of Parquet files")])
    problems: list[Problem] = []
    for name in REQUIRED_TABLES:
        if name not in files:
            problems.append(Problem(f"{name}.parquet or {name}.csv", "missing table"))
    meta = _read_meta(folder, problems)
    known: dict[str, tuple[pa.ChunkedArray, tuple[int, int] | None]] = {}
    for target in {t for t in _REFERENCES.values()} | {"ideas"}:
        target_key = _PRIMARY_KEYS[target]
        if target not in files:
            continue
        try:
            names = pq.read_schema(files[target]).names
            raw = pq.read_table(files[target], columns=[target_key]) if target_key in names else None
        except (pa.ArrowInvalid, OSError):
            raw = None
        if raw is None:
            continue
        ids, _ = _conform_column(raw.column(target_key), "int64", files[target].name, target_key)
        if ids is not None and ids.null_count == 0:
            known[target] = (ids, _id_run(ids))
    in_memory: dict[str, pa.Table] = {}
    in_place: dict[str, Path] = {}
    for name, file in files.items():
        try:
            reader = pq.ParquetFile(file)
        except (pa.ArrowInvalid, OSError) as exc:
            problems.append(Problem(file.name, f"cannot be read: {exc}"))
            continue
        schema = reader.schema_arrow
        contract = arrow_schema(name)
        exact = all(c in schema.names and schema.field(c).type == contract.field(c).type for c in contract.names)
        key = _PRIMARY_KEYS.get(name)
        increasing, last = True, None
        kept: list[pa.Table] = []
        rows = 0
        size = max(reader.metadata.num_rows, 1) if name in _WHOLE_TABLES else _BATCH_ROWS
        table_problems: list[Problem] = []
        for batch in reader.iter_batches(batch_size=size):
            table, found = _conform_table(name, pa.Table.from_batches([batch]), file.name)
            if table is not None:
                found += _check_values(name, table, file.name)
                found += _batch_references(name, table, known, file.name)
                if key is not None and key in table.column_names and table.num_rows:
                    ids = table.column(key).to_numpy()
                    ordered = len(ids) < 2 or bool(np.all(ids[1:] > ids[:-1]))
                    increasing = increasing and ordered and (last is None or ids[0] > last)
                    last = int(ids[-1])
                if not exact:
                    kept.append(table)
            table_problems += _moved(found, rows)
            rows += batch.num_rows
        if key is not None and not increasing:
            ids_col, _ = _conform_column(pq.read_table(file, columns=[key]).column(key), "int64", file.name, key)
            if ids_col is not None:
                table_problems += _check_unique(name, pa.table({key: ids_col}), file.name)
        problems += list(dict.fromkeys(table_problems))  # a missing column is reported once, not per batch
        if exact:
            in_place[name] = file
        elif kept:
            in_memory[name] = pa.concat_tables(kept)
    if problems:
        raise DatasetError(problems)
    return in_memory, in_place, meta


def _csv_syntax_problems(path: Path) -> list[Problem]:
    """Where a CSV file breaks the format: each row with the wrong number of fields, a
    broken quote, or bytes that are not UTF-8, by row (counted as in every message:
    row 1 is the first after the header) and, where one is to blame, column."""
    data = path.read_bytes()
    problems: list[Problem] = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode("utf-8-sig", errors="replace")
        records = list(csv.reader(io.StringIO(before, newline="")))
        header = records[0] if records else []
        row = max(len(records) - 1, 0)
        column = header[len(records[-1]) - 1] if row and 0 < len(records[-1]) <= len(header) else None
        return [Problem(path.name, f"not UTF-8 text (byte {data[exc.start]:#04x})", row or None, column)]
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    row = 0
    try:
        header = next(reader, [])
        for fields in reader:
            row += 1
            if len(fields) < len(header):
                message = f"{len(fields)} fields where the header has {len(header)}"
                problems.append(Problem(path.name, message, row, header[len(fields)]))
            elif len(fields) > len(header):
                message = f"{len(fields)} fields where the header has {len(header)}: one too many or more"
                problems.append(Problem(path.name, message, row))
    except csv.Error as exc:
        problems.append(Problem(path.name, f"broken CSV: {exc}", row + 1))
    return problems


# --------------------------------------------------------------------------- backends


#: The environment variable that names the Spark cluster when ``spark_master`` is not given.
SPARK_MASTER_ENV = "PROSUMO_SPARK_MASTER"
#: Where ``backend="spark"`` runs with no master given: a local session on two cores.
LOCAL_SPARK_MASTER = "local[2]"


def spark_master(master: str | None = None) -> str | None:
    """The Spark master a ``"spark"`` backend connects to.

    ``master`` if given, else ``$PROSUMO_SPARK_MASTER``, else ``None`` when the process
    was started by ``spark-submit`` (which sets the master itself) or ``$SPARK_REMOTE``
    names a Spark Connect server (PySpark reads it), else local mode on two cores.
    """
    chosen = (master or os.environ.get(SPARK_MASTER_ENV) or "").strip()
    if chosen:
        return chosen
    if os.environ.get("PYSPARK_GATEWAY_PORT") or os.environ.get("SPARK_REMOTE"):
        return None
    return LOCAL_SPARK_MASTER


def _spark_backend(master: str | None = None) -> Any:
    import ibis
    from pyspark.sql import SparkSession

    with warnings.catch_warnings():
        # PySpark 4.3 warns once, on import, that pandas 3 is not fully supported;
        # the backend hands Arrow tables to Spark, not pandas frames.
        warnings.filterwarnings("ignore", "PySpark does not yet fully support", FutureWarning)
        import ibis.backends.pyspark

    url = spark_master(master)
    builder = SparkSession.builder.appName("prosumo-analytics")
    if url is not None and url.startswith("sc://"):
        # Spark Connect: the server's own settings stand; the session's time zone is
        # a runtime setting, set below as for every other session.
        session = builder.remote(url).getOrCreate()
    else:
        if url is not None:
            builder = builder.master(url)
        if url is not None and url.startswith("local"):
            builder = builder.config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
            if "spark.driver.maxResultSize" not in os.environ.get("PYSPARK_SUBMIT_ARGS", ""):
                # In local mode the driver is all of Spark, and the sections bring per-member
                # frames to it (1.1 GB at 10 million members): its memory is the only limit.
                builder = builder.config("spark.driver.maxResultSize", "0")
        session = builder.config("spark.sql.execution.arrow.pyspark.enabled", "true").getOrCreate()
        session.sparkContext.setLogLevel("ERROR")
    # timestamps are read and handed back in UTC whatever the cluster's default zone
    session.conf.set("spark.sql.session.timeZone", "UTC")
    return ibis.pyspark.connect(session)


def _reads_files_in_place(backend: Any) -> bool:
    """Whether ``backend`` can query this machine's Parquet files where they lie.

    DuckDB (in this process) and Spark in local mode (its JVM runs on this machine) can;
    a Spark cluster's executors and a Spark Connect server may run elsewhere and cannot
    be assumed to see this machine's folders.
    """
    if backend == "duckdb" or getattr(backend, "name", None) == "duckdb":
        return True
    if getattr(backend, "name", None) != "pyspark":
        return False
    try:
        master = backend._session.sparkContext.master
    except Exception:  # Spark Connect sessions have no SparkContext
        return False
    return isinstance(master, str) and master.startswith("local")


def _is_uri(path: str | os.PathLike[str]) -> bool:
    """A path with a scheme (``hdfs://``, ``s3a://``, ``file://``...) that Spark resolves, not this process."""
    return "://" in str(path)


def _spark_missing(exc: Exception) -> bool:
    return "PATH_NOT_FOUND" in str(exc) or "Path does not exist" in str(exc)


def read_tables_on_spark(session: Any, uri: str) -> tuple[dict[str, pa.Table], dict[str, Any]]:
    """Read and validate a dataset folder that the Spark cluster reads (HDFS, S3 through
    ``s3a://`` and the cluster's Hadoop settings, or any other Hadoop file system).

    The cluster reads each ``NAME.parquet`` or ``NAME.csv`` (CSV with every column as
    text) and ``dataset.json``; the tables then pass :func:`validate` here, with the
    same messages as a local folder, and are handed back to Spark by the caller.

    Raises
    ------
    DatasetError
        When the folder does not follow the contract.
    """
    folder = str(uri).rstrip("/")
    problems: list[Problem] = []
    raw: dict[str, pa.Table] = {}
    files: dict[str, str] = {}
    for name in SCHEMA:
        present = []
        for suffix in ("parquet", "csv"):
            location = f"{folder}/{name}.{suffix}"
            reader = session.read.option("header", "true") if suffix == "csv" else session.read
            try:
                frame = reader.parquet(location) if suffix == "parquet" else reader.csv(location)
                present.append((f"{name}.{suffix}", frame.toArrow()))
            except Exception as exc:
                if not _spark_missing(exc):
                    problems.append(Problem(f"{name}.{suffix}", f"cannot be read: {str(exc).splitlines()[0]}"))
                    files[name] = f"{name}.{suffix}"
        if len(present) == 2:
            problems.append(Problem(present[0][0], f"both {name}.parquet and {name}.csv exist"))
        elif present:
            files[name], raw[name] = present[0]
    meta: dict[str, Any] = {}
    try:
        rows = session.read.text(f"{folder}/dataset.json", wholetext=True).collect()
    except Exception as exc:
        if not _spark_missing(exc):
            problems.append(Problem("dataset.json", f"cannot be read: {str(exc).splitlines()[0]}"))
        rows = []
    if rows:
        meta = _meta_of(rows[0][0], problems)
    conformed, table_problems = _validated(raw, files=files, unreadable=set(files) - set(raw))
    problems += table_problems
    if problems:
        raise DatasetError(problems)
    return conformed, meta


def _read_meta(folder: Path, problems: list[Problem]) -> dict[str, Any]:
    """The folder's dataset.json as `_meta_of` reads it ({} when there is none); what is wrong goes to problems."""
    meta_file = folder / "dataset.json"
    if not meta_file.exists():
        return {}
    try:
        return _meta_of(meta_file.read_text(encoding="utf-8"), problems)
    except UnicodeDecodeError as exc:
        problems.append(Problem("dataset.json", f"not valid JSON: {exc}"))
        return {}


def _meta_of(text: str, problems: list[Problem]) -> dict[str, Any]:
    """A dataset's ``dataset.json`` read from its text; {} and a problem when it is not a JSON object."""
    try:
        meta = json.loads(text)
    except json.JSONDecodeError as exc:
        problems.append(Problem("dataset.json", f"not valid JSON: {exc}"))
        return {}
    if not isinstance(meta, dict):
        problems.append(Problem("dataset.json", "must hold a JSON object"))
        return {}
    return meta


def _bind(con: Any, name: str, table: pa.Table) -> Any:
    """Make an Arrow table visible to an Ibis backend as ``name``."""
    if con.name == "duckdb":
        con.con.register(name, table)
        return con.table(name)
    if con.name == "pyspark":
        # Ibis's PySpark backend refuses create_table(temp=True); a session temp
        # view, made from the Arrow table directly, is what con.table() can see.
        session = con._session
        session.createDataFrame(table).createOrReplaceTempView(name)
        return con.table(name)
    return con.create_table(name, table, temp=True, overwrite=True)


def load_dataset(
    path: str | os.PathLike[str],
    *,
    backend: Any = "duckdb",
    spark_master: str | None = None,
    in_memory: bool | None = None,
) -> Dataset:
    """Load and validate a dataset folder into Ibis tables.

    Parameters
    ----------
    path:
        A folder with ``members``, ``ideas`` and ``events`` (``.parquet`` or ``.csv``),
        any optional tables, and ``dataset.json``. On Spark it may also be a URI that the
        cluster reads (``hdfs://...``, ``s3a://...``, ``file:///...``).
    backend:
        ``"duckdb"`` (in process, the default), ``"spark"`` or an already connected Ibis
        backend.
    spark_master:
        With ``backend="spark"``: a master URL (``spark://host:7077``, ``yarn``,
        ``local[4]``) or a Spark Connect address (``sc://host:15002``); by default
        ``$PROSUMO_SPARK_MASTER``, else local mode on two cores (:func:`spark_master`).
    in_memory:
        On DuckDB and on Spark in local mode, whether the tables are read into memory
        (as Arrow tables, handed to Spark from there) or, for a folder of Parquet files
        only, checked in batches and queried from the files in place (DuckDB or Spark
        reads them). ``None`` (the default) reads them into memory unless they are
        Parquet files whose uncompressed size is more than an eighth of the machine's
        memory (read into memory, tables take two to three times their uncompressed
        size). Elsewhere (a Spark cluster, Spark Connect) a local folder is always read
        here and handed over: the cluster's machines do not see this one's files.

    Raises
    ------
    DatasetError
        When the folder does not follow the contract; nothing is computed then.
    """
    if _is_uri(path) and backend != "spark" and getattr(backend, "name", None) != "pyspark":
        message = "a URI is read by a Spark cluster: use the spark engine, or give a local folder"
        raise DatasetError([Problem(str(path), message)])
    if backend == "spark":
        backend = _spark_backend(spark_master)
    if _is_uri(path) and not isinstance(backend, str) and getattr(backend, "name", None) == "pyspark":
        tables, meta = read_tables_on_spark(backend._session, str(path))
    elif _reads_files_in_place(backend) and (files := _parquet_files(path)) is not None:
        if in_memory is False or (in_memory is None and _decoded_bytes(files) > _machine_memory() // 8):
            tables, in_place, meta = read_parquet_in_batches(path)
            return open_tables(tables, meta=meta, backend=backend, parquet=in_place)
        tables, meta = read_tables(path)
    else:
        tables, meta = read_tables(path)
    return open_tables(tables, meta=meta, backend=backend)


#: The environment variable that caps DuckDB's memory (``4GB``, ``1500MiB``): above it DuckDB spills to disk.
DUCKDB_MEMORY_LIMIT_ENV = "PROSUMO_DUCKDB_MEMORY_LIMIT"
#: The environment variable that names the folder DuckDB spills to.
DUCKDB_TEMP_DIR_ENV = "PROSUMO_DUCKDB_TEMP_DIR"
_SIZE = re.compile(r"^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KIB|MIB|GIB|TIB)$", re.IGNORECASE)


class SettingError(ValueError):
    """An engine setting from the environment that cannot be used."""


def duckdb_settings() -> dict[str, str]:
    """DuckDB's memory limit and spill folder for a new connection.

    ``$PROSUMO_DUCKDB_MEMORY_LIMIT`` (a size: ``4GB``, ``1500MiB``), else half of the
    machine's memory: the dataset's Arrow tables live in the same process, outside
    DuckDB's limit, so DuckDB's default of 80 % would leave them too little. Above the
    limit, sorts, joins and aggregations spill to ``$PROSUMO_DUCKDB_TEMP_DIR``, else
    ``prosumo-duckdb`` in the system's temporary folder.

    Raises
    ------
    SettingError
        When the memory limit is not a size.
    """
    limit = os.environ.get(DUCKDB_MEMORY_LIMIT_ENV, "").strip()
    if limit and not _SIZE.match(limit):
        raise SettingError(
            f"${DUCKDB_MEMORY_LIMIT_ENV}={limit!r} is not a size: give a number and a unit, such as 4GB or 1500MiB"
        )
    if not limit:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") if hasattr(os, "sysconf") else 8 * 2**30
        limit = f"{max(total // 2 // 2**20, 256)}MiB"
    temp = os.environ.get(DUCKDB_TEMP_DIR_ENV, "").strip() or os.path.join(tempfile.gettempdir(), "prosumo-duckdb")
    return {"memory_limit": limit, "temp_directory": temp}


def open_tables(
    tables: Mapping[str, pa.Table],
    *,
    meta: Mapping[str, Any] | None = None,
    backend: Any = "duckdb",
    parquet: Mapping[str, Path] | None = None,
) -> Dataset:
    """A dataset of tables already in the contract's types (as :func:`validate` returns them).

    ``backend`` is as for :func:`load_dataset`; a DuckDB connection made here gets
    :func:`duckdb_settings` (a memory limit, and a folder to spill to above it).
    ``parquet`` names checked Parquet files already in the contract's types, which
    DuckDB reads in place (a view per table).
    """
    import ibis

    if backend == "duckdb":
        con = ibis.duckdb.connect(**duckdb_settings())
    elif backend == "spark":
        con = _spark_backend()
    elif isinstance(backend, str):
        raise ValueError(f"unknown backend {backend!r}: use 'duckdb', 'spark' or an Ibis backend")
    else:
        con = backend
    bound = {name: _bind(con, name, table) for name, table in tables.items()}
    if parquet and not _reads_files_in_place(con):
        raise ValueError("only DuckDB and Spark in local mode read this machine's Parquet files in place")
    for name, file in (parquet or {}).items():
        if name not in SCHEMA:
            raise ValueError(f"{name!r} is not a table of the contract")
        if con.name == "pyspark":
            con._session.read.parquet(Path(file).resolve().as_uri()).createOrReplaceTempView(name)
        else:
            quoted = str(Path(file).resolve()).replace("'", "''")  # a contract table name and a quoted path
            con.con.execute(f"CREATE OR REPLACE VIEW \"{name}\" AS SELECT * FROM read_parquet('{quoted}')")  # noqa: S608
        bound[name] = con.table(name)
    return Dataset(
        **bound,
        meta=dict(meta or {}),
        backend=con,
        arrow=dict(tables) if con.name == "duckdb" else {},
        parquet=dict(parquet or {}),
    )


# --------------------------------------------------------------------------- writing


def write_dataset(
    tables: Mapping[str, pa.Table | pd.DataFrame],
    path: str | os.PathLike[str],
    meta: Mapping[str, Any],
) -> Path:
    """Validate tables and write them as a dataset folder of Parquet files.

    Each table is written as ``NAME.parquet`` in the contract's types, columns in the
    contract's order (extra columns after them), and ``meta`` as ``dataset.json``
    (``created_at`` is filled in when absent). Nothing is written when validation
    fails.

    Raises
    ------
    DatasetError
        When the tables do not follow the contract.
    """
    conformed = validate(tables)
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in conformed.items():
        schema = arrow_schema(name)
        extra = [c for c in table.column_names if c not in schema.names]
        ordered = table.select(schema.names + extra)
        fields = list(schema) + [ordered.schema.field(c) for c in extra]
        pq.write_table(ordered.cast(pa.schema(fields)), folder / f"{name}.parquet")
    write_meta(folder, meta)
    return folder


def write_meta(path: str | os.PathLike[str], meta: Mapping[str, Any]) -> Path:
    """Write ``meta`` as the folder's ``dataset.json`` (``created_at`` filled in when absent), as ``write_dataset`` does."""
    folder = Path(path)
    info = {"name": folder.name, "source": None, "licence": None, "attribution": None, **dict(meta)}
    info.setdefault("created_at", None)
    if info["created_at"] is None:
        info["created_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    target = folder / "dataset.json"
    target.write_text(json.dumps(info, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    return target
