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
    """What to compute: a period [start, end] (inclusive dates), an area (None: everywhere), breakdowns."""

    start: datetime.date
    end: datetime.date
    area: Place | None = None
    breakdowns: tuple[str, ...] = ()

    def area_path_prefix(self) -> str | None:
        """Filter records whose place path starts with this (the area and everything under it)."""
        return self.area.path if self.area is not None else None


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


_SOURCES: dict[str, IndicatorSource] = {}


def indicator_source(code: str, *, breakdowns: Sequence[str] = ()) -> Callable[[Computation], Computation]:
    def decorator(fn: Computation) -> Computation:
        if code in _SOURCES and _SOURCES[code].compute is not fn:
            raise ValueError(f"Indicator {code} already has a source in {_SOURCES[code].module}")
        _SOURCES[code] = IndicatorSource(
            code=code, compute=fn, breakdowns=tuple(breakdowns), module=fn.__module__
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
    return source.compute(query)
