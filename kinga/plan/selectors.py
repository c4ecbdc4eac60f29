"""Reads of the plan, through kinga.core.access. The tree and the budget are built in a fixed number of
queries whatever the number of commitments, transactions and progress reports (aggregated in the database).
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from kinga.core import access, clock, periods
from kinga.core.access import Actor
from kinga.core.models import Organisation, Place, PlaceLevel, organisation_label
from kinga.core.periods import Period
from kinga.plan.indicators import (
    NO_VALUE,
    Actual,
    IndicatorCell,
    OtherValue,
    actuals,
    breakdowns_of,
    cells,
    cells_by_period,
    other_values,
)
from kinga.plan.models import (
    Action,
    Activity,
    ActivityStatus,
    Axis,
    Commitment,
    Dhis2CategoryOptionCombo,
    Dhis2DataElement,
    Dhis2OrgUnit,
    Dhis2Push,
    Dhis2Settings,
    FundingTransaction,
    Indicator,
    IndicatorTarget,
    Party,
    PartyRole,
    Plan,
    PlanRevision,
    ProgressReport,
    Tag,
    TagKind,
    TransactionKind,
)


def implementer_activity_filter(organisation_id: int) -> Q:
    """Activities an organisation implements: named on the activity, or on its action when the activity
    names nobody (the document merges the cell over the action's rows)."""
    own = Q(parties__role=PartyRole.IMPLEMENTER, parties__organisation_id=organisation_id)
    via_action = Q(
        action__parties__role=PartyRole.IMPLEMENTER, action__parties__organisation_id=organisation_id
    ) & ~Q(parties__role=PartyRole.IMPLEMENTER)
    return own | via_action


def implements(organisation_id: int | None, activity: Activity) -> bool:
    if organisation_id is None:
        return False
    return (
        Activity.objects.filter(pk=activity.pk).filter(implementer_activity_filter(organisation_id)).exists()
    )


# Behind schedule by more than this many percentage points of the elapsed time: delayed.
DELAY_TOLERANCE_POINTS = 25


def province_place() -> Place | None:
    """The province the plan is for (KINGA_PROVINCE_PCODE, Lualaba: CD72), once the reference places are loaded."""
    return Place.objects.filter(pcode=settings.KINGA_PROVINCE_PCODE).first()


def plan_start_date() -> datetime.date:
    """The plan's start date: not in the document, an assumption set by KINGA_PLAN_START_DATE."""
    value = settings.KINGA_PLAN_START_DATE
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))


def add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def current_plan(actor: Actor) -> Plan | None:
    return access.scoped(actor, Plan).order_by("pk").first()


@dataclass
class Money:
    planned: Decimal = Decimal(0)
    committed: Decimal = Decimal(0)
    disbursed: Decimal = Decimal(0)
    spent: Decimal = Decimal(0)

    @property
    def execution_rate(self) -> int | None:
        """Spent as a share of the planned cost (%)."""
        return int(self.spent * 100 / self.planned) if self.planned else None

    @property
    def funding_gap(self) -> Decimal:
        return max(self.planned - self.committed, Decimal(0))

    def __iadd__(self, other: Money) -> Money:
        self.planned += other.planned
        self.committed += other.committed
        self.disbursed += other.disbursed
        self.spent += other.spent
        return self


@dataclass
class ActivityRow:
    activity: Activity
    planned_start: datetime.date | None
    planned_end: datetime.date | None
    delayed: bool
    money: Money
    implementers: list[Party]
    funding_sources: list[Party]


@dataclass
class ActionRow:
    action: Action
    activities: list[ActivityRow] = field(default_factory=list)
    money: Money = field(default_factory=Money)
    implementers: list[Party] = field(default_factory=list)
    funding_sources: list[Party] = field(default_factory=list)

    @property
    def percent_done(self) -> int:
        rows = [r for r in self.activities if r.activity.status != ActivityStatus.CANCELLED]
        return round(sum(r.activity.percent_done for r in rows) / len(rows)) if rows else 0

    @property
    def delayed_count(self) -> int:
        return sum(1 for r in self.activities if r.delayed)


