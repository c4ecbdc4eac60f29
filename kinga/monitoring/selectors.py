"""The province dashboard: the plan's figures for a period and a territory, read from every app.

Each figure is the plan's own: the registered indicator computation (kinga.core.indicators.evaluate), one
aggregate query each, or the plan and sites selectors (aggregates too). Nothing here loops over records: the
number of queries depends on the number of figures shown, never on the number of rows (tests bound it).
Counts only: no figure names or lists a person.

An organisation manager sees its organisation's records only (children, alerts, households): a figure whose
computation cannot be narrowed to one organisation (`IndicatorSource.organisations`) shows as not computed
rather than for everyone; sites (public data) and the plan (read by every role) are the province's.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, F, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kinga.community import selectors as community_selectors
from kinga.core import access, clock, periods
from kinga.core import indicators as registry
from kinga.core import selectors as core_selectors
from kinga.core.access import Actor
from kinga.core.models import Place, PlaceLevel
from kinga.core.periods import Period
from kinga.monitoring.models import Report, ReportStatus
from kinga.monitoring.selectors_cost import cost_per_result  # noqa: F401 (re-exported: the plan reports read it here)
from kinga.plan import indicators as plan_indicators
from kinga.plan import selectors as plan_selectors
from kinga.plan.models import Indicator, IndicatorSourceKind, Plan, ValueType
from kinga.sites import selectors as sites_selectors
from kinga.sites.models import Status

PERMISSION = "monitoring.view_dashboard"
PROVINCE_PCODE = "CD72"
HISTORY_QUARTERS = 6  # sites by status: this quarter and the five before

# The traffic light: the value reached since the start of the plan, against the value expected on the period's
# last day on the way to the targets (a straight line from zero at the start of the plan through each target by
# date to the end-of-plan target). At least ON_TRACK % of the expected value: green; at least BEHIND %: yellow;
# less: red; no target: grey.
ON_TRACK, BEHIND = 90, 60
GREEN, YELLOW, RED, GREY = "green", "yellow", "red", "grey"
LIGHT_LABELS = {
    GREEN: gettext_lazy("on track"),
    YELLOW: gettext_lazy("behind"),
    RED: gettext_lazy("far behind"),
    GREY: gettext_lazy("no target"),
}


@dataclass(frozen=True)
class Figure:
    key: str  # stable name in the API ("children_identified")
    label: str
    value: Decimal | int | None  # None: not computed here (no source, or not for one organisation)
    link: str = ""  # the page the figure comes from, when there is one
    unit: str = ""
    decimals: int = 0

    @property
    def section(self) -> str:
        """The anchor of the dashboard's section that shows the figure."""
        return {"children": "enfants", "alerts": "alertes"}.get(self.key.split("_")[0], "")


@dataclass
class IndicatorRow:
    indicator: Indicator
    in_period: Decimal | None
    to_date: Decimal | None  # since the start of the plan, up to the period's last day
    target: Decimal | None  # the end-of-plan target
    next_target: Decimal | None  # the first target by date on or after the period's end (else end-of-plan)
    next_target_date: datetime.date | None
    expected: Decimal | None  # on the way to the targets, at the period's last day
    percent: int | None  # to_date as a share of expected
    light: str

    @property
    def light_label(self) -> str:
        return str(LIGHT_LABELS[self.light])


@dataclass
class Dashboard:
    period: Period
    territory: Place | None
    organisation_scoped: bool
    children: list[Figure] = field(default_factory=list)
    children_trend: dict = field(
        default_factory=dict
    )  # {"labels": [...], "identified": [...], "exited": [...]}
    alerts: list[Figure] = field(default_factory=list)
    alerts_in_time_percent: int | None = None
    sites_now: dict[str, int] = field(default_factory=dict)
    sites_history: list[tuple[str, dict[str, int]]] = field(default_factory=list)
    households: list[Figure] = field(default_factory=list)
    budget: list[dict] = field(default_factory=list)
    budget_total: plan_selectors.Money = field(default_factory=plan_selectors.Money)
    indicators: list[IndicatorRow] = field(default_factory=list)
    lights: dict[str, int] = field(default_factory=dict)


def territories(actor: Actor):
    """The territories and towns of the province (ADM2), for the filter."""
    return (
        core_selectors.places(actor)
        .filter(level=PlaceLevel.TERRITORY, pcode__startswith=PROVINCE_PCODE)
        .order_by("name")
    )


