"""Statements for the busiest paths, built once and adapted by the fields themselves.

The ORM compiles every query anew, and for a vote (a handful of one-row reads and
writes) or a page of a campaign's ideas the compiling costs more than the database
does. This module writes each statement's SQL once per model, field list and database
from the models' metadata, and converts values both ways with the fields' own methods
(``get_db_prep_save`` going in, the backend's and field's converters coming out), so
that what it writes and reads is exactly what the ORM would. `Compiled` reuses a query
the ORM compiled once, so filters stay written in the ORM.

A read gives each part's values for a typed row (a dataclass of the columns read), or a
model instance only when every column was read: never a half-loaded instance. It does
not send save or delete signals; Prosumo has no receivers on the models it is used for,
and `Part.instance` goes through ``__init__`` whenever anything listens to a model's
init signals.

Users, each measured in ``bench/RESULTS.md``: the vote path (``ideas/services/votes.py``,
the API token lookup in ``integrations/services.py`` and `event_record`, which writes
each vote's event), a campaign's list page
(``ideas/selectors.py``, and its campaign read in ``ideas/permissions.py``) and marking
each email sent (``core/mail.py``); and a customer import's batches
(``community/imports.py``), whose values are prepared before the transaction so that it
holds SQLite's write lock briefly (docs/operations.md). An import-linter contract in
pyproject.toml keeps it there; everywhere else use the ORM.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.models import Field, Model, signals
from django.db.models.base import ModelState

M = TypeVar("M", bound=Model)


def _field(model: type[Model], name: str) -> Field[Any, Any]:
    field = model._meta.get_field(name)
    if not field.concrete or field.many_to_many:
        raise ValueError(f"{model.__name__}.{name} is not a column")
    return field


def _fields(model: type[Model], names: Iterable[str]) -> tuple[Field[Any, Any], ...]:
    return tuple(_field(model, name) for name in names)


def quoted_table(model: type[Model], using: str = "default") -> str:
    return str(connections[using].ops.quote_name(model._meta.db_table))


def quoted_column(model: type[Model], name: str, using: str = "default") -> str:
    """The quoted column of a field (``campaign`` gives ``"campaign_id"``)."""
    return str(connections[using].ops.quote_name(str(_field(model, name).column)))


@lru_cache(maxsize=256)
def select_list(model: type[Model], alias: str, names: tuple[str, ...], using: str = "default") -> str:
    """``alias."col1", alias."col2", ...`` for a hand-written SELECT of these fields."""
    qn = connections[using].ops.quote_name
    return ", ".join(f"{alias}.{qn(str(f.column))}" for f in _fields(model, names))


class Part:
    """One model's columns in a hand-written SELECT: converts its slice of a row as the ORM would.

    ``names`` are field names or attribute names (``campaign`` or ``campaign_id`` for a
    foreign key, read as ``campaign_id``), selected in the order given, the primary key
    first. `values` gives the slice's values in that order, converted by the fields
    themselves, for the caller's typed row (a dataclass); a row whose primary key is
    NULL (the missing side of a LEFT JOIN) gives None. `instance` builds a model
    instance instead, and only from every concrete column: a model is read whole or
    not at all, never half-loaded.
    """

    def __init__(self, model: type[Model], alias: str, names: Sequence[str]):
        self.model = model
        self.alias = alias
        self.names = tuple(names)
        self.fields = _fields(model, self.names)
        if not self.fields[0].primary_key:
            raise ValueError("the primary key must be the first field")
        self.attnames = [f.attname for f in self.fields]
        self.whole = {f.attname for f in model._meta.concrete_fields} == set(self.attnames)
        self._converters: dict[str, list[tuple[Any, list[Any]]]] = {}

    def columns(self, using: str = "default") -> str:
        return select_list(self.model, self.alias, self.names, using)

    def converters(self, using: str) -> list[tuple[Any, list[Any]]]:
        """Per column, its expression and the converters the ORM would apply to it."""
        found = self._converters.get(using)
        if found is None:
            connection = connections[using]
            found = []
            for field in self.fields:
                column = field.get_col(self.alias)
                found.append(
                    (column, [*connection.ops.get_db_converters(column), *column.get_db_converters(connection)])
                )
            self._converters[using] = found
        return found

    def values(self, raw: Sequence[Any], using: str = "default") -> list[Any] | None:
        """The slice's values in the order of `names`, converted as the ORM converts them; None for a NULL key."""
        if raw[0] is None:
            return None
        connection = connections[using]
        converted = []
        for value, (column, converters) in zip(raw, self.converters(using), strict=True):
            for convert in converters:
                value = convert(value, column, connection)
            converted.append(value)
        return converted

    def instance(self, values: Sequence[Any], using: str = "default") -> Model:
        """A whole model instance from `values` (every concrete column, as `values` gave them)."""
        if not self.whole:
            raise ValueError(f"{self.model.__name__} is built only from all its columns: read the others as a row")
        if self.has_init_signals:
            return self.model.from_db(using, self.attnames, values)
        # What `Model.from_db` ends with, without its per-field loop: the fields in the
        # instance's __dict__ and a state saying it came from this database.
        obj = self.model.__new__(self.model)
        state = ModelState()
        state.adding, state.db = False, using
        obj._state = state
        obj.__dict__.update(zip(self.attnames, values, strict=True))
        return obj

    @functools.cached_property
    def has_init_signals(self) -> bool:
        """Whether anything listens to this model's pre_init/post_init (then `instance` goes through __init__)."""
        return bool(signals.pre_init.has_listeners(self.model) or signals.post_init.has_listeners(self.model))