@dataclass
class AxisRow:
    axis: Axis
    actions: list[ActionRow] = field(default_factory=list)
    money: Money = field(default_factory=Money)
    baseline_detail: Decimal = Decimal(0)

    @property
    def percent_done(self) -> int:
        rows = [
            r for a in self.actions for r in a.activities if r.activity.status != ActivityStatus.CANCELLED
        ]
        return round(sum(r.activity.percent_done for r in rows) / len(rows)) if rows else 0

    @property
    def delayed_count(self) -> int:
        return sum(a.delayed_count for a in self.actions)


def planned_dates(activity: Activity, action: Action, start: datetime.date) -> tuple:
    months = activity.duration_months or action.duration_months
    planned_start = activity.planned_start or start
    if activity.planned_end:
        return planned_start, activity.planned_end
    if months:
        return planned_start, add_months(planned_start, months) - datetime.timedelta(days=1)
    return planned_start, None


def is_delayed(activity: Activity, planned_start, planned_end, today: datetime.date | None = None) -> bool:
    """Computed, never chosen: past its planned end and not finished; past its planned start and not started;
    or done less than the elapsed share of its planned time minus a tolerance."""
    today = today or clock.today()
    if activity.status in (ActivityStatus.COMPLETED, ActivityStatus.CANCELLED):
        return False
    if planned_end and today > planned_end:
        return True
    if planned_start and today > planned_start and activity.status == ActivityStatus.NOT_STARTED:
        return True
    if planned_start and planned_end and planned_end > planned_start and today > planned_start:
        elapsed = (today - planned_start).days / (planned_end - planned_start).days * 100
        return activity.percent_done + DELAY_TOLERANCE_POINTS < elapsed
    return False


def _money_by(plan: Plan, funder: Organisation | None = None) -> tuple[dict, dict]:
    """Committed, disbursed and spent per (action_id, activity_id): two aggregate queries."""
    commitments = Commitment.objects.filter(action__axis__plan=plan)
    transactions = FundingTransaction.objects.filter(commitment__action__axis__plan=plan)
    if funder is not None:
        commitments = commitments.filter(funder=funder)
        transactions = transactions.filter(commitment__funder=funder)
    committed = {
        (r["action_id"], r["activity_id"]): r["total"]
        for r in commitments.values("action_id", "activity_id").annotate(total=Sum("amount_usd"))
    }
    moved: dict = {}
    for r in transactions.values("commitment__action_id", "commitment__activity_id", "kind").annotate(
        total=Sum("amount_usd")
    ):
        moved[(r["commitment__action_id"], r["commitment__activity_id"], r["kind"])] = r["total"]
    return committed, moved


def plan_tree(actor: Actor, plan: Plan, *, today: datetime.date | None = None) -> list[AxisRow]:
    """Axes → actions → activities with cost, funding and progress at each level, in 7 queries."""
    access.require(actor, "plan.view")
    start = plan_start_date()
    axes = list(access.scoped(actor, Axis).filter(plan=plan).prefetch_related("tags").order_by("number"))
    actions = list(
        access.scoped(actor, Action).filter(axis__plan=plan).prefetch_related("tags").order_by("number")
    )
    activities = list(access.scoped(actor, Activity).filter(action__axis__plan=plan).order_by("position"))
    parties = list(
        access.scoped(actor, Party)
        .filter(Q(action__axis__plan=plan) | Q(activity__action__axis__plan=plan))
        .select_related("organisation")
        .order_by("position", "pk")
    )
    committed, moved = _money_by(plan)
    by_action_parties: dict = {}
    by_activity_parties: dict = {}
    for party in parties:
        if party.action_id:
            by_action_parties.setdefault((party.action_id, party.role), []).append(party)
        elif party.activity_id:
            by_activity_parties.setdefault((party.activity_id, party.role), []).append(party)

    def money_of(action_id: int, activity_id: int | None, planned) -> Money:
        return Money(
            planned=planned or Decimal(0),
            committed=committed.get((action_id, activity_id), Decimal(0)),
            disbursed=moved.get((action_id, activity_id, TransactionKind.DISBURSEMENT), Decimal(0)),
            spent=moved.get((action_id, activity_id, TransactionKind.EXPENDITURE), Decimal(0)),
        )

    action_rows: dict[int, ActionRow] = {}
    axis_by_pk = {axis.pk: axis for axis in axes}
    for action in actions:
        # The axis already read: an action's code (axis number) must not read it again, once per action.
        if action.axis_id in axis_by_pk:
            action.axis = axis_by_pk[action.axis_id]
        row = ActionRow(
            action=action,
            implementers=by_action_parties.get((action.pk, PartyRole.IMPLEMENTER), []),
            funding_sources=by_action_parties.get((action.pk, PartyRole.FUNDING_SOURCE), []),
        )
        # Commitments to the action as a whole (no activity) and the action-level cost.
        row.money += money_of(action.pk, None, action.cost_usd)
        action_rows[action.pk] = row
    for activity in activities:
        action_row = action_rows[activity.action_id]
        activity.action = action_row.action  # read above, with its axis: an activity's code reads both
        p_start, p_end = planned_dates(activity, action_row.action, start)
        money = money_of(activity.action_id, activity.pk, activity.cost_usd)
        action_row.activities.append(
            ActivityRow(
                activity=activity,
                planned_start=p_start,
                planned_end=p_end,
                delayed=is_delayed(activity, p_start, p_end, today),
                money=money,
                implementers=by_activity_parties.get((activity.pk, PartyRole.IMPLEMENTER), [])
                or action_row.implementers,
                funding_sources=by_activity_parties.get((activity.pk, PartyRole.FUNDING_SOURCE), [])
                or action_row.funding_sources,
            )
        )
        action_row.money += money
    baseline = _baseline_details(plan)
    result = []
    for axis in axes:
        axis_row = AxisRow(axis=axis, baseline_detail=baseline.get(axis.number, Decimal(0)))
        for action in actions:
            if action.axis_id == axis.pk:
                axis_row.actions.append(action_rows[action.pk])
                axis_row.money += action_rows[action.pk].money
        result.append(axis_row)
    return result