def territory_by_pcode(actor: Actor, pcode: str) -> Place | None:
    """The territory of a p-code (None for an empty one); ValidationError when no territory has it."""
    pcode = (pcode or "").strip().upper()
    if not pcode or pcode == PROVINCE_PCODE:
        return None
    place = territories(actor).filter(pcode=pcode).first()
    if place is None:
        raise ValidationError(
            _("Unknown territory “%(value)s”: choose one of the province's territories or towns."),
            code="invalid_territory",
            params={"value": pcode[:20]},
        )
    return place


def organisation_scope(actor: Actor) -> int | None:
    """The organisation whose records the actor's dashboard counts; None: every organisation's."""
    if actor.is_system_wide or actor.aggregates_only:
        return None
    return actor.organisation_id or -1  # no membership: nothing (the permission check refuses it first)


Memo = dict[tuple, Decimal | int | None]


def _memo_key(code: str, query: registry.IndicatorQuery) -> tuple:
    return (code, query.start, query.end, query.area.pk if query.area else None, query.organisation_id)


def _computable(code: str, query: registry.IndicatorQuery) -> bool:
    source = registry.source_for(code)
    return source is not None and (query.organisation_id is None or source.organisations)


def _prefetch(requests: list[tuple[str, registry.IndicatorQuery]], memo: Memo) -> None:
    """Every figure the page will show, computed together (registry.evaluate_many: the counts kept on write
    in one query per area, the memoised figures in two reads of the cache) into the page's memo."""
    wanted = {}
    for code, query in requests:
        key = _memo_key(code, query)
        if key in memo or key in wanted:
            continue
        if not _computable(code, query):
            memo[key] = None
        else:
            wanted[key] = (code, query)
    for key, values in zip(wanted, registry.evaluate_many(list(wanted.values())), strict=True):
        memo[key] = sum((v.value for v in values), 0)


def _value(code: str, query: registry.IndicatorQuery, memo: Memo | None = None) -> Decimal | int | None:
    """The total of a registered computation; None when no module computes it (or not for one organisation).
    `memo`: a figure asked twice on one page (a household figure that is also a plan indicator) is computed once."""
    key = _memo_key(code, query)
    if memo is not None and key in memo:
        return memo[key]
    if not _computable(code, query):
        value = None
    else:
        value = sum((v.value for v in registry.evaluate(code, query)), 0)
    if memo is not None:
        memo[key] = value
    return value


CHILDREN = (
    ("children_identified", "CASES_CHILDREN_IDENTIFIED", gettext_lazy("Children identified")),
    ("children_registered", "CASES_CHILDREN_REGISTERED", gettext_lazy("Children registered")),
    ("children_in_care", "CASES_CHILDREN_IN_CARE", gettext_lazy("Children in care")),
    ("children_exited", "CASES_CHILDREN_EXITED", gettext_lazy("Children out of the mines (exit achieved)")),
    (
        "children_retained_3m",
        "CASES_CHILDREN_RETAINED_3M",
        gettext_lazy("Still out of the mines after 3 months"),
    ),
    (
        "children_retained_6m",
        "CASES_CHILDREN_RETAINED_6M",
        gettext_lazy("Still out of the mines after 6 months"),
    ),
    (
        "children_retained_12m",
        "CASES_CHILDREN_RETAINED_12M",
        gettext_lazy("Still out of the mines after 12 months"),
    ),
    ("children_relapsed", "CASES_CHILDREN_RELAPSED", gettext_lazy("Children found working again")),
)
ALERTS = (
    ("alerts_received", "COMMUNITY_ALERTS_RECEIVED", gettext_lazy("Alerts received")),
    ("alerts_verified_in_time", "COMMUNITY_ALERTS_VERIFIED_IN_TIME", gettext_lazy("Alerts verified in time")),
)
HOUSEHOLDS = (
    ("households_surveyed", "HOUSEHOLDS_HOUSEHOLDS_SURVEYED", gettext_lazy("Households surveyed"), "", 0),
    (
        "households_farming",
        "HOUSEHOLDS_FARMING_SUPPORTED",
        gettext_lazy("Households given farming inputs or tools"),
        "",
        0,
    ),
    (
        "households_in_cooperatives",
        "HOUSEHOLDS_IN_COOPERATIVES",
        gettext_lazy("Households in a cooperative"),
        "",
        0,
    ),
    (
        "people_retrained",
        "HOUSEHOLDS_EMA_WOMEN_RETRAINED",
        gettext_lazy("Miners and women retrained in another trade"),
        "",
        0,
    ),
    ("businesses_created", "HOUSEHOLDS_BUSINESSES_CREATED", gettext_lazy("Small businesses created"), "", 0),
    ("bank_accounts", "HOUSEHOLDS_BANK_ACCOUNTS", gettext_lazy("Savings accounts opened and funded"), "", 0),
    ("literacy", "HOUSEHOLDS_LITERACY_MEMBERS", gettext_lazy("Literacy courses completed"), "", 0),
    (
        "income",
        "HOUSEHOLDS_INCOME",
        gettext_lazy("Mean monthly income of the households surveyed"),
        gettext_lazy("USD"),
        2,
    ),
    (
        "hunger_scale",
        "HOUSEHOLDS_HUNGER_SCALE",
        gettext_lazy("Mean household hunger scale (0 to 6)"),
        "",
        1,
    ),
)


