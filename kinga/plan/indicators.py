"""Actual values of the plan's indicators: computed by the module that holds the records (through the
indicator source registry of kinga.core.indicators), or entered by hand (IndicatorValue).

An indicator whose module has not registered its source yet has no value: it shows "pas encore calculé",
never a made-up number.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum

from kinga.core import indicators as registry
from kinga.core.models import Place, PlaceLevel
from kinga.plan.models import Indicator, IndicatorSourceKind, IndicatorValue, ValueType

NOT_COMPUTED = "not_computed"  # a computed indicator whose module registered no source (yet)
COMPUTED = "computed"
MANUAL = "manual"
NO_VALUE = "no_value"  # a manual indicator nobody entered for the period


@dataclass
class Actual:
    status: str
    value: Decimal | None = None
    breakdown: list[registry.IndicatorValue] = field(default_factory=list)

    @property
    def has_value(self) -> bool:
        return self.value is not None


def is_computable(indicator: Indicator) -> bool:
    return (
        indicator.source == IndicatorSourceKind.COMPUTED and registry.source_for(indicator.code) is not None
    )


def _total(values: list[registry.IndicatorValue]) -> Decimal:
    return sum((Decimal(v.value) for v in values), Decimal(0))


def computed_actual(
    indicator: Indicator,
    *,
    start: datetime.date,
    end: datetime.date,
    area: Place | None = None,
    breakdowns: tuple[str, ...] = (),
) -> Actual:
    if registry.source_for(indicator.code) is None:
        return Actual(status=NOT_COMPUTED)
    values = registry.evaluate(
        indicator.code, registry.IndicatorQuery(start=start, end=end, area=area, breakdowns=breakdowns)
    )
    return Actual(status=COMPUTED, value=_total(values), breakdown=values if breakdowns else [])


def _manual_area_filter(area: Place | None) -> dict:
    # No area: the values entered for the whole province (or country), not the sum of its parts.
    if area is None:
        return {"area__level__lte": PlaceLevel.PROVINCE}
    return {"area": area}


def manual_actuals(
    indicators: Iterable[Indicator], *, start: datetime.date, end: datetime.date, area: Place | None = None
) -> dict[int, Actual]:
    """Hand-entered values for the period, in two queries for any number of indicators.

    Counts (whole numbers) add up over the period's entries; rates, yes/no and other decimals take the
    latest entry of the period.
    """
    indicators = [i for i in indicators if i.source == IndicatorSourceKind.MANUAL]
    result = {i.pk: Actual(status=NO_VALUE) for i in indicators}
    if not indicators:
        return result
    base = IndicatorValue.objects.filter(
        indicator__in=indicators,
        breakdown_key="",
        period_start__gte=start,
        period_end__lte=end,
        **_manual_area_filter(area),
    )
    counts = [i.pk for i in indicators if i.value_type == ValueType.INTEGER]
    for row in base.filter(indicator_id__in=counts).values("indicator_id").annotate(total=Sum("value")):
        result[row["indicator_id"]] = Actual(status=MANUAL, value=row["total"])
    others = [i.pk for i in indicators if i.value_type != ValueType.INTEGER]
    if others:
        latest = base.filter(indicator_id__in=others).order_by("indicator_id", "-period_end", "-pk")
        seen = set()
        for row in latest.values("indicator_id", "value"):
            if row["indicator_id"] not in seen:
                seen.add(row["indicator_id"])
                result[row["indicator_id"]] = Actual(status=MANUAL, value=row["value"])
    return result


def actuals(
    indicators: Iterable[Indicator], *, start: datetime.date, end: datetime.date, area: Place | None = None
) -> dict[int, Actual]:
    indicators = list(indicators)
    result = manual_actuals(indicators, start=start, end=end, area=area)
    for indicator in indicators:
        if indicator.source == IndicatorSourceKind.COMPUTED:
            result[indicator.pk] = computed_actual(indicator, start=start, end=end, area=area)
    return result


def progress_percent(indicator: Indicator, actual: Actual) -> int | None:
    if actual.value is None or not indicator.target:
        return None
    return int(min(actual.value / indicator.target * 100, Decimal(999)))
