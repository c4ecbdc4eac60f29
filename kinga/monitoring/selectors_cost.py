"""Cost per result: the money spent on the plan next to what it produced, per axis, action, activity and funder.

Spending is the plan's expenditures (FundingTransaction, kind expenditure, in USD) dated in the period. Results
are read from the records attributed to a plan activity and/or a funder's commitment (kinga.plan.attribution):

- children withdrawn (CASES_CHILDREN_WITHDRAWN: seen out of the mines at a follow-up visit in the period) and
  children retained 12 months after their exit (CASES_CHILDREN_RETAINED_12M), each counted under the activity and
  commitment of the case's referrals;
- households supported: households enrolled in a programme so attributed, their enrolment running during the
  period (a delivery belongs to its enrolment's programme, so it is attributed as the programme is);
- people trained: distinct people on the attendance lists of the trainings so attributed (a person at three
  trainings counts once), plus the head counts of trainings recorded without a list.

A record attributed to a commitment only counts under the commitment's activity (or its action when the
commitment funds the whole action). Spending is "attached to a result" when its commitment, or the activity it
funds (the action, for a commitment to the whole action), has at least one result in the period.

Aggregate queries only: one for the spending, then one per result and level (activity, action, axis, funder,
commitment, whole plan), each a COUNT(DISTINCT) grouped in the database: the query count is fixed, whatever the
number of records. Counts only: no figure names a person.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kinga.cases.models import FollowUp, RetentionCheck
from kinga.community.models import Training
from kinga.core import access
from kinga.core.access import Actor
from kinga.core.models import Organisation, Place, organisation_label
from kinga.core.periods import Period
from kinga.households.models import Enrolment
from kinga.plan import selectors as plan_selectors
from kinga.plan.models import Action, Activity, Axis, FundingTransaction, TransactionKind

PERMISSION = "plan.export"  # every role but community focal points, as for the plan's exports

RESULTS = {
    "withdrawn": gettext_lazy("children withdrawn"),
    "retained_12m": gettext_lazy("children retained at 12 months"),
    "households": gettext_lazy("households supported"),
    "trained": gettext_lazy("people trained"),
}
LEVELS = ("activity", "action", "axis", "funder", "commitment", "total")


@dataclass
class CostRow:
    level: str  # axis, action, activity, funder, total
    pk: int | None
    code: str
    label: str
    spent: Decimal = Decimal(0)
    attached: Decimal = Decimal(0)  # spent through commitments that produced at least one result
    results: dict[str, int] = field(default_factory=dict)

    @property
    def costs(self) -> dict[str, Decimal | None]:
        """USD per result (None when nothing was produced)."""
        return {
            key: (self.spent / n).quantize(Decimal("0.01")) if (n := self.results.get(key, 0)) else None
            for key in RESULTS
        }

    @property
    def cells(self) -> list[tuple[int, Decimal | None]]:
        """(result, cost per result) in the order of RESULTS, for the page."""
        costs = self.costs
        return [(self.results.get(key, 0), costs[key]) for key in RESULTS]

    @property
    def coverage(self) -> int | None:
        """The share (%) of the spending attached to at least one result; None when nothing was spent."""
        return int(self.attached * 100 / self.spent) if self.spent else None


@dataclass
class CostPerResult:
    period: Period
    area: Place | None
    rows: list[CostRow]  # axis, then its actions, each followed by its activities
    funders: list[CostRow]
    total: CostRow

    @property
    def sentences(self) -> list[str]:
        """The attribution said in words, one sentence for the plan and one per axis that spent money."""
        out = []
        for row in [self.total, *(r for r in self.rows if r.level == "axis")]:
            if row.coverage is None:
                continue
            if row.level == "total":
                text = _("%(percent)s %% of the plan's spending is attached to a result.")
            else:
                text = _("%(percent)s %% of the spending of axis %(axis)s is attached to a result.")
            out.append(text % {"percent": row.coverage, "axis": row.code})
        return out


def _keys(prefix: str) -> dict:
    """The attribution of a record reached through `prefix`, per level (activity first, else the commitment's)."""
    p = prefix
    return {
        "activity": Coalesce(F(f"{p}plan_activity_id"), F(f"{p}commitment__activity_id")),
        "action": Coalesce(F(f"{p}plan_activity__action_id"), F(f"{p}commitment__action_id")),
        "axis": Coalesce(F(f"{p}plan_activity__action__axis_id"), F(f"{p}commitment__action__axis_id")),
        "funder": F(f"{p}commitment__funder_id"),
        "commitment": F(f"{p}commitment_id"),
    }


def _result_querysets(period: Period, area: Place | None) -> dict[str, tuple[QuerySet, str, object]]:
    """For each result: (records in the period, path to the attribution fields, the distinct-count expression)."""
    prefix = area.path if area is not None else None

    def in_area(qs: QuerySet, path: str) -> QuerySet:
        return qs.filter(**{f"{path}__path__startswith": prefix}) if prefix else qs

    withdrawn = FollowUp.objects.filter(
        visit_date__gte=period.start, visit_date__lte=period.end, child_seen=True, found_working=False
    ).exclude(seen_at_site=True)
    retained = (
        RetentionCheck.objects.filter(months_after=12, done_on__gte=period.start, done_on__lte=period.end)
        .exclude(found_working=True)
        .exclude(seen_at_site=True)
    )
    households = Enrolment.objects.filter(enrolled_on__lte=period.end).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=period.start)
    )
    trainings = Training.objects.filter(start__gte=period.start, start__lte=period.end)
    without_list = Q(attendances__isnull=True)
    people = Count("attendances__participant", distinct=True) + Coalesce(
        Sum(F("trained_f") + F("trained_m"), filter=without_list), 0
    )
    return {
        "withdrawn": (
            in_area(withdrawn, "case__territory"),
            "case__referrals__",
            Count("case__child_id", distinct=True),
        ),
        "retained_12m": (
            in_area(retained, "case__territory"),
            "case__referrals__",
            Count("case__child_id", distinct=True),
        ),
        "households": (
            in_area(households, "household__territory"),
            "programme__",
            Count("household_id", distinct=True),
        ),
        "trained": (in_area(trainings, "territory"), "", people),
    }


