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

from django.core.exceptions import ValidationError
from django.db.models import Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kinga.core import clock, periods
from kinga.core import indicators as registry
from kinga.core.models import Place, PlaceLevel
from kinga.core.periods import Period
from kinga.plan.models import Indicator, IndicatorSourceKind, IndicatorTarget, IndicatorValue, ValueType

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
    computed = [i for i in indicators if i.source == IndicatorSourceKind.COMPUTED]
    for indicator in computed:
        result[indicator.pk] = Actual(status=NOT_COMPUTED)
    # Asked together: the counts kept on write in one or two queries, the memoised figures in two cache reads.
    query = registry.IndicatorQuery(start=start, end=end, area=area)
    known = [i for i in computed if registry.source_for(i.code) is not None]
    for indicator, values in zip(
        known, registry.evaluate_many([(i.code, query) for i in known]), strict=True
    ):
        result[indicator.pk] = Actual(status=COMPUTED, value=_total(values))
    return result


def progress_percent(indicator: Indicator, actual: Actual) -> int | None:
    if actual.value is None or not indicator.target:
        return None
    return int(min(actual.value / indicator.target * 100, Decimal(999)))


# ------------------------------------------------------------------------------ values by period and breakdown

# The disaggregations of the plan's values (kinga.core.indicators), in the order the pages and exports use.
BREAKDOWNS = (registry.TERRITORY, registry.SEX, registry.AGE_BAND)

# Where a source registered no provenance of its own: what its module's records are, in words.
MODULE_PROVENANCE = {
    "kinga.cases.indicators": gettext_lazy("computed from the children's case files"),
    "kinga.community.indicators": gettext_lazy("computed from the community records"),
    "kinga.households.indicators": gettext_lazy("computed from the household and programme records"),
    "kinga.sites.indicators": gettext_lazy("computed from the mine site records"),
    "kinga.supply.indicators": gettext_lazy("computed from the supply chain records"),
}
MANUAL_PROVENANCE = gettext_lazy("entered by hand")


@dataclass(frozen=True)
class IndicatorCell:
    """One value of one indicator for a period and a breakdown ({} : the total)."""

    indicator: Indicator
    period: Period
    value: Decimal
    breakdown: dict[str, str]  # keys among territory (ADM2 p-code), sex ("M"/"F"/""), age_band ("0-4"...)
    target: Decimal | None  # the target by date that applies at the period's end (totals of the province)
    source_text: str  # where the value comes from, in French words
    # Breakdowns asked for that this indicator cannot give (its value is not split by them).
    not_broken_down: tuple[str, ...] = ()


def parse_breakdowns(text: str | Iterable[str] | None) -> tuple[str, ...]:
    """ "territory,sex" → ("territory", "sex") in the canonical order; ValidationError (French) on anything else."""
    if text is None:
        return ()
    parts = [p.strip() for p in (text.split(",") if isinstance(text, str) else text) if p.strip()]
    unknown = [p for p in parts if p not in BREAKDOWNS]
    if unknown:
        raise ValidationError(
            _("Unknown breakdown “%(value)s”: choose among territory, sex and age_band.")
            % {"value": unknown[0][:40]},
            code="invalid_breakdown",
        )
    return tuple(b for b in BREAKDOWNS if b in parts)


def provenance(indicator: Indicator) -> str:
    """Where an indicator's values come from, in words (never a module name or a code)."""
    if indicator.source == IndicatorSourceKind.MANUAL:
        return str(MANUAL_PROVENANCE)
    source = registry.source_for(indicator.code)
    if source is None:
        return str(_("not computed yet"))
    if source.provenance:
        return str(source.provenance)
    return str(MODULE_PROVENANCE.get(source.module, gettext_lazy("computed from Kinga's records")))


def breakdowns_of(indicator: Indicator) -> tuple[str, ...]:
    """The breakdowns an indicator's values can be split by: its source's (computed) or its definition's."""
    if indicator.source == IndicatorSourceKind.MANUAL:
        declared = indicator.breakdowns or []
    else:
        source = registry.source_for(indicator.code)
        declared = source.breakdowns if source else ()
    return tuple(b for b in BREAKDOWNS if b in declared)


def target_for(indicator: Indicator, targets: list[IndicatorTarget], day: datetime.date) -> Decimal | None:
    """The first target by date due on or after `day` (targets sorted by date); past the last one, the plan's
    own target."""
    for target in targets:
        if target.period_end >= day:
            return target.value
    return indicator.target


def _number(value) -> Decimal:
    if value is None:
        return Decimal(0)
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def _key(breakdown: dict[str, str]) -> tuple:
    return tuple((b, breakdown.get(b, "")) for b in BREAKDOWNS if b in breakdown)