def _query(period: Period, territory: Place | None, organisation_id: int | None) -> registry.IndicatorQuery:
    return registry.IndicatorQuery(
        start=period.start, end=period.end, area=territory, organisation_id=organisation_id
    )


def _link(url_name: str) -> str:
    return reverse(url_name)


# Figures the non-return monitoring page (cases) details: cohorts of exits, retention checks, relapses.
NON_RETURN = {"children_exited", "children_retained_3m", "children_retained_6m", "children_retained_12m"}


def _children(
    actor: Actor, query: registry.IndicatorQuery, memo: Memo, period: Period | None = None
) -> list[Figure]:
    if not actor.has("cases.view_counts"):
        return [Figure(key, str(label), _value(code, query, memo)) for key, code, label in CHILDREN]
    stats = _link("cases:stats")
    params = {"period": period.iso} if period is not None else {}
    if query.area is not None:
        params["territory"] = query.area.pcode
    non_return = _link("cases:non_return") + (f"?{urlencode(params)}" if params else "")
    return [
        Figure(
            key,
            str(label),
            _value(code, query, memo),
            non_return if key in NON_RETURN or key == "children_relapsed" else stats,
        )
        for key, code, label in CHILDREN
    ]


def _children_trend(period: Period, query: registry.IndicatorQuery, memo: Memo) -> dict:
    """Children identified and out of the mines over the last four periods of the period's kind."""
    if period.kind == periods.PLAN:
        return {}
    series = periods.series(period, 4)
    spans = [(p.start, p.end) for p in series]

    def values(code: str) -> list:
        # The four periods in one pass where the counts are kept on write (kinga.core.tallies).
        source = registry.source_for(code)
        if source is None or (query.organisation_id is not None and not source.organisations):
            return [None] * len(series)
        found = registry.compute_series(code, spans, query)
        return [sum((v.value for v in values), 0) for values in found]

    return {
        "labels": [_short_label(p) for p in series],
        "identified": values("CASES_CHILDREN_IDENTIFIED"),
        "exited": values("CASES_CHILDREN_EXITED"),
    }


def _short_label(period: Period) -> str:
    if period.kind == periods.QUARTER:
        return _("Q%(quarter)s %(year)s") % {
            "quarter": (period.start.month - 1) // 3 + 1,
            "year": period.start.year,
        }
    if period.kind == periods.MONTH:
        return f"{period.start.month:02d}/{period.start.year}"
    return str(period.start.year)


def _alerts(actor: Actor, query: registry.IndicatorQuery, memo: Memo) -> list[Figure]:
    link = _link("community:home") if actor.has("community.view") else ""
    return [Figure(key, str(label), _value(code, query, memo), link) for key, code, label in ALERTS]


def _households(actor: Actor, query: registry.IndicatorQuery, memo: Memo) -> list[Figure]:
    link = _link("households:dashboard") if actor.has("households.view_counts") else ""
    return [
        Figure(key, str(label), _value(code, query, memo), link, str(unit), decimals)
        for key, code, label, unit, decimals in HOUSEHOLDS
    ]


def _sites(actor: Actor, period: Period, territory: Place | None) -> tuple[dict, list]:
    now = {status: 0 for status in Status.values}
    if registry.source_for("SITES_BY_STATUS") is not None:
        values = registry.evaluate(
            "SITES_BY_STATUS",
            registry.IndicatorQuery(
                start=period.start, end=period.end, area=territory, breakdowns=("status",)
            ),
        )
        for v in values:
            now[v.breakdown.get("status", "")] = int(v.value)
    last = periods.month_period_containing(period.end, periods.QUARTER)
    quarters = periods.series(last, HISTORY_QUARTERS)
    counts = sites_selectors.status_counts_at(actor, [q.end for q in quarters], area=territory)
    return now, [(_short_label(q), c) for q, c in zip(quarters, counts, strict=True)]


