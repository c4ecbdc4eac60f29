"""Writes of the plan: revisions (money in money.py, progress and hand-entered values in
progress.py). Atomic, audited, checked.

- Coordinators (plan.edit) revise the plan; every change is a PlanRevision with who, when and why.
- Organisation managers record progress for the activities their organisation implements, and the
  commitments, disbursements and expenditures of their own organisation; system-wide roles for everyone.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from kinga.core import access, audit
from kinga.core.access import Actor
from kinga.core.models import Organisation
from kinga.plan.models import (
    Action,
    Activity,
    Indicator,
    IndicatorTarget,
    Party,
    PartyRole,
    PlanRevision,
    RevisionKind,
    ValueType,
)
from kinga.plan.selectors import plan_start_date

# ---------------------------------------------------------------------------------------------- revisions

ACTIVITY_FIELDS = {
    "title",
    "objectives",
    "expected_results",
    "targets_text",
    "period_as_written",
    "duration_months",
    "cost_usd",
    "planned_start",
    "planned_end",
}
ACTION_FIELDS = {"title", "objectives", "expected_results", "targets_text", "duration_months", "cost_usd"}


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the plan changes.")]})
    return reason


def _revision(*, actor: Actor, plan, kind: str, reason: str, obj, label: str, changes: dict) -> PlanRevision:
    return PlanRevision.objects.create(
        plan=plan,
        actor=actor.user,
        organisation=actor.organisation,
        kind=kind,
        reason=reason,
        target_type=obj._meta.model_name,
        target_uuid=obj.uuid,
        target_label=label[:300],
        changes=changes,
    )


def parse_money(value, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: [_("Enter an amount in USD.")]}) from None
    if amount < 0:
        raise ValidationError({field: [_("An amount cannot be negative.")]})
    return amount


def _clean_cells(obj, changes: dict, allowed: set[str]) -> dict:
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({field: [_("This field cannot be changed.")] for field in unknown})
    clean = dict(changes)
    if "title" in clean:
        clean["title"] = (clean["title"] or "").strip()
        if not clean["title"]:
            raise ValidationError({"title": [_("The title is required.")]})
    for key in ("objectives", "expected_results"):
        if key in clean:
            value = clean[key]
            if isinstance(value, str):
                value = [line.strip() for line in value.splitlines() if line.strip()]
            clean[key] = list(value or [])
    if "cost_usd" in clean:
        clean["cost_usd"] = parse_money(clean["cost_usd"], "cost_usd")
    if "duration_months" in clean and clean["duration_months"] not in (None, ""):
        months = int(clean["duration_months"])
        if not 1 <= months <= 120:
            raise ValidationError({"duration_months": [_("A duration is between 1 and 120 months.")]})
        clean["duration_months"] = months
    start = clean.get("planned_start", getattr(obj, "planned_start", None))
    end = clean.get("planned_end", getattr(obj, "planned_end", None))
    if start and end and end < start:
        raise ValidationError({"planned_end": [_("The planned end cannot be before the planned start.")]})
    return clean


def _apply(obj, clean: dict) -> dict:
    changes = {}
    for field, value in clean.items():
        old = getattr(obj, field)
        if old != value:
            changes[field] = [audit.jsonable(old), audit.jsonable(value)]
            setattr(obj, field, value)
    if "cost_usd" in changes:
        # A cost users enter is regular: the document's spelling and its ambiguity flag stay in the baseline.
        obj.cost_as_written = "" if obj.cost_usd is None else f"{obj.cost_usd:,.0f} USD".replace(",", " ")
        obj.cost_ambiguous = False
    return changes


def _check_double_cost(activity_or_action) -> None:
    if isinstance(activity_or_action, Activity):
        if activity_or_action.cost_usd is not None and activity_or_action.action.cost_usd is not None:
            raise ValidationError(
                {"cost_usd": [_("The action has one cost for all its activities: change the action's cost.")]}
            )
    elif (
        activity_or_action.cost_usd is not None
        and activity_or_action.activities.filter(cost_usd__isnull=False).exists()
    ):
        raise ValidationError(
            {"cost_usd": [_("The activities of this action have their own costs: change theirs.")]}
        )


@transaction.atomic
def revise_activity(*, actor: Actor, activity: Activity, reason: str, **changes) -> Activity:
    access.require(actor, "plan.edit")
    reason = _require_reason(reason)
    clean = _clean_cells(activity, changes, ACTIVITY_FIELDS)
    before = audit.snapshot(activity)
    diff = _apply(activity, clean)
    if not diff:
        return activity
    _check_double_cost(activity)
    activity.save()
    _revision(
        actor=actor,
        plan=activity.action.axis.plan,
        kind=RevisionKind.UPDATE,
        reason=reason,
        obj=activity,
        label=f"{activity.code} {activity.title}",
        changes=diff,
    )
    audit.record_update(actor=actor, obj=activity, before=before, note=reason)
    return activity


@transaction.atomic
def revise_action(*, actor: Actor, action: Action, reason: str, **changes) -> Action:
    access.require(actor, "plan.edit")
    reason = _require_reason(reason)
    clean = _clean_cells(action, changes, ACTION_FIELDS)
    before = audit.snapshot(action)
    diff = _apply(action, clean)
    if not diff:
        return action
    _check_double_cost(action)
    action.save()
    _revision(
        actor=actor,
        plan=action.axis.plan,
        kind=RevisionKind.UPDATE,
        reason=reason,
        obj=action,
        label=f"{action.code} {action.title}",
        changes=diff,
    )
    audit.record_update(actor=actor, obj=action, before=before, note=reason)
    return action


@transaction.atomic
def add_activity(
    *,
    actor: Actor,
    action: Action,
    reason: str,
    title: str,
    cost_usd=None,
    duration_months: int | None = None,
    targets_text: str = "",
    objectives=None,
    expected_results=None,
    planned_start: datetime.date | None = None,
    planned_end: datetime.date | None = None,
) -> Activity:
    access.require(actor, "plan.edit")
    reason = _require_reason(reason)
    activity = Activity(action=action)
    clean = _clean_cells(
        activity,
        {
            "title": title,
            "cost_usd": cost_usd,
            "duration_months": duration_months,
            "targets_text": targets_text or "",
            "objectives": objectives or [],
            "expected_results": expected_results or [],
            "planned_start": planned_start,
            "planned_end": planned_end,
        },
        ACTIVITY_FIELDS,
    )
    _apply(activity, clean)
    _check_double_cost(activity)
    activity.position = (action.activities.aggregate(m=Max("position"))["m"] or 0) + 1
    activity.baseline = None  # not in the 2017 document
    activity.save()
    _revision(
        actor=actor,
        plan=action.axis.plan,
        kind=RevisionKind.CREATE,
        reason=reason,
        obj=activity,
        label=f"{activity.code} {activity.title}",
        changes={k: [None, audit.jsonable(v)] for k, v in clean.items() if v not in (None, "", [])},
    )
    audit.record_create(actor=actor, obj=activity, note=reason)
    return activity


@transaction.atomic
def set_implementers(
    *,
    actor: Actor,
    reason: str,
    organisations: list[Organisation],
    categories: list[str] | None = None,
    activity: Activity | None = None,
    action: Action | None = None,
) -> Activity | Action:
    """Replace the implementers of an activity (or of an action, when the document gives them per action);
    returns that activity or action."""
    access.require(actor, "plan.edit")
    reason = _require_reason(reason)
    if (activity is None) == (action is None):
        raise ValidationError({"activity": [_("Choose an activity or an action.")]})
    holder = {"activity": activity} if activity is not None else {"action": action}
    obj = activity or action
    plan = (activity.action if activity else action).axis.plan
    categories = [c.strip() for c in categories or [] if c.strip()]
    known = set(plan.baseline.get("categories", []))
    unknown = [c for c in categories if c not in known]
    if unknown:
        raise ValidationError({"categories": [_("Unknown category: %(c)s.") % {"c": ", ".join(unknown)}]})
    current = list(Party.objects.filter(role=PartyRole.IMPLEMENTER, **holder).select_related("organisation"))
    old = [p.label for p in current]
    same = sorted((p.organisation_id or 0, p.category) for p in current) == sorted(
        [(o.pk, "") for o in organisations] + [(0, c) for c in categories]
    )
    if same:
        # A form saved unchanged (it cannot say an order) keeps the document's order and is no revision.
        return obj
    Party.objects.filter(role=PartyRole.IMPLEMENTER, **holder).delete()
    parties = [
        Party(
            role=PartyRole.IMPLEMENTER, organisation=o, as_written=o.acronym or o.name, position=i, **holder
        )
        for i, o in enumerate(organisations)
    ]
    parties += [
        Party(role=PartyRole.IMPLEMENTER, category=c, as_written=c, position=len(parties) + i, **holder)
        for i, c in enumerate(categories)
    ]
    Party.objects.bulk_create(parties)
    new = [p.label for p in parties]
    if old != new:
        _revision(
            actor=actor,
            plan=plan,
            kind=RevisionKind.UPDATE,
            reason=reason,
            obj=obj,
            label=f"{obj.code} {obj.title}",
            changes={"implementers": [old, new]},
        )
        audit.record(
            actor=actor, action="update", target=obj, changes={"implementers": [old, new]}, note=reason
        )
    return obj


@transaction.atomic
def revise_indicator_target(*, actor: Actor, indicator: Indicator, reason: str, target) -> Indicator:
    access.require(actor, "plan.edit")
    reason = _require_reason(reason)
    value = None
    if target not in (None, ""):
        try:
            value = Decimal(str(target))
        except InvalidOperation:
            raise ValidationError({"target": [_("Enter a number.")]}) from None
        check_indicator_value(indicator, value, "target")
    before = audit.snapshot(indicator, ["target"])
    if indicator.target == value:
        return indicator
    old = indicator.target
    indicator.target = value
    indicator.save(update_fields=["target"])
    _revision(
        actor=actor,
        plan=indicator.plan,
        kind=RevisionKind.UPDATE,
        reason=reason,
        obj=indicator,
        label=f"{indicator.code} {indicator.label_fr}",
        changes={"target": [audit.jsonable(old), audit.jsonable(value)]},
    )
    audit.record_update(actor=actor, obj=indicator, before=before, note=reason)
    return indicator


def check_indicator_value(indicator: Indicator, value: Decimal, field: str = "value") -> None:
    if indicator.value_type == ValueType.INTEGER and (value != value.to_integral_value() or value < 0):
        raise ValidationError({field: [_("Enter a whole number (0 or more).")]})
    if indicator.value_type == ValueType.PERCENT and not 0 <= value <= 100:
        raise ValidationError({field: [_("A percentage is between 0 and 100.")]})
    if indicator.value_type == ValueType.BOOLEAN and value not in (0, 1):
        raise ValidationError({field: [_("Enter 1 (yes) or 0 (no).")]})
    if indicator.value_type == ValueType.DECIMAL and value < 0:
        raise ValidationError({field: [_("The value cannot be negative.")]})


# What IndicatorTarget.value holds (18 digits, 4 of them decimals).
TARGET_LIMIT = Decimal(10) ** 14


def _clean_period_target(indicator: Indicator, period_end, value) -> tuple[datetime.date, Decimal]:
    errors: dict[str, list[str]] = {}
    if not isinstance(period_end, datetime.date):
        errors["period_end"] = [_("Give the date the target is due by.")]
    elif period_end <= plan_start_date():
        errors["period_end"] = [
            _("A target is due after the start of the plan (%(d)s).") % {"d": f"{plan_start_date():%d/%m/%Y}"}
        ]
    try:
        number = Decimal(str(value).replace(",", ".").strip()) if value not in (None, "") else None
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite():
        errors["value"] = [_("Enter a number.")]
    elif abs(number) >= TARGET_LIMIT:
        errors["value"] = [_("This number is too large.")]
    if errors:
        raise ValidationError(errors)
    check_indicator_value(indicator, number)
    return period_end, number


def _check_period_free(indicator: Indicator, period_end: datetime.date, exclude: int | None = None) -> None:
    taken = IndicatorTarget.objects.filter(indicator=indicator, period_end=period_end).exclude(pk=exclude)
    if taken.exists():
        raise ValidationError(
            {"period_end": [_("This indicator already has a target due on this date: change that one.")]}
        )


def _target_label(target: IndicatorTarget) -> str:
    return f"{target.indicator.code} {target.indicator.label_fr} ({target.period_end:%d/%m/%Y})"


@transaction.atomic
def add_period_target(
    *, actor: Actor, indicator: Indicator, reason: str, period_end: datetime.date, value
) -> IndicatorTarget:
    """A target due by a date: what the indicator should reach, counted from the start of the plan."""
    access.require(actor, "plan.edit")
    reason = _require_reason(reason)
    period_end, number = _clean_period_target(indicator, period_end, value)
    _check_period_free(indicator, period_end)
    try:
        with transaction.atomic():
            target = IndicatorTarget.objects.create(indicator=indicator, period_end=period_end, value=number)
    except IntegrityError:
        # Another coordinator took the date between the check and the insert.
        raise ValidationError(
            {"period_end": [_("This indicator already has a target due on this date: change that one.")]}
        ) from None
    _revision(
        actor=actor,
        plan=indicator.plan,
        kind=RevisionKind.CREATE,
        reason=reason,
        obj=target,
        label=_target_label(target),
        changes={"period_end": [None, audit.jsonable(period_end)], "value": [None, audit.jsonable(number)]},
    )
    audit.record_create(actor=actor, obj=target, note=reason)
    return target


@transaction.atomic
def revise_period_target(
    *, actor: Actor, target: IndicatorTarget, reason: str, period_end: datetime.date, value
) -> IndicatorTarget:
    access.require(actor, "plan.edit")
    reason = _require_reason(reason)
    period_end, number = _clean_period_target(target.indicator, period_end, value)
    _check_period_free(target.indicator, period_end, exclude=target.pk)
    before = audit.snapshot(target, ["period_end", "value"])
    diff = _apply(target, {"period_end": period_end, "value": number})
    if not diff:
        return target
    target.save(update_fields=["period_end", "value"])
    _revision(
        actor=actor,
        plan=target.indicator.plan,
        kind=RevisionKind.UPDATE,
        reason=reason,
        obj=target,
        label=_target_label(target),
        changes=diff,
    )
    audit.record_update(actor=actor, obj=target, before=before, note=reason)
    return target


@transaction.atomic
def remove_period_target(*, actor: Actor, target: IndicatorTarget, reason: str) -> Indicator:
    """Removes a dated target (as a revision with its reason); returns the indicator it belonged to."""
    access.require(actor, "plan.edit")
    reason = _require_reason(reason)
    # RevisionKind has no "removal" (a new choice would need a migration): a change to nothing says it.
    _revision(
        actor=actor,
        plan=target.indicator.plan,
        kind=RevisionKind.UPDATE,
        reason=reason,
        obj=target,
        label=_target_label(target),
        changes={
            "period_end": [audit.jsonable(target.period_end), None],
            "value": [audit.jsonable(target.value), None],
        },
    )
    audit.record_delete(actor=actor, obj=target, note=reason)
    target.delete()
    return target.indicator