def _baseline_details(plan: Plan) -> dict[int, Decimal]:
    totals = {}
    for axis in plan.baseline.get("axes", []):
        total = 0
        for action in axis["actions"]:
            total += (action["cost"] or {}).get("usd", 0)
            total += sum((a["cost"] or {}).get("usd", 0) for a in action["activities"])
        totals[axis["number"]] = Decimal(total)
    return totals


def funders(actor: Actor, plan: Plan) -> list[dict]:
    """Every organisation that committed money, with its totals: two aggregate queries."""
    access.require(actor, "plan.view")
    rows = (
        access.scoped(actor, Commitment)
        .filter(action__axis__plan=plan)
        .values("funder_id", "funder__name", "funder__acronym", "funder__uuid")
        .annotate(committed=Sum("amount_usd"), n=Count("pk"))
        .order_by("-committed")
    )
    moved: dict = {}
    for r in (
        access.scoped(actor, FundingTransaction)
        .filter(commitment__action__axis__plan=plan)
        .values("commitment__funder_id", "kind")
        .annotate(total=Sum("amount_usd"))
    ):
        moved[(r["commitment__funder_id"], r["kind"])] = r["total"]
    return [
        {
            **r,
            "label": organisation_label(r["funder__name"], r["funder__acronym"]),
            "disbursed": moved.get((r["funder_id"], TransactionKind.DISBURSEMENT), Decimal(0)),
            "spent": moved.get((r["funder_id"], TransactionKind.EXPENDITURE), Decimal(0)),
        }
        for r in rows
    ]


def commitments(
    actor: Actor, plan: Plan, *, funder: Organisation | None = None, action: Action | None = None
):
    qs = (
        access.scoped(actor, Commitment)
        .filter(action__axis__plan=plan)
        .select_related("funder", "action__axis", "activity__action__axis", "exchange_rate")
        .annotate(
            n_transactions=Count("transactions"),
        )
    )
    if funder is not None:
        qs = qs.filter(funder=funder)
    if action is not None:
        qs = qs.filter(action=action)
    return qs.order_by("-date", "-pk")


def commitment_totals(commitment: Commitment) -> dict:
    totals = {
        r["kind"]: r["total"]
        for r in commitment.transactions.values("kind").annotate(total=Sum("amount_usd"))
    }
    return {
        "disbursed": totals.get(TransactionKind.DISBURSEMENT, Decimal(0)),
        "spent": totals.get(TransactionKind.EXPENDITURE, Decimal(0)),
    }


def responsibilities(actor: Actor, plan: Plan, organisation: Organisation) -> QuerySet[Activity]:
    """The activities an organisation implements (named on the activity, or on its action)."""
    return (
        access.scoped(actor, Activity)
        .filter(action__axis__plan=plan)
        .filter(implementer_activity_filter(organisation.pk))
        .select_related("action__axis")
        .distinct()
        .order_by("action__axis__number", "action__number", "position")
    )


def progress_reports(actor: Actor, activity: Activity) -> QuerySet[ProgressReport]:
    return (
        access.scoped(actor, ProgressReport)
        .filter(activity=activity)
        .select_related("author", "organisation")
        .order_by("-date", "-pk")
    )


def revisions(actor: Actor, plan: Plan) -> QuerySet[PlanRevision]:
    return access.scoped(actor, PlanRevision).filter(plan=plan).select_related("actor", "organisation")


def indicators(actor: Actor, plan: Plan) -> QuerySet[Indicator]:
    return (
        access.scoped(actor, Indicator)
        .filter(plan=plan)
        .select_related("action__axis")
        .prefetch_related(
            Prefetch("activities", queryset=Activity.objects.only("pk", "position", "action_id"))
        )
        .order_by("position")
    )


def indicator_values(
    actor: Actor,
    *,
    period: Period,
    area: Place | None = None,
    by: tuple[str, ...] = (),
    codes: tuple[str, ...] | None = None,
) -> list[IndicatorCell]:
    """The plan's indicators for a period and an area (None: the province), broken down by territory, sex and
    age band as asked (`by`; ValidationError on another name). One aggregate query per computed indicator
    (grouped in the database), two for the hand-entered ones, one each for the indicators and their targets:
    the number of queries does not grow with territories, sexes or age bands. An indicator that cannot be
    broken down as asked gives its total, its `not_broken_down` naming what it could not split. `codes`
    narrows to some indicators (the indicator page)."""
    access.require(actor, "plan.view")
    plan = current_plan(actor)
    if plan is None:
        return []
    rows = access.scoped(actor, Indicator).filter(plan=plan).order_by("position")
    if codes is not None:
        rows = rows.filter(code__in=codes)
    rows = list(rows)
    targets = access.scoped(actor, IndicatorTarget).filter(indicator__in=rows)
    return cells(rows, targets, period=period, area=area, by=by)


def indicator_values_by_period(
    actor: Actor,
    *,
    periods: list[Period],
    area: Place | None = None,
    by: tuple[str, ...] = (),
    codes: tuple[str, ...] | None = None,
) -> dict[Period, list[IndicatorCell]]:
    """`indicator_values` for several periods (the quarters of a grid, a trend): an indicator whose counts are
    kept on write (kinga.core.tallies) takes one query for all the periods, the others one per period."""
    access.require(actor, "plan.view")
    plan = current_plan(actor)
    if plan is None or not periods:
        return {p: [] for p in periods}
    rows = access.scoped(actor, Indicator).filter(plan=plan).order_by("position")
    if codes is not None:
        rows = rows.filter(code__in=codes)
    rows = list(rows)
    targets = list(access.scoped(actor, IndicatorTarget).filter(indicator__in=rows))
    return cells_by_period(rows, targets, periods=periods, area=area, by=by)


def other_indicator_values(actor: Actor, *, period: Period, area: Place | None = None) -> list[OtherValue]:
    """The computed figures the province follows that no plan row names (counts only, one query each)."""
    access.require(actor, "plan.view")
    return other_values(period=period, area=area)


@dataclass
class IndicatorDetail:
    """One indicator for a period and an area: its total, its trend over the periods before, and its breakdowns
    (None where the indicator is not broken down that way)."""

    total: IndicatorCell | None
    trend: list[tuple[Period, Decimal | None]]
    by_territory: list[IndicatorCell] | None
    by_sex: list[IndicatorCell] | None
    by_age_band: list[IndicatorCell] | None


def indicator_detail(
    actor: Actor, indicator: Indicator, *, period: Period, area: Place | None = None, trend: int = 8
) -> IndicatorDetail:
    """In a fixed number of queries: one per period of the trend and one per breakdown (two each for an indicator
    entered by hand)."""
    access.require(actor, "plan.view")
    targets = list(access.scoped(actor, IndicatorTarget).filter(indicator=indicator))

    def of(p: Period, by: tuple[str, ...] = ()) -> list[IndicatorCell]:
        return cells([indicator], targets, period=p, area=area, by=by)

    total = of(period)
    if period.kind == periods.PLAN:
        trend_periods = periods.series(periods.year(clock.today().year), trend)
    else:
        trend_periods = periods.series(period, trend)
    points = []
    by_period = cells_by_period([indicator], targets, periods=list(trend_periods), area=area)
    for p in trend_periods:
        values = [c.value for c in by_period[p] if not c.breakdown]
        points.append((p, values[0] if values else None))

    def split(name: str) -> list[IndicatorCell] | None:
        return of(period, (name,)) if name in breakdowns_of(indicator) else None

    return IndicatorDetail(
        total=total[0] if total else None,
        trend=points,
        by_territory=split("territory"),
        by_sex=split("sex"),
        by_age_band=split("age_band"),
    )


@dataclass
class TargetRow:
    target: IndicatorTarget
    actual: Actual
    percent: int | None
    due: bool  # the date has passed: the actual is final for this target, not "so far"


def period_targets(
    actor: Actor, indicator: Indicator, *, today: datetime.date | None = None
) -> list[TargetRow]:
    """The indicator's targets by date, each next to what was reached from the start of the plan to its date
    (to today for a target not yet due)."""
    today = today or clock.today()
    start = plan_start_date()
    rows = []
    for target in access.scoped(actor, IndicatorTarget).filter(indicator=indicator).order_by("period_end"):
        end = min(target.period_end, today)
        actual = actuals([indicator], start=start, end=end)[indicator.pk] if end > start else Actual(NO_VALUE)
        percent = None
        if actual.value is not None and target.value:
            percent = int(min(actual.value / target.value * 100, Decimal(999)))
        rows.append(TargetRow(target, actual, percent, target.period_end <= today))
    return rows


def targets_by_indicator(actor: Actor, plan: Plan) -> dict[int, list[IndicatorTarget]]:
    """Every indicator's targets by date, oldest first, in one query (a dashboard of every indicator)."""
    result: dict[int, list[IndicatorTarget]] = {}
    for target in (
        access.scoped(actor, IndicatorTarget)
        .filter(indicator__plan=plan)
        .order_by("indicator_id", "period_end")
    ):
        result.setdefault(target.indicator_id, []).append(target)
    return result


def plan_end_date() -> datetime.date:
    """The end of the plan: 36 months from its start (the targets of the document are end-of-plan targets)."""
    return add_months(plan_start_date(), 36) - datetime.timedelta(days=1)


def implementers(actor: Actor, action: Action) -> list[Party]:
    return list(
        access.scoped(actor, Party)
        .filter(action=action, role=PartyRole.IMPLEMENTER)
        .select_related("organisation")
        .order_by("position", "pk")
    )


def baseline_comparison(actor: Actor, plan: Plan) -> list[dict]:
    """Every difference between the 2017 baseline (the loaded file) and the current plan."""
    access.require(actor, "plan.view")
    fields = ("title", "cost_usd", "duration_months", "targets_text")
    rows = []
    actions = access.scoped(actor, Action).filter(axis__plan=plan).select_related("axis")
    activities = access.scoped(actor, Activity).filter(action__axis__plan=plan).select_related("action__axis")
    parties: dict = {}
    for p in (
        access.scoped(actor, Party)
        .filter(role=PartyRole.IMPLEMENTER, axis__isnull=True)
        .select_related("organisation")
    ):
        parties.setdefault(
            ("action", p.action_id) if p.action_id else ("activity", p.activity_id), []
        ).append(p.as_written)
    for kind, objects in (("action", actions), ("activity", activities)):
        for obj in objects:
            label = f"{obj.code} {obj.title}"
            if obj.baseline is None:
                rows.append(
                    {"kind": kind, "obj": obj, "label": label, "field": "", "baseline": None, "current": None}
                )
                continue
            for name in fields:
                old, new = obj.baseline.get(name), getattr(obj, name)
                if name == "cost_usd":
                    new = None if new is None else int(new)
                if old != new and not (old in (None, "") and new in (None, "")):
                    rows.append(
                        {
                            "kind": kind,
                            "obj": obj,
                            "label": label,
                            "field": name,
                            "baseline": old,
                            "current": new,
                        }
                    )
            current_parties = parties.get((kind, obj.pk), [])
            if obj.baseline.get("implementers", []) != current_parties:
                rows.append(
                    {
                        "kind": kind,
                        "obj": obj,
                        "label": label,
                        "field": "implementers",
                        "baseline": ", ".join(obj.baseline.get("implementers", [])),
                        "current": ", ".join(current_parties),
                    }
                )
    return rows


