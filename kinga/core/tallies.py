"""Counts kept current on write, so that the plan's indicators over twelve quarters and the province dashboard
answer at national scale without scanning millions of records (issue 20: the whole grid in under 2 s, the
dashboard under 200 ms) — and stay current: there is no nightly table to wait for.

A tally stores one indicator source's own computation (kinga.core.indicators), per day and per group (territory
p-code, sex, age band): the definition is not written twice. The module that holds the records declares, beside
the source, which writes move which days:

    tallies.register_flow(
        "CASES_CHILDREN_IDENTIFIED",
        watches=[tallies.Watch(Case, days=lambda case: Case.objects.filter(pk=case.pk).values_list(...))],
    )

Every save or delete of a watched model recomputes, inside the writer's transaction, the days its record counted
on before the write (a query before it) and after it (a query after it). A flow is declared only for a
computation whose counted things happen once each (a case identified, a retention check done), so the sum of a
period's days is the count over the period. A stock (children in care at some point of a period) is read from two
flows: what entered up to the period's end minus what left before its start.

Writes that bypass the model signals — bulk_create and QuerySet.update, the synthetic data generators, a restore —
rebuild the tallies they touch (`rebuild`, `refresh`); `kinga tallies check` compares every tally with the records.
A tally is read only once it was built for its current definition (TallyState.version); until then, and for what
it cannot answer (an area below the territories, other breakdowns), the indicator is computed from the records as
before. One organisation's records are computed from the records too, but memoised between two writes of the records
the tally watches (kinga.core.memo).
"""

from __future__ import annotations

import datetime
import itertools
import time
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Case, DecimalField, F, IntegerField, Model, Q, Sum, Value, When
from django.db.models.functions import TruncMonth
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

from kinga.core import indicators, memo
from kinga.core.models import Place, PlaceLevel, Tally, TallyMonth, TallyState

DIMENSIONS = (indicators.TERRITORY, indicators.SEX, indicators.AGE_BAND)
DAY = "day"  # the breakdown a source gives so that one query rebuilds all its days
EVER = (datetime.date(1900, 1, 1), datetime.date(2999, 12, 31))
# How the rows are kept, part of every tally's version: a tally built before months were summed (TallyMonth) is
# rebuilt by the next `migrate`.
STORAGE = "+months"


@dataclass(frozen=True)
class Watch:
    """A write of `model` moves the days `days(record)` returns (a query: it runs before and after the write).
    `fields`: only a save of one of these fields matters (a save naming other update_fields is ignored)."""

    model: type[Model]
    days: Callable[[Model], Iterable[datetime.date | None]]
    fields: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Flow:
    code: str
    watches: tuple[Watch, ...]
    version: str
    compute: indicators.Computation
    dimensions: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Stock:
    """At some point of [start, end]: entered up to `end` minus left before `start`."""

    code: str
    inflow: str
    outflow: str


@dataclass(frozen=True)
class Mean:
    """Over [start, end]: one flow's sum divided by another's (a mean: the incomes surveyed over the surveys that
    gave one), rounded as the source rounds it; no value for a group whose denominator is 0."""

    code: str
    numerator: str
    denominator: str
    places: int


_FLOWS: dict[str, Flow] = {}
_STOCKS: dict[str, Stock] = {}
_MEANS: dict[str, Mean] = {}
_WATCHED: dict[type[Model], list[tuple[str, Watch]]] = defaultdict(list)
# Which tallies are built, read once per process: it changes only with a rebuild (which forgets it here; a
# rebuild in another process is made by a migration, after which the servers restart).
_ready: dict[str, str] = {}
_ready_loaded = [False]


# ----------------------------------------------------------------------------------------------- declaring