def _budget(actor: Actor, plan: Plan | None) -> tuple[list[dict], plan_selectors.Money]:
    total = plan_selectors.Money()
    if plan is None:
        return [], total
    rows = []
    for axis_row in plan_selectors.plan_tree(actor, plan):
        total += axis_row.money
        rows.append({"axis": axis_row.axis, "money": axis_row.money})
    return rows, total


def _trajectory(indicator: Indicator, targets: list) -> list[tuple[datetime.date, Decimal]]:
    points = [(plan_selectors.plan_start_date(), Decimal(0))]
    points += [(t.period_end, t.value) for t in targets]
    end = plan_selectors.plan_end_date()
    if indicator.target is not None and (not targets or targets[-1].period_end < end):
        points.append((end, indicator.target))
    return points


def expected_value(indicator: Indicator, targets: list, day: datetime.date) -> tuple[Decimal | None, tuple]:
    """The value expected on `day` on the way to the targets, and the next target (value, date) on or after it.

    Counts grow along straight lines from zero at the start of the plan through each target by date; a rate or
    a yes/no indicator is expected to reach the next target itself."""
    points = _trajectory(indicator, targets)
    if len(points) < 2:
        return None, (None, None)
    following = next(((d, v) for d, v in points[1:] if d >= day), points[-1])
    if indicator.value_type != ValueType.INTEGER:
        return following[1], (following[1], following[0])
    for (d0, v0), (d1, v1) in itertools.pairwise(points):
        if day <= d1:
            if day <= d0:
                return v0, (following[1], following[0])
            share = Decimal((day - d0).days) / Decimal(max((d1 - d0).days, 1))
            return v0 + (v1 - v0) * share, (following[1], following[0])
    return points[-1][1], (following[1], following[0])


def light_for(reached: Decimal | None, expected: Decimal | None) -> tuple[str, int | None]:
    if expected is None or not expected:
        return GREY, None
    percent = int(min((reached or Decimal(0)) / expected * 100, Decimal(999)))
    if percent >= ON_TRACK:
        return GREEN, percent
    if percent >= BEHIND:
        return YELLOW, percent
    return RED, percent


def _actuals(
    rows: list[Indicator], start: datetime.date, end: datetime.date, territory: Place | None, memo: Memo
) -> dict[int, plan_indicators.Actual]:
    """kinga.plan.indicators.actuals, the computed values through the page's memo."""
    result = plan_indicators.manual_actuals(rows, start=start, end=end, area=territory)
    query = registry.IndicatorQuery(start=start, end=end, area=territory)
    for indicator in rows:
        if indicator.source == IndicatorSourceKind.COMPUTED:
            value = _value(indicator.code, query, memo)
            result[indicator.pk] = (
                plan_indicators.Actual(status=plan_indicators.NOT_COMPUTED)
                if value is None
                else plan_indicators.Actual(status=plan_indicators.COMPUTED, value=Decimal(value))
            )
    return result


def _indicators(
    actor: Actor,
    plan: Plan | None,
    rows: list[Indicator],
    period: Period,
    territory: Place | None,
    memo: Memo,
) -> list[IndicatorRow]:
    if plan is None:
        return []
    targets = plan_selectors.targets_by_indicator(actor, plan)
    start = plan_selectors.plan_start_date()
    to_date = _actuals(rows, start, period.end, territory, memo)
    in_period = _actuals(rows, period.start, period.end, territory, memo)
    result = []
    for indicator in rows:
        reached = to_date[indicator.pk].value
        if territory is None:
            expected, (next_value, next_date) = expected_value(
                indicator, targets.get(indicator.pk, []), period.end
            )
        else:  # the plan's targets are the province's: a territory has none
            expected, (next_value, next_date) = None, (None, None)
        light, percent = light_for(reached, expected) if reached is not None else (GREY, None)
        result.append(
            IndicatorRow(
                indicator=indicator,
                in_period=in_period[indicator.pk].value,
                to_date=reached,
                target=indicator.target,
                next_target=next_value,
                next_target_date=next_date,
                expected=expected,
                percent=percent,
                light=light,
            )
        )
    return result


