"""The indicator source registry: how modules compute the plan's indicators from their own records.

A module declares, next to its models (in `<app>/indicators.py`, imported from its AppConfig.ready()),
one computation per stable indicator code (docs/indicators.md lists the codes):

    @indicator_source("CASES_CHILDREN_WITHDRAWN", breakdowns=("sex", "age_band", "territory"))
    def children_withdrawn(query: IndicatorQuery) -> list[IndicatorValue]:
        ...one aggregate query, grouped in the database by query.breakdowns...

The plan module evaluates them for any period and area without importing the modules.
A computation must not loop over rows in Python: it issues one aggregate query and returns its groups.
"""

from __future__ import annotations

import dataclasses
import datetime
import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from django.db.models import Case, IntegerField, Value, When

if TYPE_CHECKING:
    from kinga.core.models import Place

# Disaggregations every module should use with these names.
SEX = "sex"  # "M" / "F" / "" (unknown)
AGE_BAND = "age_band"  # kinga.core.people.AGE_BANDS (ILO); "under_15" and "15-17" derive from them
TERRITORY = "territory"  # the ADM2 p-code
KNOWN_BREAKDOWNS = (SEX, AGE_BAND, TERRITORY)
# The index of the query's span a value belongs to: a source declared with `spans=True` answers several periods in
# one grouped query (query.spans; its start and end then cover them all), see `span_bucket`.
SPAN = "span"


@dataclass(frozen=True)
class IndicatorQuery:
    """What to compute: a period [start, end] (inclusive dates), an area (None: everywhere), breakdowns, and
    optionally one organisation's records only (an organisation manager's dashboard): only sources declared
    with `organisations=True` accept it (`evaluate` refuses the others rather than answer for everyone)."""

    start: datetime.date
    end: datetime.date
    area: Place | None = None
    breakdowns: tuple[str, ...] = ()
    organisation_id: int | None = None
    spans: tuple[tuple[datetime.date, datetime.date], ...] = ()

    def area_path_prefix(self) -> str | None:
        """Filter records whose place path starts with this (the area and everything under it)."""
        return self.area.path if self.area is not None else None

    def organisation_filter(self, field: str = "organisation") -> dict:
        """Filter kwargs narrowing records to the query's organisation (`field` leads to it); {} for all."""
        return {} if self.organisation_id is None else {f"{field}_id": self.organisation_id}


@dataclass(frozen=True)
class IndicatorValue:
    value: Decimal | int
    breakdown: dict[str, str] = field(default_factory=dict)


Computation = Callable[[IndicatorQuery], list[IndicatorValue]]


@dataclass(frozen=True)
class IndicatorSource:
    code: str
    compute: Computation
    breakdowns: tuple[str, ...]
    module: str
    organisations: bool = False  # can count one organisation's records (IndicatorQuery.organisation_id)
    # Where the value comes from, in words a reader understands (a lazy translated string: "computed from the
    # training records"); shown on the indicator pages instead of a module name.
    provenance: str = ""
    spans: bool = False  # groups by SPAN when the query has spans (one query for the quarters of a grid)


class Reader(Protocol):
    """Answers a source's queries from counts kept on write (kinga.core.tallies), or None when it cannot."""

    def read(self, query: IndicatorQuery) -> list[IndicatorValue] | None: ...

    def read_series(
        self, spans: Sequence[tuple[datetime.date, datetime.date]], query: IndicatorQuery
    ) -> list[list[IndicatorValue]] | None: ...


class BatchReader(Protocol):
    """A reader that answers many (code, query) requests of its kind at once (a page of figures): one round
    trip instead of one per figure. Returns one answer per request, None where it cannot answer."""

    @classmethod
    def read_many(
        cls, requests: Sequence[tuple[str, IndicatorQuery]]
    ) -> list[list[IndicatorValue] | None]: ...


_SOURCES: dict[str, IndicatorSource] = {}
_READERS: dict[str, tuple[Computation, Reader]] = {}


def indicator_source(
    code: str,
    *,
    breakdowns: Sequence[str] = (),
    organisations: bool = False,
    provenance: str = "",
    spans: bool = False,
) -> Callable[[Computation], Computation]:
    def decorator(fn: Computation) -> Computation:
        if code in _SOURCES and _SOURCES[code].compute is not fn:
            raise ValueError(f"Indicator {code} already has a source in {_SOURCES[code].module}")
        _SOURCES[code] = IndicatorSource(
            code=code,
            compute=fn,
            breakdowns=tuple(breakdowns),
            module=fn.__module__,
            organisations=organisations,
            provenance=provenance,
            spans=spans,
        )
        return fn

    return decorator


def source_for(code: str) -> IndicatorSource | None:
    return _SOURCES.get(code)


def all_sources() -> dict[str, IndicatorSource]:
    return dict(_SOURCES)