def register_flow(
    code: str,
    *,
    watches: Sequence[Watch],
    version: str = "1",
    compute: indicators.Computation | None = None,
    breakdowns: Sequence[str] = (),
) -> None:
    """Keep the indicator source `code` (already registered) as a tally, read in its place. Or, with `compute`
    (and the `breakdowns` it gives), a tally that is no indicator of its own: a stock's flow. The version names
    its definition: change it when the computation changes, and the next `migrate` rebuilds it."""
    if compute is None:
        source = indicators.source_for(code)
        if source is None:
            raise LookupError(f"No indicator source {code} to keep as a tally")
        compute, breakdowns = source.compute, source.breakdowns
    dimensions = tuple(b for b in DIMENSIONS if b in breakdowns)
    _FLOWS[code] = Flow(
        code=code,
        watches=tuple(watches),
        version=f"{version}{STORAGE}",
        compute=compute,
        dimensions=dimensions,
    )
    for watch in watches:
        if (code, watch) not in _WATCHED[watch.model]:
            _WATCHED[watch.model].append((code, watch))
        _connect(watch.model)
    if indicators.source_for(code) is not None:
        indicators.attach_reader(code, _Reader(code))
        _memoise_by_organisation(code)


def register_stock(code: str, *, inflow: str, outflow: str) -> None:
    """Read the indicator source `code` from two flows (both registered first)."""
    if inflow not in _FLOWS or outflow not in _FLOWS:
        raise LookupError(f"Stock {code} needs the flows {inflow} and {outflow}")
    _STOCKS[code] = Stock(code=code, inflow=inflow, outflow=outflow)
    indicators.attach_reader(code, _Reader(code))
    _memoise_by_organisation(code)


def register_mean(code: str, *, numerator: str, denominator: str, places: int) -> None:
    """Read the indicator source `code`, a mean, from two flows (both registered first): the source must compute
    it as round(sum / count, places) per group, as `mean` does."""
    if numerator not in _FLOWS or denominator not in _FLOWS:
        raise LookupError(f"Mean {code} needs the flows {numerator} and {denominator}")
    _MEANS[code] = Mean(code=code, numerator=numerator, denominator=denominator, places=places)
    indicators.attach_reader(code, _Reader(code))
    _memoise_by_organisation(code)


def _memoise_by_organisation(code: str) -> None:
    # Declared with the tally, in every process: each write of the records it watches starts a new generation.
    models = {w.model._meta.label for flow in _underlying(code) for w in _FLOWS[flow].watches}
    memo.register_figure(_organisation_figure(code), apps=sorted(models))


def _organisation_figure(code: str) -> str:
    return f"organisation:{code}"


def _by_organisation(code: str, spans, query) -> list[list]:
    """One organisation's values per span. No tally keeps them (its groups are territories, sexes and age bands,
    not organisations): they are computed from the records, once between two writes of the records the tally
    watches (kinga.core.memo) — an organisation's dashboard asks the same figures again and again."""
    key = (
        tuple(spans),
        query.area.pk if query.area is not None else None,
        query.breakdowns,
        query.organisation_id,
    )
    return memo.remember(
        _organisation_figure(code), key, lambda: indicators.compute_series_from_records(code, spans, query)
    )


def mean(total: Decimal | int | float | None, count: int | None, places: int) -> Decimal | None:
    """The mean the sources and their tallies give alike (None without a count)."""
    if not count:
        return None
    return round(Decimal(str(total or 0)) / Decimal(count), places)


def _underlying(code: str) -> list[str]:
    if code in _FLOWS:
        return [code]
    if code in _STOCKS:
        return [_STOCKS[code].inflow, _STOCKS[code].outflow]
    return [_MEANS[code].numerator, _MEANS[code].denominator]


def flows() -> dict[str, Flow]:
    return dict(_FLOWS)


_CONNECTED: set[type[Model]] = set()


def _connect(model: type[Model]) -> None:
    if model in _CONNECTED:
        return
    _CONNECTED.add(model)
    uid = f"kinga-tallies-{model._meta.label}"
    pre_save.connect(_before_write, sender=model, dispatch_uid=f"{uid}-pre-save")
    post_save.connect(_after_save, sender=model, dispatch_uid=f"{uid}-post-save")
    pre_delete.connect(_before_write, sender=model, dispatch_uid=f"{uid}-pre-delete")
    post_delete.connect(_after_delete, sender=model, dispatch_uid=f"{uid}-post-delete")