def dashboard(actor: Actor, *, period: Period, territory: Place | None = None) -> Dashboard:
    """Every figure of the dashboard, for the period and the territory (None: the whole province)."""
    access.require(actor, PERMISSION)
    organisation_id = organisation_scope(actor)
    query = _query(period, territory, organisation_id)
    board = Dashboard(period=period, territory=territory, organisation_scoped=organisation_id is not None)
    memo: Memo = {}
    plan = plan_selectors.current_plan(actor)
    rows = list(plan_selectors.indicators(actor, plan)) if plan is not None else []
    # The plan's rows count every organisation's records (_actuals): the province's, or the territory's.
    to_date = registry.IndicatorQuery(start=plan_selectors.plan_start_date(), end=period.end, area=territory)
    in_period = registry.IndicatorQuery(start=period.start, end=period.end, area=territory)
    computed = [r.code for r in rows if r.source == IndicatorSourceKind.COMPUTED]
    _prefetch(
        [
            (code, query)
            for code in (*(c[1] for c in CHILDREN), *(c[1] for c in ALERTS), *(c[1] for c in HOUSEHOLDS))
        ]
        + [(code, q) for code in computed for q in (to_date, in_period)],
        memo,
    )
    board.children = _children(actor, query, memo, period)
    board.children_trend = _children_trend(period, query, memo)
    board.alerts = _alerts(actor, query, memo)
    received, in_time = (f.value for f in board.alerts)
    if received and in_time is not None:
        board.alerts_in_time_percent = round(in_time * 100 / received)
    board.sites_now, board.sites_history = _sites(actor, period, territory)
    board.households = _households(actor, query, memo)
    board.budget, board.budget_total = _budget(actor, plan)
    board.indicators = _indicators(actor, plan, rows, period, territory, memo)
    board.lights = {light: sum(1 for r in board.indicators if r.light == light) for light in LIGHT_LABELS}
    return board


def headline(actor: Actor) -> list[Figure]:
    """The few figures of the current quarter for a home page panel (children in care, out of the mines,
    found working again, alerts received)."""
    access.require(actor, PERMISSION)
    period = periods.month_period_containing(clock.today(), periods.QUARTER)
    query = _query(period, None, organisation_scope(actor))
    wanted = {"children_in_care", "children_exited", "children_relapsed"}
    memo: Memo = {}
    figures = [f for f in _children(actor, query, memo) if f.key in wanted]
    return figures + _alerts(actor, query, memo)[:1]


@dataclass(frozen=True)
class FourWRow:
    """Who does what where, for one axis of the plan (None: activities attached to no action of the plan)."""

    axis: int | None
    organisations: int
    activities: int
    places: int
    children_reached: int


def fourw_summary(actor: Actor, *, period: Period, territory: Place | None = None) -> list[FourWRow]:
    """The 4W records whose activity overlaps the period, by axis of the plan: distinct organisations, activities,
    distinct places and children reached; the last row is the total (distinct over every axis). Two queries."""
    qs = community_selectors.fourw(actor, territory=territory, start=period.start, end=period.end)
    counts = {
        "organisations": Count("organisation", distinct=True),
        "activities": Count("id"),
        "places": Count("place", distinct=True),
        "children_reached": Coalesce(Sum(F("reached_f") + F("reached_m")), 0),
    }
    rows = [
        FourWRow(axis=row.pop("axis"), **row)
        for row in qs.values(axis=F("plan_action__axis__number")).annotate(**counts).order_by("axis")
    ]
    total = qs.aggregate(**counts)
    return [*rows, FourWRow(axis=None, **total)] if rows else []


# ---------------------------------------------------------------------------------------------- reports

REPORTS_PERMISSION = "monitoring.build_reports"


def reports(actor: Actor):
    """Every report of the plan, newest first, without their files (a report is the province's)."""
    return access.scoped(actor, Report).defer("content").select_related("requested_by", "territory")


def report(actor: Actor, uuid, *, with_file: bool = False) -> Report:
    """One report: 403 without the permission, 404 for an unknown one."""
    queryset = Report.objects.all() if with_file else Report.objects.defer("content")
    return access.get_object_or_404(actor, Report, uuid=uuid, queryset=queryset)


def downloadable(actor: Actor, uuid) -> Report:
    """A report whose file is ready; 404 while it is being built or when it failed (no file is ever half-written)."""
    found = report(actor, uuid, with_file=True)
    if found.status != ReportStatus.DONE:
        raise Http404(_("This report has no file to download."))
    return found