@contextmanager
def indicator_sources(sources: Mapping[str, IndicatorSource | None]) -> Iterator[None]:
    """For tests: within the block, each code given is computed by the source given with it (None: by no module,
    as in a deployment without the module that registers it); afterwards the registry is as it was, whatever
    happened in the block.

        with indicator_sources({"SITES_ZEA_LOCATED": IndicatorSource("SITES_ZEA_LOCATED", fake, (), "test")}):
            ...
    """
    saved = dict(_SOURCES)
    try:
        for code, source in sources.items():
            if source is None:
                _SOURCES.pop(code, None)
            else:
                _SOURCES[code] = source
        yield
    finally:
        _SOURCES.clear()
        _SOURCES.update(saved)


def attach_reader(code: str, reader: Reader) -> None:
    """Answer `code` from `reader` where it can (kinga.core.tallies registers its tallies here), as long as the
    source is the one registered now (a test that swaps it in `indicator_sources` is computed by its swap)."""
    _READERS[code] = (_SOURCES[code].compute, reader)


def _reader(code: str) -> Reader | None:
    attached = _READERS.get(code)
    source = _SOURCES.get(code)
    if attached is None or source is None or source.compute is not attached[0]:
        return None
    return attached[1]


def compute(code: str, query: IndicatorQuery) -> list[IndicatorValue]:
    """The source's values, from its reader when it has one that answers, else from the records."""
    reader = _reader(code)
    values = reader.read(query) if reader is not None else None
    return values if values is not None else _SOURCES[code].compute(query)


def compute_series(
    code: str, spans: Sequence[tuple[datetime.date, datetime.date]], query: IndicatorQuery
) -> list[list[IndicatorValue]]:
    """The source's values for each (start, end) span (query.start/end ignored): in one pass when its reader
    answers, else one computation per span."""
    reader = _reader(code)
    series = reader.read_series(spans, query) if reader is not None else None
    if series is not None:
        return series
    return compute_series_from_records(code, spans, query)


def compute_series_from_records(
    code: str, spans: Sequence[tuple[datetime.date, datetime.date]], query: IndicatorQuery
) -> list[list[IndicatorValue]]:
    """`compute_series` from the records, never from a reader: one query when the source groups by span."""
    source = _SOURCES[code]
    ordered = sorted(spans)
    disjoint = all(a[1] < b[0] for a, b in itertools.pairwise(ordered))
    if not (source.spans and len(spans) > 1 and disjoint):
        return [source.compute(dataclasses.replace(query, start=start, end=end)) for start, end in spans]
    together = dataclasses.replace(
        query,
        start=ordered[0][0],
        end=ordered[-1][1],
        spans=tuple(spans),
        breakdowns=(*query.breakdowns, SPAN),
    )
    result: list[list[IndicatorValue]] = [[] for _ in spans]
    for v in source.compute(together):
        index = v.breakdown.get(SPAN)
        if index is None or index == "":
            continue  # a record between two spans
        rest = {k: x for k, x in v.breakdown.items() if k != SPAN}
        result[int(index)].append(IndicatorValue(value=v.value, breakdown=rest))
    if not query.breakdowns:
        # One total per span, as one computation per span gives it (0 for a span without records).
        result = [[IndicatorValue(value=sum((v.value for v in values), 0))] for values in result]
    return result


def span_bucket(query: IndicatorQuery, field: str):
    """The index of the query's span that the date `field` falls in (None outside them): a source groups by it,
    under the name SPAN, when SPAN is among query.breakdowns (see compute_series)."""
    return Case(
        *[
            When(**{f"{field}__gte": start, f"{field}__lte": end}, then=Value(i))
            for i, (start, end) in enumerate(query.spans)
        ],
        output_field=IntegerField(),
    )


def evaluate(code: str, query: IndicatorQuery) -> list[IndicatorValue]:
    _check(code, query)
    return compute(code, query)


def evaluate_many(requests: Sequence[tuple[str, IndicatorQuery]]) -> list[list[IndicatorValue]]:
    """`evaluate` for many (code, query) requests, in the order given: the readers that answer in batches
    (kinga.core.tallies, kinga.core.memo) are asked once per kind of reader, the rest computed one by one."""
    for code, query in requests:
        _check(code, query)
    answers: list[list[IndicatorValue] | None] = [None] * len(requests)
    by_kind: dict[type, list[int]] = {}
    for i, (code, _query) in enumerate(requests):
        reader = _reader(code)
        if reader is not None and hasattr(type(reader), "read_many"):
            by_kind.setdefault(type(reader), []).append(i)
    for kind, indexes in by_kind.items():
        for i, found in zip(indexes, kind.read_many([requests[i] for i in indexes]), strict=True):
            answers[i] = found
    return [
        found if found is not None else compute(code, query)
        for found, (code, query) in zip(answers, requests, strict=True)
    ]


def _check(code: str, query: IndicatorQuery) -> None:
    source = _SOURCES.get(code)
    if source is None:
        raise LookupError(f"No module computes indicator {code}")
    unknown = set(query.breakdowns) - set(source.breakdowns)
    if unknown:
        raise ValueError(f"Indicator {code} cannot be broken down by {', '.join(sorted(unknown))}")
    if query.organisation_id is not None and not source.organisations:
        raise ValueError(f"Indicator {code} cannot count one organisation's records")
