"""National scale for `kinga synth`: generate a base in Python, then multiply the bulk tables in SQL.

Generating a million encrypted children, five million follow-ups and half a million households row by row takes
hours on the two-core machines the project runs on; the benchmarks need the volume and the distribution, not a
million different random draws. So at national scale the generators produce 1/factor of the bulk records
(SynthContext.size divides the keys the apps declare with their tables) against the full national set of organisations,
users, sites, cooperatives and programmes, and then every registered bulk table is copied factor − 1 times in
SQL: copy k gets ids shifted by k × the table's largest id, its foreign keys to other cloned tables shifted the
same way (copy k of a case points at copy k of its child), new UUIDs, and per-column expressions for values that
must stay unique (case numbers, codes). Foreign keys to tables that are not cloned (organisations, caseworkers,
sites, places, programmes) are kept: each caseworker's caseload grows by the factor, as it would if the national
volume had been generated directly against the same caseworkers. Encrypted values and blind indexes are copied
as they are (same key), so every copy decrypts and is found by name search like the original.

Only on PostgreSQL (the benchmarks' database); the embedded database never runs national scale.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, models, transaction

# The SCALES keys whose records are cloned at national scale (their generators produce size / factor); each app
# declares its own with register_clone(..., sizes=...).
CLONED_KEYS: set[str] = set()
FACTOR = {"national": 20}


@dataclass
class CloneSpec:
    model: type[models.Model]
    # column -> SQL expression over the base row's columns; `k` is the copy number (1 … factor − 1) and
    # {stride} the table's largest base id (copy k of row `id` has id + k × stride).
    expressions: dict[str, str] = field(default_factory=dict)
    order: int = 100


_SPECS: list[CloneSpec] = []
_FINISHERS: list[Callable] = []


def register_clone(
    model: type[models.Model],
    *,
    expressions: dict[str, str] | None = None,
    order: int = 100,
    sizes: tuple[str, ...] = (),
):
    """Declare a bulk table to multiply at national scale (from the app's synth module), and the SCALES keys
    (`sizes`) its generator must produce only the base of."""
    CLONED_KEYS.update(sizes)
    if not any(spec.model is model for spec in _SPECS):
        _SPECS.append(CloneSpec(model=model, expressions=expressions or {}, order=order))


def register_clone_finisher(fn: Callable) -> None:
    """fn(factor, cursor) runs after the copies, in the same transaction (to move counters past them, say)."""
    if fn not in _FINISHERS:
        _FINISHERS.append(fn)


def factor_for(scale: str) -> int:
    return FACTOR.get(scale, 1)


def _unique_sets(model: type[models.Model]) -> list[set[str]]:
    meta = model._meta
    sets = [{f.column} for f in meta.concrete_fields if f.unique and not f.primary_key]
    sets += [{meta.get_field(n).column for n in names} for names in meta.unique_together]
    for constraint in meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
            sets.append({meta.get_field(n).column for n in constraint.fields})
    return sets


def _select_list(spec: CloneSpec, strides: dict[str, int], cloned: set[str]) -> tuple[list[str], list[str]]:
    meta = spec.model._meta
    quote = connection.ops.quote_name
    columns, expressions = [], []
    for f in meta.concrete_fields:
        column = quote(f.column)
        if f.column in spec.expressions:
            expression = spec.expressions[f.column].replace("{stride}", str(strides[meta.db_table]))
        elif f.primary_key:
            expression = f"{column} + k * {strides[meta.db_table]}"
        elif f.is_relation and f.related_model._meta.db_table in cloned:
            expression = f"{column} + k * {strides[f.related_model._meta.db_table]}"
        elif isinstance(f, models.UUIDField):
            expression = "gen_random_uuid()"
        else:
            expression = column
        columns.append(column)
        expressions.append(expression)
    return columns, expressions


def check_unique(spec: CloneSpec, cloned: set[str]) -> None:
    """Every unique set must contain a column that changes per copy, or the copies would collide."""
    meta = spec.model._meta
    changing = set(spec.expressions) | {
        f.column
        for f in meta.concrete_fields
        if f.primary_key
        or isinstance(f, models.UUIDField)
        or (f.is_relation and f.related_model._meta.db_table in cloned)
    }
    for unique in _unique_sets(spec.model):
        if not unique & changing:
            raise ValueError(f"{meta.label}: unique {sorted(unique)} needs a clone expression")


def clone_all(factor: int, log: Callable[[str], None]) -> dict[str, int]:
    """Multiply every registered table `factor` times. Returns rows added by table."""
    if factor <= 1 or not _SPECS:
        return {}
    if connection.vendor != "postgresql":
        raise RuntimeError("National scale needs PostgreSQL")
    specs = sorted(_SPECS, key=lambda s: s.order)
    cloned = {spec.model._meta.db_table for spec in specs}
    for spec in specs:
        check_unique(spec, cloned)
    added: dict[str, int] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        strides = {}
        for spec in specs:
            table = spec.model._meta.db_table
            cursor.execute(f"SELECT coalesce(max(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            strides[table] = cursor.fetchone()[0]
        # Parents are copied before their children, so foreign keys hold row by row. A superuser (the
        # benchmark database's owner) skips those checks altogether (tens of millions of lookups; the copies are
        # consistent by construction) and rebuilds secondary indexes once per table instead of row by row.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        fast = cursor.fetchone()[0]
        if fast:
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for spec in specs:
            meta = spec.model._meta
            table = connection.ops.quote_name(meta.db_table)
            columns, expressions = _select_list(spec, strides, cloned)
            t0 = time.perf_counter()
            # Secondary indexes are rebuilt once after the copy rather than maintained row by row (unique
            # constraints stay: they are what proves the copies do not collide).
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
                "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
                [meta.db_table, meta.db_table],
            )
            indexes = cursor.fetchall() if fast else []
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 — names from the models
                f"SELECT {', '.join(expressions)} FROM {table} "
                f"CROSS JOIN generate_series(1, %s) AS k WHERE id <= %s",
                [factor - 1, strides[meta.db_table]],
            )
            added[meta.db_table] = cursor.rowcount
            for _name, definition in indexes:
                cursor.execute(definition)
            last_id = strides[meta.db_table] * factor
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [meta.db_table, max(last_id, 1)]
            )
            log(f"clone : {meta.db_table} +{added[meta.db_table]} lignes en {time.perf_counter() - t0:.1f} s")
        for finish in _FINISHERS:
            finish(factor, cursor)
    with connection.cursor() as cursor:
        for spec in specs:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(spec.model._meta.db_table)}")
    return added