def _computed_cells(indicator: Indicator, spans: list[Period], area: Place | None, by: tuple[str, ...]):
    """Per period: the indicator's groups. One pass for all the periods when its counts are kept on write
    (kinga.core.tallies), else one aggregate query per period."""
    wanted = _wanted(indicator, by)
    series = registry.compute_series(
        indicator.code,
        [(p.start, p.end) for p in spans],
        registry.IndicatorQuery(start=spans[0].start, end=spans[0].end, area=area, breakdowns=wanted),
    )
    return [_groups(values, wanted, by) for values in series]


def _computed_cells_of_period(
    indicators: list[Indicator], period: Period, area: Place | None, by: tuple[str, ...]
) -> dict[int, list]:
    """One period's groups of every computed indicator, asked together (registry.evaluate_many: the counts kept
    on write in one or two queries per breakdown, the memoised figures in two reads of the cache)."""
    queries = [
        registry.IndicatorQuery(start=period.start, end=period.end, area=area, breakdowns=_wanted(i, by))
        for i in indicators
    ]
    found = registry.evaluate_many([(i.code, q) for i, q in zip(indicators, queries, strict=True)])
    return {
        i.pk: [_groups(values, q.breakdowns, by)]
        for i, q, values in zip(indicators, queries, found, strict=True)
    }


def _wanted(indicator: Indicator, by: tuple[str, ...]) -> tuple[str, ...]:
    source = registry.source_for(indicator.code)
    return tuple(b for b in by if b in source.breakdowns)


def _groups(values: list[registry.IndicatorValue], wanted: tuple[str, ...], by: tuple[str, ...]) -> list:
    missing = tuple(b for b in by if b not in wanted)
    merged: dict[tuple, Decimal] = {}
    for v in values:
        key = _key({b: v.breakdown.get(b, "") for b in wanted})
        merged[key] = merged.get(key, Decimal(0)) + _number(v.value)
    if not merged and not wanted:
        merged[()] = Decimal(0)  # the total is 0; a breakdown with no record has no group
    return [(dict(k), value, missing) for k, value in sorted(merged.items())]


def _parse_key(key: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in key.split(";") if "=" in part)


def _manual_cells(
    indicators: list[Indicator], period: Period, area: Place | None, by: tuple[str, ...]
) -> dict[int, list]:
    """Hand-entered values of the period by breakdown, in two queries: counts add up over the period's entries,
    rates and other decimals take the latest entry. An entry counts for the breakdown it was entered for: its
    own breakdown, plus its territory when it was entered for a territory."""
    wanted = {i.pk: tuple(b for b in by if b in (i.breakdowns or [])) for i in indicators}
    result: dict[int, list] = {i.pk: [] for i in indicators}
    if not indicators:
        return result
    base = IndicatorValue.objects.filter(
        indicator__in=indicators, period_start__gte=period.start, period_end__lte=period.end
    )
    if area is None:
        base = base.filter(area__level__lte=PlaceLevel.TERRITORY)
    else:
        base = base.filter(
            Q(area=area) | Q(area__level=PlaceLevel.TERRITORY, area__path__startswith=area.path)
        )
    columns = ("indicator_id", "area_id", "area__level", "area__pcode", "breakdown_key")
    kinds = {i.pk: i.value_type for i in indicators}
    integer_ids = [pk for pk, kind in kinds.items() if kind == ValueType.INTEGER]
    rows = list(
        base.filter(indicator_id__in=integer_ids).values(*columns).annotate(v=Sum("value")).order_by()
    )
    others = [pk for pk, kind in kinds.items() if kind != ValueType.INTEGER]
    if others:
        seen = set()
        latest = base.filter(indicator_id__in=others).order_by("-period_end", "-pk").values(*columns, "value")
        for row in latest:
            key = tuple(row[c] for c in columns)
            if key not in seen:
                seen.add(key)
                rows.append({**row, "v": row["value"]})
    sums: dict[tuple, Decimal] = {}
    for row in rows:
        dims = _parse_key(row["breakdown_key"])
        own_area = (
            row["area_id"] == area.pk if area is not None else row["area__level"] <= PlaceLevel.PROVINCE
        )
        if row["area__level"] == PlaceLevel.TERRITORY and not own_area:
            dims.setdefault(registry.TERRITORY, row["area__pcode"])
        elif (
            own_area and area is not None and area.level == PlaceLevel.TERRITORY and registry.TERRITORY in by
        ):
            dims.setdefault(registry.TERRITORY, area.pcode)
        if set(dims) != set(wanted[row["indicator_id"]]):
            continue
        key = (row["indicator_id"], _key(dims))
        sums[key] = sums.get(key, Decimal(0)) + _number(row["v"])
    for (indicator_id, key), value in sorted(sums.items()):
        missing = tuple(b for b in by if b not in wanted[indicator_id])
        result[indicator_id].append((dict(key), value, missing))
    return result