@lru_cache(maxsize=256)
def _insert_sql(model: type[Model], names: tuple[str, ...], using: str, returning: bool) -> str:
    qn = connections[using].ops.quote_name
    fields = _fields(model, names)
    sql = (
        f"INSERT INTO {quoted_table(model, using)} ({', '.join(qn(str(f.column)) for f in fields)}) "  # noqa: S608 (names from model metadata, values bound)
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    if returning:
        sql += f" RETURNING {quoted_column(model, model._meta.pk.name, using)}"
    return sql


@lru_cache(maxsize=256)
def _concrete_names(model: type[Model]) -> tuple[str, ...]:
    return tuple(f.name for f in model._meta.concrete_fields if not f.primary_key)


def insert(obj: M, using: str = "default") -> M:
    """INSERT the instance's concrete fields (auto_now and defaults applied as `save` would); sets its pk."""
    connection = connections[using]
    model = type(obj)
    names = _concrete_names(model)
    fields = _fields(model, names)
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    returning = bool(connection.features.can_return_columns_from_insert)
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(model, names, using, returning), params)
        pk = cursor.fetchone()[0] if returning else cursor.lastrowid
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = using
    return obj


@lru_cache(maxsize=256)
def _update_sql(model: type[Model], names: tuple[str, ...], using: str) -> str:
    qn = connections[using].ops.quote_name
    sets = ", ".join(f"{qn(str(f.column))} = %s" for f in _fields(model, names))
    return (
        f"UPDATE {quoted_table(model, using)} SET {sets} WHERE {quoted_column(model, model._meta.pk.name, using)} = %s"  # noqa: S608 (names from model metadata, values bound)
    )


def update(obj: Model, names: Sequence[str], using: str = "default") -> int:
    """UPDATE these fields of a saved instance (auto_now applied as `save(update_fields=...)` would)."""
    connection = connections[using]
    model = type(obj)
    names = tuple(names)
    params = [f.get_db_prep_save(f.pre_save(obj, False), connection) for f in _fields(model, names)]
    params.append(model._meta.pk.get_db_prep_value(obj.pk, connection))
    with connection.cursor() as cursor:
        cursor.execute(_update_sql(model, names, using), params)
        return int(cursor.rowcount)


def update_row(model: type[Model], pk: Any, values: dict[str, Any], using: str = "default") -> int:
    """UPDATE these fields of the row with this primary key (for a typed row: no model, no ``pre_save``)."""
    connection = connections[using]
    names = tuple(values)
    params = [f.get_db_prep_save(values[f.name], connection) for f in _fields(model, names)]
    params.append(model._meta.pk.get_db_prep_value(pk, connection))
    with connection.cursor() as cursor:
        cursor.execute(_update_sql(model, names, using), params)
        return int(cursor.rowcount)


def delete(obj: Model, using: str = "default") -> int:
    """DELETE the instance's row only: for models that nothing refers to (no cascade is looked for)."""
    connection = connections[using]
    model = type(obj)
    sql = f"DELETE FROM {quoted_table(model, using)} WHERE {quoted_column(model, model._meta.pk.name, using)} = %s"  # noqa: S608 (names from model metadata, values bound)
    with connection.cursor() as cursor:
        cursor.execute(sql, [model._meta.pk.get_db_prep_value(obj.pk, connection)])
        obj._state.adding = True
        return int(cursor.rowcount)


