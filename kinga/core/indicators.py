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

import datetime
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kinga.core.models import Place

# Disaggregations every module should use with these names.
SEX = "sex"  # "M" / "F" / "" (unknown)
AGE_BAND = "age_band"  # kinga.core.people.AGE_BANDS (ILO); "under_15" and "15-17" derive from them
TERRITORY = "territory"  # the ADM2 p-code
KNOWN_BREAKDOWNS = (SEX, AGE_BAND, TERRITORY)


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


_SOURCES: dict[str, IndicatorSource] = {}


def indicator_source(
    code: str,
    *,
    breakdowns: Sequence[str] = (),
    organisations: bool = False,
    provenance: str = "",
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


def evaluate(code: str, query: IndicatorQuery) -> list[IndicatorValue]:
    source = _SOURCES.get(code)
    if source is None:
        raise LookupError(f"No module computes indicator {code}")
    unknown = set(query.breakdowns) - set(source.breakdowns)
    if unknown:
        raise ValueError(f"Indicator {code} cannot be broken down by {', '.join(sorted(unknown))}")
    if query.organisation_id is not None and not source.organisations:
        raise ValueError(f"Indicator {code} cannot count one organisation's records")
    return source.compute(query)