def cells(
    indicators: Iterable[Indicator],
    targets: Iterable[IndicatorTarget],
    *,
    period: Period,
    area: Place | None = None,
    by: tuple[str, ...] = (),
) -> list[IndicatorCell]:
    """Every value of the indicators for the period: one aggregate query per computed indicator (grouped in the
    database by the breakdowns its source declares), two for all the manual ones. A computed indicator whose
    module registered no source gives no cell; nor does a manual one nobody entered."""
    return cells_by_period(indicators, targets, periods=[period], area=area, by=by)[period]


def cells_by_period(
    indicators: Iterable[Indicator],
    targets: Iterable[IndicatorTarget],
    *,
    periods: list[Period],
    area: Place | None = None,
    by: tuple[str, ...] = (),
) -> dict[Period, list[IndicatorCell]]:
    """`cells` for several periods at once (a trend, the quarters of a grid): an indicator whose counts are kept
    on write is read once for all the periods; the others take one aggregate query per period."""
    indicators = list(indicators)
    by = parse_breakdowns(by)
    by_indicator: dict[int, list[IndicatorTarget]] = {}
    for target in sorted(targets, key=lambda t: t.period_end):
        by_indicator.setdefault(target.indicator_id, []).append(target)
    manual_rows = [i for i in indicators if i.source == IndicatorSourceKind.MANUAL]
    manual = {p: _manual_cells(manual_rows, p, area, by) for p in periods}
    result: dict[Period, list[IndicatorCell]] = {p: [] for p in periods}
    computed = [
        i
        for i in indicators
        if i.source != IndicatorSourceKind.MANUAL and registry.source_for(i.code) is not None
    ]
    together = _computed_cells_of_period(computed, periods[0], area, by) if len(periods) == 1 else {}
    for indicator in indicators:
        if indicator.source == IndicatorSourceKind.MANUAL:
            groups_by_period = [manual[p][indicator.pk] for p in periods]
        elif indicator.pk in together:
            groups_by_period = together[indicator.pk]
        elif registry.source_for(indicator.code) is not None:
            groups_by_period = _computed_cells(indicator, periods, area, by)
        else:
            continue
        text = provenance(indicator)
        for period, groups in zip(periods, groups_by_period, strict=True):
            target = target_for(indicator, by_indicator.get(indicator.pk, []), period.full_end)
            for breakdown, value, missing in groups:
                result[period].append(
                    IndicatorCell(
                        indicator=indicator,
                        period=period,
                        value=value,
                        breakdown=breakdown,
                        target=target if not breakdown and area is None else None,
                        source_text=text,
                        not_broken_down=missing,
                    )
                )
    return result


