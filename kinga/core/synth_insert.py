"""Bulk inserts for `kinga synth` through PostgreSQL's COPY.

Django's bulk_create compiles an INSERT … UNNEST of arrays for every batch; at national scale (tens of millions
of rows) that compilation, not the database, was most of the synth's time. Here ids are drawn from the table's
sequence first (so dependents can point at the rows before they exist) and the rows stream through COPY. Values
go through each field's own preparation (encryption, JSON) unless the field is a plain column whose Python
value the driver adapts as is. Other backends (SQLite, the embedded default) use bulk_create.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, models, transaction
from django.utils import timezone

# Fields whose Python value PostgreSQL's driver adapts directly: no per-value preparation needed.
_PLAIN = (
    models.AutoField,
    models.BigAutoField,
    models.BooleanField,
    models.CharField,
    models.DateField,
    models.DecimalField,
    models.FloatField,
    models.IntegerField,
    models.TextField,
    models.UUIDField,
)


def _is_plain(field: models.Field) -> bool:
    if getattr(field, "protected", False):  # encrypted: its get_prep_value encrypts
        return False
    if isinstance(field, models.DurationField | models.GenericIPAddressField):
        return False
    if isinstance(field, models.DateTimeField):
        # Aware datetimes go as they are; auto_now(_add) fields get one "now" per call (see insert()).
        return type(field).get_db_prep_save is models.Field.get_db_prep_save
    if isinstance(field, models.ForeignKey):
        return _is_plain(field.target_field)
    return type(field).get_db_prep_save is models.Field.get_db_prep_save and isinstance(field, _PLAIN)


def insert(
    model: type[models.Model],
    objs: Sequence[models.Model],
    *,
    ignore_conflicts: bool = False,
    batch_size: int = 5000,
) -> Sequence[models.Model]:
    """Insert `objs` (unsaved instances); each gets its primary key. Returns `objs`.

    With ignore_conflicts, rows that would violate a unique constraint are skipped (their instances keep an
    id that is not in the table, as with bulk_create they should not be pointed at)."""
    if not objs:
        return objs
    if connection.vendor != "postgresql":
        return model.objects.bulk_create(objs, batch_size=batch_size, ignore_conflicts=ignore_conflicts)
    meta = model._meta
    pk = meta.pk
    quote = connection.ops.quote_name
    fields = list(meta.concrete_fields)
    plain = [_is_plain(f) for f in fields]
    now = timezone.now()
    stamped = [f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    table = quote(meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    with transaction.atomic(), connection.cursor() as wrapper:
        cursor = wrapper.cursor  # psycopg's own cursor: Django's wrapper has no copy()
        missing = [o for o in objs if o.pk is None]
        if missing:
            if not isinstance(pk, models.AutoField | models.BigAutoField | models.SmallAutoField):
                raise ValueError(f"{meta.label}: give every row its primary key")
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, pk.column, len(missing)],
            )
            for obj, (value,) in zip(missing, cursor.fetchall(), strict=True):
                obj.pk = value
        for obj in objs:
            for f in stamped:
                if getattr(obj, f.attname) is None or f.auto_now:
                    setattr(obj, f.attname, now)
        target = table
        if ignore_conflicts:
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS synth_stage_{meta.db_table} "
                f"(LIKE {table} INCLUDING DEFAULTS) ON COMMIT DROP"
            )
            target = f"synth_stage_{meta.db_table}"
            cursor.execute(f"TRUNCATE {target}")
        with cursor.copy(f"COPY {target} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row(
                    [
                        getattr(obj, f.attname)
                        if is_plain
                        else f.get_db_prep_save(f.pre_save(obj, True), connection)
                        for f, is_plain in zip(fields, plain, strict=True)
                    ]
                )
        if ignore_conflicts:
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {target} ON CONFLICT DO NOTHING"  # noqa: S608
            )
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs
