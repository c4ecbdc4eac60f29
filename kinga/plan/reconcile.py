"""Reconciliation of the budget: per axis, the synthesis amount as the document states it against the sum of
the detailed lines, and every ambiguous amount with its reading.

Shape (integers, USD; difference = detail − synthesis):
{"axes": [{"number", "title", "synthesis_usd", "detail_usd", "difference_usd",
           "ambiguous": [{"where", "as_written", "reading_usd"}]}],
 "synthesis_total_usd", "detail_total_usd", "difference_total_usd"}
"""

from __future__ import annotations

from decimal import Decimal

from kinga.plan.models import Action, Activity, Axis, Plan


def _int(value) -> int:
    return int(Decimal(value or 0).to_integral_value())


def reconcile_baseline(plan: Plan) -> dict:
    """From the loaded file (the 2017 baseline), whatever users revised since."""
    spec = plan.baseline
    synthesis = {line["axis"]: line for line in spec["synthesis"]["lines"]}
    axes = []
    for axis in spec["axes"]:
        detail = 0
        ambiguous = []
        for action in axis["actions"]:
            where_action = f"axe {axis['number']}, action {action['number_label']}"
            if action["cost"]:
                detail += action["cost"]["usd"]
                if action["cost"]["ambiguous"]:
                    ambiguous.append(_ambiguous(where_action, action["cost"]))
            for activity in action["activities"]:
                if activity["cost"]:
                    detail += activity["cost"]["usd"]
                    if activity["cost"]["ambiguous"]:
                        where = f"{where_action}, activité {activity['position']}"
                        ambiguous.append(_ambiguous(where, activity["cost"]))
        stated = synthesis[axis["number"]]["cost"]["usd"]
        axes.append(_axis_entry(axis["number"], axis["title"], stated, detail, ambiguous))
    return _totals(axes)


def _ambiguous(where: str, cost: dict) -> dict:
    return {"where": where, "as_written": cost["as_written"], "reading_usd": _int(cost["usd"])}


def _axis_entry(number: int, title: str, synthesis: int, detail: int, ambiguous: list[dict]) -> dict:
    return {
        "number": number,
        "title": title,
        "synthesis_usd": _int(synthesis),
        "detail_usd": _int(detail),
        "difference_usd": _int(detail) - _int(synthesis),
        "ambiguous": ambiguous,
    }


def _totals(axes: list[dict]) -> dict:
    synthesis_total = sum(a["synthesis_usd"] for a in axes)
    detail_total = sum(a["detail_usd"] for a in axes)
    return {
        "axes": axes,
        "synthesis_total_usd": synthesis_total,
        "detail_total_usd": detail_total,
        "difference_total_usd": detail_total - synthesis_total,
    }


def reconcile_current(plan: Plan) -> dict:
    """The current (revised) plan against the document's synthesis: three queries whatever the plan's size."""
    axes = list(Axis.objects.filter(plan=plan).order_by("number"))
    actions = list(
        Action.objects.filter(axis__plan=plan)
        .only("axis_id", "number_label", "cost_usd", "cost_as_written", "cost_ambiguous")
        .order_by("number")
    )
    activities = list(
        Activity.objects.filter(action__axis__plan=plan)
        .only("action_id", "position", "cost_usd", "cost_as_written", "cost_ambiguous")
        .order_by("position")
    )
    by_action: dict[int, list[Activity]] = {}
    for activity in activities:
        by_action.setdefault(activity.action_id, []).append(activity)
    result = []
    for axis in axes:
        detail = 0
        ambiguous = []
        for action in (a for a in actions if a.axis_id == axis.pk):
            where_action = f"axe {axis.number}, action {action.number_label}"
            if action.cost_usd is not None:
                detail += action.cost_usd
                if action.cost_ambiguous:
                    ambiguous.append(_ambiguous_obj(where_action, action))
            for activity in by_action.get(action.pk, []):
                if activity.cost_usd is not None:
                    detail += activity.cost_usd
                    if activity.cost_ambiguous:
                        ambiguous.append(
                            _ambiguous_obj(f"{where_action}, activité {activity.position}", activity)
                        )
        result.append(_axis_entry(axis.number, axis.title, axis.synthesis_usd, detail, ambiguous))
    return _totals(result)


def _ambiguous_obj(where: str, obj) -> dict:
    return {"where": where, "as_written": obj.cost_as_written, "reading_usd": _int(obj.cost_usd)}


def reconcile(plan: Plan, *, current: bool = False) -> dict:
    return reconcile_current(plan) if current else reconcile_baseline(plan)