# ------------------------------------------------------------------- computed indicators in no plan row
# Every registered source appears in a plan row (kinga/plan/data) or here: figures the plan's logframe does not
# name but that the province follows. The indicator page shows them under « Autres indicateurs suivis », in words;
# the province dashboard (kinga/monitoring) and the non-return page (kinga/cases) show those marked below too.
# A test (test_indicator_orphans.py) fails when a module registers a code that is in neither.
DASHBOARD, NON_RETURN = "dashboard", "non_return"
OTHER_INDICATORS: dict[str, tuple] = {
    "CASES_CHILDREN_IDENTIFIED": (
        gettext_lazy("Children identified"),
        gettext_lazy("children"),
        (DASHBOARD,),
    ),
    "CASES_CHILDREN_REGISTERED": (
        gettext_lazy("Children registered"),
        gettext_lazy("children"),
        (DASHBOARD,),
    ),
    "CASES_CHILDREN_IN_CARE": (gettext_lazy("Children in care"), gettext_lazy("children"), (DASHBOARD,)),
    "CASES_CHILDREN_EXITED": (
        gettext_lazy("Children out of the mines (case closed, exit achieved)"),
        gettext_lazy("children"),
        (DASHBOARD, NON_RETURN),
    ),
    "CASES_CHILDREN_RETAINED_3M": (
        gettext_lazy("Children still out of the mines 3 months after their exit"),
        gettext_lazy("children"),
        (DASHBOARD, NON_RETURN),
    ),
    "CASES_CHILDREN_RETAINED_6M": (
        gettext_lazy("Children still out of the mines 6 months after their exit"),
        gettext_lazy("children"),
        (DASHBOARD, NON_RETURN),
    ),
    "CASES_CHILDREN_RETAINED_12M": (
        gettext_lazy("Children still out of the mines 12 months after their exit"),
        gettext_lazy("children"),
        (DASHBOARD, NON_RETURN),
    ),
    "CASES_CHILDREN_RELAPSED": (
        gettext_lazy("Children found working again (relapses)"),
        gettext_lazy("children"),
        (DASHBOARD, NON_RETURN),
    ),
    "CASES_CLOSED_AFTER_REGISTRATION": (
        gettext_lazy("Registered cases closed (whatever the reason)"),
        gettext_lazy("cases"),
        (),
    ),
    "CASES_REFERRALS_MADE": (gettext_lazy("Referrals made"), gettext_lazy("referrals"), ()),
    "CASES_REFERRALS_COMPLETED": (
        gettext_lazy("Referrals completed (service delivered)"),
        gettext_lazy("referrals"),
        (),
    ),
    "CASES_REFERRAL_DELAY_DAYS": (
        gettext_lazy("Average time from referral to service"),
        gettext_lazy("days"),
        (),
    ),
    "COMMUNITY_ALERTS_RECEIVED": (gettext_lazy("Alerts received"), gettext_lazy("alerts"), (DASHBOARD,)),
    "COMMUNITY_ALERTS_VERIFIED_IN_TIME": (
        gettext_lazy("Alerts verified in time"),
        gettext_lazy("alerts"),
        (DASHBOARD,),
    ),
    "COMMUNITY_ALERTS_TO_CASES": (
        gettext_lazy("Alerts that led to a registered case"),
        gettext_lazy("alerts"),
        (),
    ),
    "COMMUNITY_CHILDREN_FROM_ALERTS": (
        gettext_lazy("Children registered from alerts"),
        gettext_lazy("children"),
        (),
    ),
    "COMMUNITY_ANIMATORS_TRAINED": (gettext_lazy("Social animators trained"), gettext_lazy("people"), ()),
    "HOUSEHOLDS_HOUSEHOLDS_SURVEYED": (
        gettext_lazy("Households surveyed"),
        gettext_lazy("households"),
        (DASHBOARD,),
    ),
    "HOUSEHOLDS_HUNGER_SCALE": (
        gettext_lazy("Household hunger scale, mean (0 to 6)"),
        gettext_lazy("points"),
        (DASHBOARD,),
    ),
    "SITES_BY_STATUS": (gettext_lazy("Mine sites followed"), gettext_lazy("sites"), (DASHBOARD,)),
    "SITES_CHILDREN_SEEN": (
        gettext_lazy("Mine sites where children were seen"),
        gettext_lazy("sites"),
        (),
    ),
    "SUPPLY_LOTS_AUTHORISED": (gettext_lazy("Lots authorised to leave"), gettext_lazy("lots"), ()),
    "SUPPLY_LOTS_REFUSED": (gettext_lazy("Lots refused"), gettext_lazy("lots"), ()),
    "SUPPLY_BUYERS_REPORTING": (
        gettext_lazy("Companies that produced their due-diligence report"),
        gettext_lazy("companies"),
        (),
    ),
}


@dataclass(frozen=True)
class OtherValue:
    code: str  # for the API and exports only, never shown on a page
    label: str
    unit: str
    value: Decimal | None  # None: no module computes it in this deployment
    source_text: str


def other_values(*, period: Period, area: Place | None = None) -> list[OtherValue]:
    """The computed indicators of no plan row, for a period and an area, asked together (registry.evaluate_many:
    the counts kept on write in one or two queries, the others one aggregate query each)."""
    query = registry.IndicatorQuery(start=period.start, end=period.end, area=area)
    computed = [code for code in OTHER_INDICATORS if registry.source_for(code) is not None]
    found = dict(zip(computed, registry.evaluate_many([(code, query) for code in computed]), strict=True))
    result = []
    for code, (label, unit, _pages) in OTHER_INDICATORS.items():
        source = registry.source_for(code)
        value = None
        if code in found:
            value = sum((_number(v.value) for v in found[code]), Decimal(0))
        text = (
            str(
                source.provenance
                or MODULE_PROVENANCE.get(source.module, gettext_lazy("computed from Kinga's records"))
            )
            if source
            else str(_("not computed yet"))
        )
        result.append(OtherValue(code=code, label=str(label), unit=str(unit), value=value, source_text=text))
    return result


def period_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """What the period chooser offers, in groups: the plan to date, every year of the plan, the quarters and the
    months of the last two years (most recent first)."""
    today = clock.today()
    plan = periods.plan_to_date()
    years = periods.series(periods.year(today.year), today.year - plan.start.year + 1)
    quarters = periods.series(periods.month_period_containing(today, periods.QUARTER), 8)
    months = periods.series(periods.month_period_containing(today, periods.MONTH), 24)
    return [
        (str(_("The plan")), [(plan.iso, plan.label)]),
        (str(_("Years")), [(p.iso, p.label) for p in reversed(years)]),
        (str(_("Quarters")), [(p.iso, p.label) for p in reversed(quarters)]),
        (str(_("Months")), [(p.iso, p.label) for p in reversed(months)]),
    ]