# ------------------------------------------------------------------------------------------------ writing


def _concerned(sender, update_fields) -> list[tuple[str, Watch]]:
    watched = _WATCHED.get(sender, [])
    if update_fields is None:
        return watched
    saved = set(update_fields)
    return [(code, w) for code, w in watched if not w.fields or saved & w.fields]


def _days(watch: Watch, record: Model) -> set[datetime.date]:
    if record.pk is None:
        return set()
    return {day for day in watch.days(record) if day is not None}


def _days_by_code(sender, instance, update_fields) -> dict[str, set[datetime.date]]:
    # Many tallies ask the same question of one write (the days of a case's checks): asked once.
    asked: dict[Callable, set[datetime.date]] = {}
    result = {}
    for code, watch in _concerned(sender, update_fields):
        if watch.days not in asked:
            asked[watch.days] = _days(watch, instance)
        result[code] = asked[watch.days]
    return result


def _before_write(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    if raw:
        return
    pending = instance.__dict__.setdefault("_tally_days", {})
    for code, days in _days_by_code(sender, instance, update_fields).items():
        pending.setdefault(code, set()).update(days)


# The days each tally must recompute when the current `batched()` block ends; None outside one.
_BATCH: ContextVar[dict[str, set[datetime.date]] | None] = ContextVar("kinga_tallies_batch", default=None)


def _refresh_now_or_later(code: str, days: set[datetime.date]) -> None:
    pending = _BATCH.get()
    if pending is None:
        refresh(code, days)
    else:
        pending.setdefault(code, set()).update(days)


@contextmanager
def batched() -> Iterator[None]:
    """Many writes in a row (a worker applying a batch of field submissions, each in its own transaction): the
    days they touch are recomputed once each when the block ends, not once per write; the tallies are then
    right again (recomputed from the records, like every refresh), also when the block ended by an error.
    Within the block they lag behind the records written in it. Nested blocks are the outer one."""
    if _BATCH.get() is not None:
        yield
        return
    pending: dict[str, set[datetime.date]] = {}
    token = _BATCH.set(pending)
    try:
        yield
    finally:
        _BATCH.reset(token)
        for code in sorted(pending):
            refresh(code, pending[code])


def _after_save(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    if raw:
        return
    pending = instance.__dict__.pop("_tally_days", {})
    for code, days in _days_by_code(sender, instance, update_fields).items():
        touched = pending.get(code, set()) | days
        if touched:
            _refresh_now_or_later(code, touched)


def _after_delete(sender, instance, **kwargs) -> None:
    for code, days in instance.__dict__.pop("_tally_days", {}).items():
        _refresh_now_or_later(code, days)


def changed(model: type[Model], pks: Iterable) -> None:
    """Records written past the model signals (QuerySet.update, which the tallies cannot see): recompute the days
    they count on now. Their days must not have moved — the caller changed a group (a case moved to another
    child), not a date."""
    pks = list(pks)
    if not pks or model not in _WATCHED:
        return
    touched: dict[str, set[datetime.date]] = defaultdict(set)
    for record in model._default_manager.filter(pk__in=pks):
        for code, watch in _WATCHED[model]:
            touched[code] |= _days(watch, record)
    for code, days in touched.items():
        refresh(code, days)


@contextmanager
def not_kept() -> Iterator[None]:
    """For the benchmark of what keeping them costs a write: within the block, writes move no tally (they go
    stale: rebuild afterwards if the block committed anything)."""
    saved = {model: list(watched) for model, watched in _WATCHED.items()}
    _WATCHED.clear()
    try:
        yield
    finally:
        _WATCHED.update(saved)


def written(model: type[Model], days: Iterable[datetime.date]) -> None:
    """Records of `model` written in bulk (bulk_create: no model signal) on these days: recompute the tallies that
    watch the model for them."""
    days = {day for day in days if day is not None}
    for code in {code for code, _watch in _WATCHED.get(model, [])}:
        refresh(code, days)


def _lock(code: str, day: datetime.date, what: str = "day") -> None:
    # Two transactions recomputing the same day (or month) one after the other: the second waits for the first to
    # commit, then counts what it wrote (PostgreSQL; SQLite has one writer at a time).
    if connection.vendor == "postgresql":
        key = zlib.crc32(f"{code}:{what}:{day.isoformat()}".encode()) - 2**31
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [7201, key])


def refresh(code: str, days: Iterable[datetime.date]) -> None:
    """Recompute the tally `code` for these days from the records (inside the caller's transaction)."""
    flow = _FLOWS[code]
    with transaction.atomic():
        for day in sorted(set(days)):
            _lock(code, day)
            values = flow.compute(indicators.IndicatorQuery(start=day, end=day, breakdowns=flow.dimensions))
            Tally.objects.filter(code=code, day=day).delete()
            Tally.objects.bulk_create(_rows(code, values, flow.dimensions, day=day))
        for month in sorted({day.replace(day=1) for day in days}):
            # Another writer may be changing another day of the month: its month is summed after it commits.
            _lock(code, month, "month")
            TallyMonth.objects.filter(code=code, month=month).delete()
            TallyMonth.objects.bulk_create(_month_rows(code, month, _next_month(month)))


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def _month_rows(code: str, start: datetime.date, end: datetime.date) -> list[TallyMonth]:
    """The months of [start, end) of the tally, added up from its days."""
    rows = (
        Tally.objects.filter(code=code, day__gte=start, day__lt=end)
        .annotate(month=TruncMonth("day"))
        .values("month", "territory", "sex", "age_band")
        .annotate(total=Sum("value"))
        .order_by()
    )
    return [
        TallyMonth(
            code=code,
            month=_as_date(row["month"]),
            territory=row["territory"],
            sex=row["sex"],
            age_band=row["age_band"],
            value=row["total"],
        )
        for row in rows
        if row["total"]
    ]


def _as_date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def _rows(code, values, dimensions, *, day=None) -> list[Tally]:
    rows = []
    for v in values:
        if not v.value:
            continue
        b = v.breakdown
        rows.append(
            Tally(
                code=code,
                day=day if day is not None else b[DAY],
                territory=b.get(indicators.TERRITORY, "") or "",
                sex=b.get(indicators.SEX, "") or "",
                age_band=b.get(indicators.AGE_BAND, "") or "",
                value=Decimal(str(v.value)),
            )
        )
    return rows


def rebuild(
    codes: Iterable[str] | None = None, *, log: Callable[[str], None] | None = None
) -> dict[str, int]:
    """Recompute whole tallies from the records: one grouped query per tally. Returns the rows written."""
    written = {}
    for code in codes if codes is not None else list(_FLOWS):
        flow = _FLOWS[code]
        t0 = time.perf_counter()
        with transaction.atomic():
            values = flow.compute(
                indicators.IndicatorQuery(start=EVER[0], end=EVER[1], breakdowns=(*flow.dimensions, DAY))
            )
            Tally.objects.filter(code=code).delete()
            rows = _rows(code, values, flow.dimensions)
            Tally.objects.bulk_create(rows, batch_size=5000)
            TallyMonth.objects.filter(code=code).delete()
            TallyMonth.objects.bulk_create(_month_rows(code, *EVER), batch_size=5000)
            seconds = time.perf_counter() - t0
            TallyState.objects.update_or_create(
                code=code, defaults={"version": flow.version, "rows": len(rows), "seconds": seconds}
            )
        written[code] = len(rows)
        if log:
            log(f"  {code}: {len(rows)} lignes en {seconds:.1f} s")
    _ready_loaded[0] = False
    return written


def rebuild_outdated(*, log: Callable[[str], None] | None = None) -> dict[str, int]:
    """Build the tallies never built, or built for an older definition (after `migrate`)."""
    built = dict(TallyState.objects.values_list("code", "version"))
    outdated = [code for code, flow in _FLOWS.items() if built.get(code) != flow.version]
    return rebuild(outdated, log=log) if outdated else {}


def build_after_migrate(sender=None, using="default", verbosity=1, **kwargs) -> None:
    """post_migrate: build the tallies never built or redefined, once every table they read exists (a partial
    migration leaves them to the next one)."""
    tables = set(connection.introspection.table_names())
    if Tally._meta.db_table not in tables:
        return
    needed = {w.model._meta.db_table for flow in _FLOWS.values() for w in flow.watches}
    if not needed <= tables:
        return
    log = print if verbosity > 1 else None
    rebuild_outdated(log=log)


def differences(
    code: str, *, start: datetime.date, end: datetime.date
) -> list[tuple[dict, Decimal, Decimal]]:
    """Groups (day and dimensions) whose tally differs from the records over [start, end]: (group, tally,
    records). Empty when the tally is right."""
    flow = _FLOWS[code]
    query = indicators.IndicatorQuery(start=start, end=end, breakdowns=(*flow.dimensions, DAY))
    direct: dict[tuple, Decimal] = defaultdict(Decimal)
    for v in flow.compute(query):
        key = (v.breakdown[DAY], *((v.breakdown.get(d) or "") for d in flow.dimensions))
        direct[key] += Decimal(str(v.value))
    kept: dict[tuple, Decimal] = defaultdict(Decimal)
    rows = Tally.objects.filter(code=code, day__range=(start, end))
    for row in rows.values(DAY, *[_COLUMN[d] for d in flow.dimensions], "value"):
        kept[(row[DAY], *(row[_COLUMN[d]] for d in flow.dimensions))] += row["value"]
    found = [
        (dict(zip((DAY, *flow.dimensions), key, strict=True)), kept[key], direct[key])
        for key in sorted(set(direct) | set(kept))
        if kept[key] != direct[key]
    ]
    # The months kept must add up the days kept (the months wholly inside [start, end]).
    first = start if start.day == 1 else _next_month(start)
    after = _next_month(end) if _next_month(end) - datetime.timedelta(days=1) == end else end.replace(day=1)
    if first < after:
        summed = {(m.month, m.territory, m.sex, m.age_band): m.value for m in _month_rows(code, first, after)}
        stored = {
            (m.month, m.territory, m.sex, m.age_band): m.value
            for m in TallyMonth.objects.filter(code=code, month__gte=first, month__lt=after)
        }
        found += [
            ({"month": key[0], "group": key[1:]}, stored.get(key, Decimal(0)), summed.get(key, Decimal(0)))
            for key in sorted(set(summed) | set(stored))
            if stored.get(key) != summed.get(key)
        ]
    return found


# ------------------------------------------------------------------------------------------------ reading

_COLUMN = {indicators.TERRITORY: "territory", indicators.SEX: "sex", indicators.AGE_BAND: "age_band"}


def _is_ready(code: str) -> bool:
    codes = _underlying(code)
    if not _ready_loaded[0]:
        _ready.clear()
        _ready.update(TallyState.objects.values_list("code", "version"))
        _ready_loaded[0] = True
    return all(_ready.get(c) == _FLOWS[c].version for c in codes)


def _territories(area: Place | None) -> list[str] | None:
    if area is None:
        return None
    return list(
        Place.objects.filter(path__startswith=area.path, level=PlaceLevel.TERRITORY)
        .exclude(pcode=None)
        .values_list("pcode", flat=True)
    )


def answers(code: str, query: indicators.IndicatorQuery) -> bool:
    """Whether the tally `code` is built and can answer this query (else: compute from the records)."""
    if query.organisation_id is not None:
        return False
    if query.area is not None and query.area.level > PlaceLevel.TERRITORY:
        return False
    flow = _FLOWS[_underlying(code)[0]]
    if not set(query.breakdowns) <= set(flow.dimensions):
        return False
    return _is_ready(code)


def _rows_of(codes: Sequence[str], query):
    """The tallies' rows of the query's area (the territories under it)."""
    qs = Tally.objects.filter(code__in=codes)
    territories = _territories(query.area)
    return qs if territories is None else qs.filter(territory__in=territories)


def _by_span(qs, spans: Sequence[tuple[datetime.date, datetime.date]]):
    """The rows of the (disjoint) spans' days, each annotated with its span's index as `bucket`."""
    whens = [When(day__gte=start, day__lte=end, then=Value(i)) for i, (start, end) in enumerate(spans)]
    return (
        qs.filter(day__gte=min(s for s, _ in spans), day__lte=max(e for _, e in spans))
        .annotate(bucket=Case(*whens, output_field=IntegerField()))
        .exclude(bucket=None)
    )


def _sums(
    code: str, spans: Sequence[tuple[datetime.date, datetime.date]], query
) -> list[dict[tuple, Decimal]]:
    """Per span (index) and group: the flow's sum over the span's days, in one grouped query."""
    return _sums_of([code], spans, query)[code]


def _sums_of(
    codes: Sequence[str], spans: Sequence[tuple[datetime.date, datetime.date]], query
) -> dict[str, list[dict[tuple, Decimal]]]:
    """`_sums` of several flows in one grouped query."""
    columns = [_COLUMN[b] for b in query.breakdowns]
    rows = (
        _by_span(_rows_of(codes, query), spans)
        .values("code", "bucket", *columns)
        .annotate(v=Sum("value"))
        .order_by()
    )
    result: dict[str, list[dict[tuple, Decimal]]] = {code: [{} for _ in spans] for code in codes}
    for row in rows:
        key = tuple((b, row[_COLUMN[b]]) for b in query.breakdowns)
        result[row["code"]][row["bucket"]][key] = row["v"]
    return result


def _values(groups: dict[tuple, Decimal], query) -> list[indicators.IndicatorValue]:
    if not query.breakdowns:
        return [indicators.IndicatorValue(value=_plain(sum(groups.values(), Decimal(0))))]
    return [
        indicators.IndicatorValue(value=_plain(v), breakdown=dict(k)) for k, v in sorted(groups.items()) if v
    ]


def _plain(value: Decimal) -> Decimal | int:
    return int(value) if value == value.to_integral_value() else value


def read_series(code: str, spans: Sequence[tuple[datetime.date, datetime.date]], query) -> list[list] | None:
    """The indicator for each span, from the tally (one query); None when the tally cannot answer this query."""
    if not spans:
        return None
    if not answers(code, query):
        return _by_organisation(code, spans, query) if query.organisation_id is not None else None
    if code in _FLOWS:
        ordered = sorted(spans)
        if any(a[1] >= b[0] for a, b in itertools.pairwise(ordered)):
            # Overlapping spans (a period and the plan to date): a day belongs to each, one pass per span.
            return [_values(_sums(code, [span], query)[0], query) for span in spans]
        return [_values(groups, query) for groups in _sums(code, spans, query)]
    if code in _MEANS:
        return [
            _mean_values(*pair, _MEANS[code], query)
            for pair in zip(*_mean_sums(code, spans, query), strict=True)
        ]
    return [_values(groups, query) for groups in _stock(_STOCKS[code], spans, query)]


def _mean_sums(code: str, spans, query) -> tuple[list, list]:
    """The numerator's and the denominator's sums per span, in one query (one per span where spans overlap)."""
    means = _MEANS[code]
    pair = [means.numerator, means.denominator]
    ordered = sorted(spans)
    if any(a[1] >= b[0] for a, b in itertools.pairwise(ordered)):
        found = [_sums_of(pair, [span], query) for span in spans]
        return [f[means.numerator][0] for f in found], [f[means.denominator][0] for f in found]
    found = _sums_of(pair, spans, query)
    return found[means.numerator], found[means.denominator]


def _mean_values(totals: dict, counts: dict, means: Mean, query) -> list[indicators.IndicatorValue]:
    if not query.breakdowns:
        value = mean(sum(totals.values(), Decimal(0)), sum(counts.values(), Decimal(0)), means.places)
        return [indicators.IndicatorValue(value=value if value is not None else 0)]
    return [
        indicators.IndicatorValue(value=mean(totals.get(k), counts[k], means.places), breakdown=dict(k))
        for k in sorted(counts)
        if counts[k]
    ]


def read_totals(codes: Sequence[str], spans, query) -> dict[str, list[Decimal]]:
    """Several flows' totals per span (query's area; no breakdown) in one query, for a page that shows many
    figures of the same records (the non-return cohorts). The caller checked `answers` for each code. The whole
    months of the spans from the months' sums, the days around them from the days (`_interval_sums`)."""
    sums = _interval_sums(list(codes), set(spans), query)
    return {code: [sum(sums[(code, span)].values(), Decimal(0)) for span in spans] for code in codes}


def read_days(codes: Sequence[str], query) -> dict[str, dict[datetime.date, Decimal]]:
    """Flows' values per day of [query.start, query.end] (days without any left out) in one query, for a reader
    that sorts the days itself (the checks still to do, by their due date). The caller checked `answers`."""
    qs = _rows_of(codes, query).filter(day__gte=query.start, day__lte=query.end)
    result: dict[str, dict[datetime.date, Decimal]] = {code: {} for code in codes}
    for code, day, value in (
        qs.values("code", "day").annotate(v=Sum("value")).order_by().values_list("code", "day", "v")
    ):
        result[code][day] = value
    return result


def _stock(stock: Stock, spans, query) -> list[dict[tuple, Decimal]]:
    """Per span and group: what entered up to the span's end minus what left before its start, in one pass over
    the two flows' days."""
    columns = [_COLUMN[b] for b in query.breakdowns]
    qs = _rows_of((stock.inflow, stock.outflow), query)
    annotations = {}
    for i, (start, end) in enumerate(spans):
        came = Q(code=stock.inflow, day__lte=end)
        went = Q(code=stock.outflow, day__lt=start)
        annotations[f"s{i}"] = Sum(
            Case(
                When(came, then="value"),
                When(went, then=-F("value")),
                default=Value(0),
                output_field=DecimalField(),
            )
        )
    rows = (
        qs.values(*columns).annotate(**annotations).order_by() if columns else [qs.aggregate(**annotations)]
    )
    result: list[dict[tuple, Decimal]] = [{} for _ in spans]
    for row in rows:
        key = tuple((b, row[_COLUMN[b]]) for b in query.breakdowns)
        for i in range(len(spans)):
            result[i][key] = row[f"s{i}"] or Decimal(0)
    return result


def read_many(requests: Sequence[tuple[str, indicators.IndicatorQuery]]) -> list[list | None]:
    """Many flows' and stocks' values, each for its own query (a page of figures: a period and the plan to date),
    in two grouped queries per area and breakdowns — the whole months of each span from the months' sums
    (TallyMonth), the days around them from the days; one organisation's from its memo (`_by_organisation`); None
    for another request the tallies cannot answer (`answers`)."""
    result: list[list | None] = [None] * len(requests)
    groups: dict[tuple, list[int]] = defaultdict(list)
    for i, (code, query) in enumerate(requests):
        if answers(code, query):
            groups[(query.area.pk if query.area is not None else None, query.breakdowns)].append(i)
        elif query.organisation_id is not None:
            result[i] = _by_organisation(code, [(query.start, query.end)], query)[0]
    for indexes in groups.values():
        query = requests[indexes[0]][1]
        wanted: dict[int, list[tuple[str, int, tuple]]] = {}  # request → (flow, sign, interval)
        for i in indexes:
            code, asked = requests[i]
            if code in _FLOWS:
                wanted[i] = [(code, 1, (asked.start, asked.end))]
            elif code in _MEANS:  # read apart below: a quotient, not a sum
                wanted[i] = [
                    (_MEANS[code].numerator, 1, (asked.start, asked.end)),
                    (_MEANS[code].denominator, 1, (asked.start, asked.end)),
                ]
            else:  # a stock: entered up to the end, minus left before the start
                stock = _STOCKS[code]
                wanted[i] = [(stock.inflow, 1, (EVER[0], asked.end))]
                if asked.start > EVER[0]:
                    wanted[i].append((stock.outflow, -1, (EVER[0], asked.start - datetime.timedelta(days=1))))
        intervals = {interval for parts in wanted.values() for _flow, _sign, interval in parts}
        sums = _interval_sums(
            sorted({f for parts in wanted.values() for f, _s, _i in parts}), intervals, query
        )
        for i, parts in wanted.items():
            code, asked = requests[i]
            if code in _MEANS:
                (numerator, _s, interval), (denominator, _t, _i) = parts
                result[i] = _mean_values(
                    sums.get((numerator, interval), {}),
                    sums.get((denominator, interval), {}),
                    _MEANS[code],
                    asked,
                )
                continue
            groups_of_request: dict[tuple, Decimal] = defaultdict(Decimal)
            for flow_code, sign, interval in parts:
                for key, value in sums.get((flow_code, interval), {}).items():
                    groups_of_request[key] += sign * value
            result[i] = _values(groups_of_request, requests[i][1])
    return result


def _split(start: datetime.date, end: datetime.date) -> tuple[tuple | None, list[tuple]]:
    """[start, end] as whole months (first day of the first, first day of the last; None: no whole month) and the
    runs of days outside them (at most two)."""
    first = start if start.day == 1 else _next_month(start)
    last = end.replace(day=1) if _next_month(end) - datetime.timedelta(days=1) == end else None
    if last is None:
        last = (end.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    if first > last:
        return None, [(start, end)]
    days = []
    if start < first:
        days.append((start, first - datetime.timedelta(days=1)))
    after = _next_month(last)
    if after <= end:
        days.append((after, end))
    return (first, last), days


def _interval_sums(codes: list[str], intervals: set[tuple], query) -> dict[tuple, dict[tuple, Decimal]]:
    """(flow, interval) → group → the flow's sum over the interval: one query over the months, one over the days."""
    columns = [_COLUMN[b] for b in query.breakdowns]
    parts = {interval: _split(*interval) for interval in intervals}
    month_runs = sorted({months for months, _days in parts.values() if months is not None})
    day_runs = sorted({run for _months, days in parts.values() for run in days})
    territories = _territories(query.area)
    found: dict[tuple, dict[tuple, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for model, column, runs in ((TallyMonth, "month", month_runs), (Tally, "day", day_runs)):
        if not runs:
            continue
        qs = model.objects.filter(
            code__in=codes,
            **{f"{column}__gte": min(a for a, _b in runs), f"{column}__lte": max(b for _a, b in runs)},
        )
        if territories is not None:
            qs = qs.filter(territory__in=territories)
        annotations = {
            f"r{n}": Sum("value", filter=Q(**{f"{column}__gte": a, f"{column}__lte": b}))
            for n, (a, b) in enumerate(runs)
        }
        for row in qs.values("code", *columns).annotate(**annotations).order_by():
            key = tuple((b, row[_COLUMN[b]]) for b in query.breakdowns)
            for n, run in enumerate(runs):
                if row[f"r{n}"]:
                    found[(row["code"], column, run)][key] += row[f"r{n}"]
    sums: dict[tuple, dict[tuple, Decimal]] = {}
    for interval, (months, days) in parts.items():
        for code in codes:
            total: dict[tuple, Decimal] = defaultdict(Decimal)
            pieces = ([("month", months)] if months is not None else []) + [("day", run) for run in days]
            for column, run in pieces:
                for key, value in found.get((code, column, run), {}).items():
                    total[key] += value
            sums[(code, interval)] = total
    return sums


class _Reader:
    def __init__(self, code: str) -> None:
        self.code = code

    @classmethod
    def read_many(cls, requests):
        return read_many(requests)

    def read(self, query):
        # One figure as a page of one: its whole months from the months' sums, not a year of days.
        return read_many([(self.code, query)])[0]

    def read_series(self, spans, query):
        return read_series(self.code, spans, query)