class Compiled:
    """A queryset's SQL, compiled by the ORM once and run again with other values in marked places.

    Build the queryset with *markers* — values that appear nowhere else in it (a
    negative id, a string no field holds) — in the places that change from run to
    run; `params` puts the run's values where the markers were, keeping every other
    parameter the ORM bound. The filter logic stays written once, in the ORM.
    """

    def __init__(self, queryset: Any, markers: dict[str, Any]):
        sql, params = queryset.query.sql_with_params()
        slots: list[tuple[bool, Any]] = []
        seen: dict[str, int] = dict.fromkeys(markers, 0)
        by_value = {repr(value): name for name, value in markers.items()}
        for param in params:
            name = by_value.get(repr(param))
            if name is not None:
                seen[name] += 1
                slots.append((True, name))
            else:
                slots.append((False, param))
        wrong = [name for name, count in seen.items() if count != 1]
        if wrong:
            raise ValueError(f"markers not found exactly once in the compiled query: {', '.join(wrong)}")
        self.sql = sql
        self.slots = slots

    def params(self, **values: Any) -> list[Any]:
        return [values[slot] if marked else slot for marked, slot in self.slots]


def split(row: Sequence[Any], parts: Sequence[Part], using: str = "default") -> list[list[Any] | None]:
    """One row of a SELECT of ``parts`` in order (each its `columns`), as each part's `values`."""
    out, start = [], 0
    for part in parts:
        out.append(part.values(row[start : start + len(part.names)], using))
        start += len(part.names)
    return out


def fetch(sql: str, params: Sequence[Any], *parts: Part, using: str | None = None) -> list[list[list[Any] | None]]:
    """Run a hand-written SELECT of ``parts`` and convert each row's slices (`split`).

    Without ``using`` it reads where the ORM would read the first part's model (the primary,
    or the replica on a page that reads from it: ``prosumo.core.replica``).
    """
    if using is None:
        using = router.db_for_read(parts[0].model) if parts else DEFAULT_DB_ALIAS
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return [split(row, parts, using) for row in cursor.fetchall()]


@lru_cache(maxsize=64)
def _upsert_sql(model: type[Model], names: tuple[str, ...], unique: tuple[str, ...], using: str) -> str:
    qn = connections[using].ops.quote_name
    columns = [qn(str(f.column)) for f in _fields(model, names)]
    keys = [qn(str(f.column)) for f in _fields(model, unique)]
    sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c not in keys)
    return (
        f"INSERT INTO {quoted_table(model, using)} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))}) "  # noqa: S608 (names from model metadata, values bound)
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {sets}"
    )


def upsert_rows(
    model: type[Model], names: Sequence[str], rows: Iterable[Sequence[Any]], using: str = "default"
) -> list[list[Any]]:
    """Rows of values (in the order of `names`, as the fields' attributes hold them) bound for `upsert`.

    Each value goes through its field's ``get_db_prep_save``, the slow part of a bulk
    write: do it before the transaction that writes the rows, so that it stays short.
    No ``pre_save``: pass ``auto_now`` values yourself.
    """
    connection = connections[using]
    prepare = [f.get_db_prep_save for f in _fields(model, names)]
    last: list[Any] = [object()] * len(prepare)
    done: list[Any] = [None] * len(prepare)
    out = []
    for row in rows:
        for i, value in enumerate(row):
            if value is not last[i]:  # a value shared by every row (a timestamp, a segment) is prepared once
                last[i], done[i] = value, prepare[i](value, connection)
        out.append(list(done))
    return out


def upsert(
    model: type[Model],
    names: Sequence[str],
    unique: Sequence[str],
    rows: Sequence[Sequence[Any]],
    using: str = "default",
) -> None:
    """INSERT each row, or, where one with the same `unique` columns exists, UPDATE its other columns.

    ``INSERT ... ON CONFLICT (...) DO UPDATE``, which SQLite and PostgreSQL write alike;
    one statement run for every row (``executemany``). `rows` come from `upsert_rows`.
    """
    with connections[using].cursor() as cursor:
        cursor.executemany(_upsert_sql(model, tuple(names), tuple(unique), using), rows)