def _results(period: Period, area: Place | None) -> dict[str, dict[str, dict]]:
    """results[level][result] = {key: count}; level "total" has the key None."""
    out: dict[str, dict[str, dict]] = {level: defaultdict(dict) for level in LEVELS}
    for name, (qs, prefix, count) in _result_querysets(period, area).items():
        keys = _keys(prefix)
        attributed = qs.filter(
            Q(**{f"{prefix}plan_activity__isnull": False}) | Q(**{f"{prefix}commitment__isnull": False})
        )
        for level, key in keys.items():
            rows = attributed.annotate(k=key).filter(k__isnull=False).values("k").annotate(n=count).order_by()
            out[level][name] = {row["k"]: row["n"] for row in rows}
        out["total"][name] = {None: attributed.aggregate(n=count)["n"] or 0}
    return out


def cost_per_result(actor: Actor, *, period: Period, area: Place | None = None) -> CostPerResult:
    """The cost per result of the current plan for the period (see the module's docstring)."""
    access.require(actor, PERMISSION)
    plan = plan_selectors.current_plan(actor)
    spending = list(
        access.scoped(actor, FundingTransaction)
        .filter(
            commitment__action__axis__plan=plan,
            kind=TransactionKind.EXPENDITURE,
            date__gte=period.start,
            date__lte=period.end,
        )
        .values(
            "commitment_id",
            "commitment__activity_id",
            "commitment__action_id",
            "commitment__action__axis_id",
            "commitment__funder_id",
            "commitment__funder__name",
            "commitment__funder__acronym",
        )
        .annotate(spent=Sum("amount_usd"))
        .order_by()
    )
    results = _results(period, area)

    def produced(level: str, key) -> bool:
        return any(results[level][name].get(key) for name in RESULTS)

    rows: dict[tuple[str, int | None], CostRow] = {}

    def row(level: str, pk: int | None, code: str = "", label: str = "") -> CostRow:
        if (level, pk) not in rows:
            rows[(level, pk)] = CostRow(level=level, pk=pk, code=code, label=label)
        return rows[(level, pk)]

    total = row("total", None, label=_("Whole plan"))
    for s in spending:
        activity, action = s["commitment__activity_id"], s["commitment__action_id"]
        attached = produced("commitment", s["commitment_id"]) or (
            produced("activity", activity) if activity else produced("action", action)
        )
        funder = row(
            "funder",
            s["commitment__funder_id"],
            label=organisation_label(s["commitment__funder__name"], s["commitment__funder__acronym"]),
        )
        targets = [total, funder, row("axis", s["commitment__action__axis_id"]), row("action", action)]
        if activity:
            targets.append(row("activity", activity))
        for target in targets:
            target.spent += s["spent"]
            if attached:
                target.attached += s["spent"]
    # Every activity, action, axis or funder that produced a result has a row, spending or not.
    for level in ("activity", "action", "axis", "funder"):
        for name in RESULTS:
            for key in results[level][name]:
                row(level, key)
    for (level, pk), target in rows.items():
        target.results = {name: results[level][name].get(pk, 0) for name in RESULTS}

    activities = Activity.objects.filter(pk__in=[pk for (lv, pk) in rows if lv == "activity"]).select_related(
        "action__axis"
    )
    for activity in activities:
        rows[("activity", activity.pk)].code, rows[("activity", activity.pk)].label = (
            activity.code,
            activity.title,
        )
        row("action", activity.action_id)
        row("axis", activity.action.axis_id)
    actions = {
        a.pk: a
        for a in Action.objects.filter(pk__in=[pk for (lv, pk) in rows if lv == "action"]).select_related(
            "axis"
        )
    }
    axes = {a.pk: a for a in Axis.objects.filter(pk__in=[pk for (lv, pk) in rows if lv == "axis"])}
    for pk, action in actions.items():
        rows[("action", pk)].code, rows[("action", pk)].label = action.code, action.title
    for pk, axis in axes.items():
        rows[("axis", pk)].code, rows[("axis", pk)].label = str(axis.number), axis.title
    missing = [pk for (lv, pk), r in rows.items() if lv == "funder" and not r.label]
    for org in Organisation.objects.filter(pk__in=missing):
        rows[("funder", org.pk)].label = org.label

    tree: list[CostRow] = []
    for axis in sorted(axes.values(), key=lambda a: a.number):
        tree.append(rows[("axis", axis.pk)])
        for action in sorted((a for a in actions.values() if a.axis_id == axis.pk), key=lambda a: a.number):
            tree.append(rows[("action", action.pk)])
            tree.extend(
                sorted(
                    (rows[("activity", a.pk)] for a in activities if a.action_id == action.pk),
                    key=lambda r: [int(x) for x in r.code.split(".")],
                )
            )
    funders = sorted(
        (r for (lv, _pk), r in rows.items() if lv == "funder"), key=lambda r: (-r.spent, r.label)
    )
    return CostPerResult(period=period, area=area, rows=tree, funders=funders, total=total)
