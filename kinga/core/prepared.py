"""A `values_list` queryset compiled to SQL once and then run with new parameter values.

Compiling a Django query with annotations or filtered relations costs more than running it when it reads a handful
of indexed rows, as the supply-chain decision does for every lot. The query is built once with sentinel values,
their positions among the SQL parameters are remembered, and each call substitutes the real values and applies
the same field converters as the ORM (so SQLite and PostgreSQL return the same Python types).

Only plain equality / comparison parameters can be placeholders (not `__in` lists, whose SQL depends on their
length). The compiled form is kept per database connection object, so threads never share a compiler.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable
from typing import Any

from django.db import connections
from django.db.models import QuerySet

# Values no real row uses: an id no sequence produces and a date no record carries.
_INT_BASE = -7_391_845_203
_DATE_BASE = datetime.date(1, 1, 3)


def _sentinel(kind: type, index: int) -> Any:
    if kind is int:
        return _INT_BASE - index
    if kind is datetime.date:
        return _DATE_BASE + datetime.timedelta(days=index)
    raise TypeError(kind)


class PreparedQuery:
    """`build(**values)` returns a values_list queryset; `kinds` names each value's type (int or date)."""

    def __init__(self, build: Callable[..., QuerySet], **kinds: type) -> None:
        self.build = build
        self.kinds = kinds
        self._local = threading.local()

    def _compile(self, alias: str):
        sentinels = {name: _sentinel(kind, i) for i, (name, kind) in enumerate(self.kinds.items())}
        qs = self.build(**sentinels)
        compiler = qs.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        slots: list[tuple[int, str, bool]] = []
        for position, param in enumerate(params):
            for name, value in sentinels.items():
                if param == value:
                    slots.append((position, name, False))
                elif isinstance(value, datetime.date) and param == value.isoformat():
                    slots.append((position, name, True))
        if {name for _p, name, _s in slots} != set(self.kinds):
            raise ValueError("A prepared query value is not a plain SQL parameter")
        return compiler, sql, list(params), slots

    def __call__(self, **values: Any) -> list[tuple]:
        alias = "default"  # Kinga has one database and no router.
        connection = connections[alias]
        cache = getattr(self._local, "compiled", None)
        if cache is None or cache[0] is not connection:
            cache = self._local.compiled = (connection, self._compile(alias))
        compiler, sql, params, slots = cache[1]
        params = list(params)
        for position, name, as_text in slots:
            value = values[name]
            params[position] = value.isoformat() if as_text else value
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return list(compiler.results_iter(results=[rows], tuple_expected=True))
