"""Figures memoised until a write: what no tally (kinga.core.tallies) can keep current — distinct people or
households over several years, means — read from the shared cache between two writes of the records it counts.

The memo of a figure lives under the generation of the apps whose records it counts: the commit of a transaction
that saved or deleted one of their records starts a new generation (before it commits, the writing connection
computes from the records, the only one that sees its write), so a figure is recomputed after every write and
read from the cache between writes. The dashboard asks the same figures again and again between two writes.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

from django.apps import apps as django_apps
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save

from kinga.core import indicators

logger = logging.getLogger(__name__)


_MEMO_APPS: dict[str, tuple[str, ...]] = {}
_SOURCES: set[str] = set()  # every app or model label some memo forgets on
_MEMO_TIMEOUT = 24 * 3600
T = TypeVar("T")


def register(code: str, *, apps: Sequence[str]) -> None:
    """Memoise the indicator source `code` until the next write of a record of one of `apps`: app labels
    ("households": any of its models) or model labels ("core.Organisation": that model only)."""
    _MEMO_APPS[code] = tuple(apps)
    indicators.attach_reader(code, _MemoReader(code))
    _watch(apps)


def register_figure(name: str, *, apps: Sequence[str]) -> None:
    """A page's figure that is no indicator (the cases counted by status, a facility's children in care),
    memoised by `remember` like the indicators: until the next write of a record of `apps`. Declared when the app
    is wired, so that every process that writes those records starts the new generation."""
    _MEMO_APPS[f"figure:{name}"] = tuple(apps)
    _watch(apps)


def remember(name: str, key: object, compute: Callable[[], T]) -> T:
    """The figure `name` (register_figure) for `key` (what the computation depends on besides the records:
    the actor's scope, a day): from the memo between two writes, else computed and kept."""
    apps = _MEMO_APPS[f"figure:{name}"]
    if _BYPASSED or _dirty_apps() & set(apps):
        return compute()
    try:
        generations = cache.get_many([_generation_key(app) for app in apps])
        stamp = ",".join(str(generations.get(_generation_key(app), 0)) for app in apps)
        memo_key = "kinga:memo:" + hashlib.sha256(f"figure:{name}|{stamp}|{key!r}".encode()).hexdigest()
        found = cache.get(memo_key)
    except Exception:
        logger.exception("kinga.core.memo: the cache failed, %s computed from the records", name)
        return compute()
    if found is not None:
        return found[0]
    value = compute()
    try:
        cache.set(memo_key, (value,), _MEMO_TIMEOUT)  # in a tuple: a figure may be None
    except Exception:
        logger.exception("kinga.core.memo: the cache refused %s", name)
    return value


def remember_rows(name: str, rows: QuerySet) -> list:
    """The rows of `rows` (a grouped count) memoised as the figure `name`, keyed by its SQL: the actor's scope
    and the filters are part of the query."""
    return remember_query(name, rows, lambda: list(rows))


def remember_query(name: str, qs: QuerySet, compute: Callable[[], T], *, part: str = "") -> T:
    """compute() (which reads `qs`: an aggregate, a count) memoised as the figure `name`, keyed by `qs`'s SQL
    and `part` (which of several computations over it). A query that can match nothing is computed as it is."""
    try:
        key = f"{part}|{qs.query}"
    except EmptyResultSet:
        return compute()
    return remember(name, key, compute)


class MemoisedRows:
    """A grouped query read a page at a time (a Paginator's count, then a slice), each memoised between two writes
    of its records, keyed by each query's SQL: a page of a national grouping without a pass over it per request."""

    def __init__(self, name: str, rows: QuerySet) -> None:
        self.name, self.rows = name, rows

    def count(self) -> int:
        return remember_query(self.name, self.rows, self.rows.count, part="count")

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[dict]:
        if not isinstance(index, slice):
            raise TypeError("MemoisedRows is read by slices (a page)")
        return remember_rows(self.name, self.rows[index])


def _watch(apps: Sequence[str]) -> None:
    _SOURCES.update(apps)
    for source in apps:
        models = (
            [django_apps.get_model(source)]
            if "." in source
            else django_apps.get_app_config(source).get_models()
        )
        for model in models:
            # Connected to these models only: a receiver for every model would cost every delete in Kinga its
            # fast path (Django then loads the rows to send the signal).
            uid = f"kinga-memo-{model._meta.label}"
            post_save.connect(_after_any_write, sender=model, dispatch_uid=f"{uid}-save")
            post_delete.connect(_after_any_write, sender=model, dispatch_uid=f"{uid}-delete")


def _generation_key(app: str) -> str:
    return f"kinga:memo:generation:{app}"


def forget_everything() -> None:
    """After writes past the model signals (a rebuild of the tallies follows them): every memo is forgotten."""
    new_generation({app for apps in _MEMO_APPS.values() for app in apps})


def new_generation(apps: Iterable[str]) -> None:
    """Forget the memoised figures of these apps. A cache that fails must not lose the write that got here: it is
    logged, and the figures are computed from the records while the cache fails (`_MemoReader`)."""
    for app in apps:
        key = _generation_key(app)
        try:
            cache.set(key, (cache.get(key) or 0) + 1, None)
        except (
            Exception
        ) as error:  # no cache table yet (`migrate` runs before `createcachetable`), cache down
            logger.warning("kinga.core.memo: the cache refused a new generation for %s (%s)", app, error)


def records_written(*labels: str) -> None:
    """Writes that bypass the model signals (bulk_create, QuerySet.update) of these models ("sites.Site") or apps:
    their memos are forgotten when the transaction commits, as after a save."""
    for label in labels:
        for source in {label, label.split(".")[0]}:
            if source in _SOURCES:
                _written(source)


def _after_any_write(sender, **kwargs) -> None:
    # Connected to the memos' models only (register): their app label or model label is one of the sources.
    for source in (sender._meta.app_label, sender._meta.label):
        if source in _SOURCES:
            _written(source)


def _written(source: str) -> None:
    # Until it commits, only this connection sees the write: it stops reading (and writing) the memo of these apps;
    # the commit starts a new generation for everyone, once per transaction (an import saves thousands of records).
    dirty = _dirty_apps()
    if source in dirty:
        return
    dirty.add(source)

    def committed() -> None:
        dirty.discard(source)
        new_generation([source])

    transaction.on_commit(committed)


def _dirty_apps() -> set[str]:
    dirty = connection.__dict__.setdefault("_kinga_uncommitted_apps", set())
    if not connection.in_atomic_block:
        dirty.clear()  # nothing is uncommitted outside a transaction (a rolled-back one left its marks)
    return dirty


_BYPASSED: list[bool] = []


@contextmanager
def not_used() -> Iterator[None]:
    """Within the block every figure is computed from the records (a test that counts the queries of a
    computation, whatever the memo holds)."""
    _BYPASSED.append(True)
    try:
        yield
    finally:
        _BYPASSED.pop()


class _MemoReader:
    def __init__(self, code: str) -> None:
        self.code = code

    def _key(self, spans, query, generations: dict | None = None) -> str:
        apps = _MEMO_APPS[self.code]
        if generations is None:
            generations = cache.get_many([_generation_key(app) for app in apps])
        stamp = ",".join(str(generations.get(_generation_key(app), 0)) for app in apps)
        area = query.area.pk if query.area is not None else ""
        what = f"{self.code}|{stamp}|{spans}|{area}|{query.breakdowns}|{query.organisation_id}"
        return "kinga:memo:" + hashlib.sha256(what.encode()).hexdigest()

    def _from_memo(self) -> bool:
        return not (_BYPASSED or _dirty_apps() & set(_MEMO_APPS[self.code]))

    def read_series(self, spans, query):
        if not self._from_memo():
            return indicators.compute_series_from_records(self.code, spans, query)
        try:
            key = self._key(tuple(spans), query)
            found = cache.get(key)
        except Exception:
            logger.exception("kinga.core.memo: the cache failed, %s computed from the records", self.code)
            return indicators.compute_series_from_records(self.code, spans, query)
        if found is None:
            found = indicators.compute_series_from_records(self.code, spans, query)
            try:
                cache.set(key, found, _MEMO_TIMEOUT)
            except Exception:
                logger.exception("kinga.core.memo: the cache refused %s", self.code)
        return found

    def read(self, query):
        return self.read_series([(query.start, query.end)], query)[0]

    @classmethod
    def read_many(cls, requests):
        """Many figures at once (a page of them): the generations and the memos in two reads of the cache, what it
        lacks computed and stored in one write. None (computed by the caller) where the memo is not used."""
        readers = [cls(code) for code, _query in requests]
        usable = [i for i, reader in enumerate(readers) if reader._from_memo()]
        result: list = [None] * len(requests)
        if not usable:
            return result
        try:
            apps = {app for i in usable for app in _MEMO_APPS[readers[i].code]}
            generations = cache.get_many([_generation_key(app) for app in apps])
            keys = {
                i: readers[i]._key(((requests[i][1].start, requests[i][1].end),), requests[i][1], generations)
                for i in usable
            }
            found = cache.get_many(list(keys.values()))
        except Exception:
            logger.exception("kinga.core.memo: the cache failed, figures computed from the records")
            return result
        missing = {}
        for i, key in keys.items():
            series = found.get(key)
            if series is None:
                code, query = requests[i]
                series = indicators.compute_series_from_records(code, [(query.start, query.end)], query)
                missing[key] = series
            result[i] = series[0]
        if missing:
            try:
                cache.set_many(missing, _MEMO_TIMEOUT)
            except Exception:
                logger.exception("kinga.core.memo: the cache refused %d figures", len(missing))
        return result