def dhis2_settings(actor: Actor, plan: Plan) -> Dhis2Settings | None:
    return access.scoped(actor, Dhis2Settings).filter(plan=plan).first()


def dhis2_places(actor: Actor) -> QuerySet[Place]:
    """The places DHIS2 can receive values for: the province of the plan and its territories."""
    return (
        access.scoped(actor, Place)
        .filter(
            level__in=[PlaceLevel.PROVINCE, PlaceLevel.TERRITORY],
            pcode__startswith=settings.KINGA_PROVINCE_PCODE,
        )
        .order_by("level", "name")
    )


def dhis2_mapping(actor: Actor, plan: Plan) -> dict:
    """What the DHIS2 page shows: the settings, every indicator with its data element (or none), the org units,
    the category option combinations and the last sendings."""
    elements = {
        e.indicator_id: e for e in access.scoped(actor, Dhis2DataElement).filter(indicator__plan=plan)
    }
    indicators = list(access.scoped(actor, Indicator).filter(plan=plan).order_by("position"))
    return {
        "dhis2_settings": dhis2_settings(actor, plan),
        "indicator_rows": [(indicator, elements.get(indicator.pk)) for indicator in indicators],
        "mapped_count": len(elements),
        "org_units": list(
            access.scoped(actor, Dhis2OrgUnit).select_related("place").order_by("place__level", "place__name")
        ),
        "combos": list(access.scoped(actor, Dhis2CategoryOptionCombo)),
        "pushes": list(access.scoped(actor, Dhis2Push).filter(plan=plan).select_related("pushed_by")[:20]),
    }


def dhis2_element_labels(actor: Actor, plan: Plan) -> dict[str, str]:
    """Data element identifier → the French label of the indicator it receives."""
    return dict(
        access.scoped(actor, Dhis2DataElement)
        .filter(indicator__plan=plan)
        .values_list("uid", "indicator__label_fr")
    )


@dataclass
class LevelRow:
    """One of the plan's three levels of action (prevention, care, retention) with the actions tagged with it."""

    tag: Tag
    actions: list[ActionRow] = field(default_factory=list)
    money: Money = field(default_factory=Money)
    cells: list[IndicatorCell] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)

    @property
    def percent_done(self) -> int:
        rows = [
            r for a in self.actions for r in a.activities if r.activity.status != ActivityStatus.CANCELLED
        ]
        return round(sum(r.activity.percent_done for r in rows) / len(rows)) if rows else 0

    @property
    def delayed_count(self) -> int:
        return sum(a.delayed_count for a in self.actions)


def levels_of_action(actor: Actor, plan: Plan, *, period: Period) -> tuple[list[LevelRow], list[ActionRow]]:
    """Budget, progress and indicators rolled up by level of action (the tags the plan file gives each action, from
    the strategy of the document). An action tagged with two levels counts in both; the second list holds the
    actions with no level. A fixed number of queries: the plan tree's, the tags', the indicators'."""
    tree = plan_tree(actor, plan)
    levels = list(access.scoped(actor, Tag).filter(kind=TagKind.LEVEL).order_by("pk"))
    rows = {tag.pk: LevelRow(tag=tag) for tag in levels}
    untagged = []
    action_rows = {a.action.pk: a for axis in tree for a in axis.actions}
    for row in action_rows.values():
        tags = [t.pk for t in row.action.tags.all() if t.pk in rows]
        if not tags:
            untagged.append(row)
        for pk in tags:
            rows[pk].actions.append(row)
            rows[pk].money += row.money
    totals = {c.indicator.pk: c for c in indicator_values(actor, period=period) if not c.breakdown}
    for indicator in access.scoped(actor, Indicator).filter(plan=plan).order_by("position"):
        for pk in [t.pk for t in action_rows[indicator.action_id].action.tags.all() if t.pk in rows]:
            rows[pk].indicators.append(indicator)
            if indicator.pk in totals:
                rows[pk].cells.append(totals[indicator.pk])
    return list(rows.values()), untagged
