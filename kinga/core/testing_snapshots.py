"""Test data built once per test process and written back for the next tests (reference places, organisations,
the plan): what a fixture's builder wrote is kept, and the next test asking for it gets the same rows, ids
included, in a few statements instead of the builder's hundreds.

The places of the whole country take 0.2 s to load through their service, the plan 0.4 s; a thousand tests ask
for them on each database. The rows written back are exactly those the builder wrote the first time (every table
its statements wrote to is read after it), and only where the tables it read, those it wrote to and those its
rows point to hold what they held when it ran (as many rows, up to the same greatest key). Other tables do not
matter: a test that made its own organisation before asking for the places gets the same places.

A process meets several such states: a transactional test empties the tables, and Django's post-migrate
handlers write the content types and permissions back under new ids, so the tests after it start from another
state, which holds until the next such test. Each state gets its own copy (the last few are kept). Where the
builder deleted rows it had not written, or wrote to a table outside the models, it runs every time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, transaction

from kinga.core import clock
from kinga.core.testing_tallies import TablesRead, Writes, recording_writes

T = TypeVar("T")


@dataclass(frozen=True)
class Snapshot:
    before: dict[str, tuple]  # rows and greatest key per model table before the builder ran
    rows: list[tuple[str, list[tuple[str, str]], list[tuple]]]  # (table, (column, cast), rows) after it
    result: object  # what the builder returned (plain data: an id, a count)


@dataclass
class _Copies:
    tables: frozenset[str] | None = None  # read, written or pointed to (known after the first build)
    by_state: dict[tuple, Snapshot] = field(default_factory=dict)  # most recently made last


_SNAPSHOTS: dict[str, _Copies | None] = {}  # None: not replayable (the builder runs each time)
STATES_KEPT = 4  # a few states alternate in a process (see above); a copy is a few hundred rows


def replayed(key: str, build: Callable[[], T]) -> T:
    """`build()` the first time (per process and state of the tables it reads, writes and points to); afterwards its
    rows written back and what it returned then (plain data: an id, a count — not a model instance, which a test
    could change)."""
    key = f"{key}@{clock.today().isoformat()}"  # what a builder writes may depend on the day
    copies = _SNAPSHOTS.setdefault(key, _Copies())
    if copies is None:
        return build()
    models = _model_tables()
    tables = {t: models[t] for t in copies.tables} if copies.tables is not None else models
    before = _counts(tables)
    state = _state(before)
    if copies.tables is not None and state in copies.by_state:
        _write_back(copies.by_state[state])
        return copies.by_state[state].result
    reads = TablesRead()
    with recording_writes() as writes, connection.execute_wrapper(reads):
        result = build()
    snapshot = _take(writes, tables, before, result)
    if snapshot is None:
        _SNAPSHOTS[key] = None
        return result
    if copies.tables is None:
        copies.tables = _read_written_and_pointed_to(reads.tables, writes.tables, models)
        before = {t: before[t] for t in copies.tables}
        snapshot = Snapshot(before=before, rows=snapshot.rows, result=result)
        state = _state(before)
    copies.by_state[state] = snapshot
    while len(copies.by_state) > STATES_KEPT:
        del copies.by_state[next(iter(copies.by_state))]
    return result


def _state(counts: dict[str, tuple]) -> tuple:
    return tuple(sorted(counts.items()))


def _read_written_and_pointed_to(
    read: set[str], written: set[str], models: dict[str, type]
) -> frozenset[str]:
    pointed_to = {
        f.related_model._meta.db_table
        for table in written
        for f in models[table]._meta.concrete_fields
        if f.is_relation and f.related_model is not None
    }
    return frozenset((read & set(models)) | written | pointed_to)


def _model_tables() -> dict[str, type]:
    return {m._meta.db_table: m for m in apps.get_models(include_auto_created=True)}


def _greatest(model) -> str:
    column = connection.ops.quote_name(model._meta.pk.column)
    if model._meta.pk.get_internal_type() in ("AutoField", "BigAutoField", "SmallAutoField", "IntegerField"):
        return f"CAST(MAX({column}) AS TEXT)"
    return f"MAX(CAST({column} AS TEXT))"  # (PostgreSQL has no greatest uuid)


def _take(writes: Writes, tables: dict[str, type], before: dict[str, tuple], result) -> Snapshot | None:
    # Rows deleted from a table that held some before: the write-back (which only adds and updates) would keep
    # them. Deleted from a table empty before, they were the builder's own, and are not in what is read after.
    if writes.unknown or any(before[t][0] for t in writes.deleted) or not writes.tables <= set(tables):
        return None
    quote = connection.ops.quote_name
    rows = []
    with connection.cursor() as cursor:
        for table in sorted(writes.tables):
            cursor.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608 (a model's own table)
            # PostgreSQL's json values come as their text (as Django reads them): written back as text, cast.
            casts = [_JSON_TYPES.get(getattr(c, "type_code", None), "") for c in cursor.description]
            columns = [(c[0], cast) for c, cast in zip(cursor.description, casts, strict=True)]
            rows.append((table, columns, cursor.fetchall()))
    return Snapshot(before=before, rows=rows, result=result)


_JSON_TYPES = {114: "json", 3802: "jsonb"}  # PostgreSQL's type OIDs


def _counts(tables: dict[str, type]) -> dict[str, tuple]:
    """Per table, its rows and its greatest key: the same counts with other ids (rows written, rolled back and
    written again on PostgreSQL) are another database for rows that point to them."""
    if not tables:
        return {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(
                f"SELECT '{table}', COUNT(*), {_greatest(model)} FROM {quote(table)}"  # noqa: S608 (model tables)
                for table, model in tables.items()
            )
        )
        return {table: (count, greatest) for table, count, greatest in cursor.fetchall()}


def _write_back(snapshot: Snapshot) -> None:
    quote = connection.ops.quote_name
    models = _model_tables()
    # One transaction: the tables go back in name order, and a row may point to one of a later table (the
    # foreign keys are checked at commit). Outside a test's transaction each statement would commit alone.
    with transaction.atomic(), connection.cursor() as cursor:
        for table, columns, rows in snapshot.rows:
            if not rows:
                continue
            key = models[table]._meta.pk.column
            names = ", ".join(quote(c) for c, _cast in columns)
            values = ", ".join(f"%s::{cast}" if cast else "%s" for _c, cast in columns)
            updates = (
                ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c, _cast in columns if c != key) or None
            )
            insert = f"INSERT INTO {quote(table)} ({names}) VALUES ({values})"  # noqa: S608 (a model's table)
            if snapshot.before[table][0]:
                # Rows there before the builder, which it may have changed (a place given its path). A table
                # empty before gets plain inserts: the audit trail's runtime role may not update it.
                insert += f" ON CONFLICT ({quote(key)}) " + (
                    f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
                )
            cursor.executemany(insert, rows)
        # Each table's next id follows the rows written back, whatever ran in between.
        for statement in connection.ops.sequence_reset_sql(
            no_style(), [models[t] for t, *_ in snapshot.rows]
        ):
            cursor.execute(statement)
    ContentType.objects.clear_cache()
