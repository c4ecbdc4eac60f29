"""Writes of the plan's logical framework: revisions of activities and actions and their implementers (targets in
targets.py, money in money.py, progress and hand-entered values in progress.py). Atomic, audited, checked.

- Coordinators (plan.edit) revise the plan; every change is a PlanRevision with who, when and why.
- Organisation managers record progress for the activities their organisation implements, and the
  commitments, disbursements and expenditures of their own organisation; system-wide roles for everyone.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from kinga.core import access, audit
from kinga.core.access import Actor
from kinga.core.models import Organisation
from kinga.plan.models import (
    Action,
    Activity,
    Party,
    PartyRole,
    PlanRevision,
    RevisionKind,
)

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


def require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the plan changes.")]})
    return reason


def record_revision(
    *, actor: Actor, plan, kind: str, reason: str, obj, label: str, changes: dict
) -> PlanRevision:
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


def apply_changes(obj, clean: dict) -> dict:
    """Set the changed fields on obj; their [old, new] pairs, JSON-ready, for the revision and the audit trail."""
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
    reason = require_reason(reason)
    clean = _clean_cells(activity, changes, ACTIVITY_FIELDS)
    before = audit.snapshot(activity)
    diff = apply_changes(activity, clean)
    if not diff:
        return activity
    _check_double_cost(activity)
    activity.save()
    record_revision(
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
    reason = require_reason(reason)
    clean = _clean_cells(action, changes, ACTION_FIELDS)
    before = audit.snapshot(action)
    diff = apply_changes(action, clean)
    if not diff:
        return action
    _check_double_cost(action)
    action.save()
    record_revision(
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
    reason = require_reason(reason)
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
    apply_changes(activity, clean)
    _check_double_cost(activity)
    activity.position = (action.activities.aggregate(m=Max("position"))["m"] or 0) + 1
    activity.baseline = None  # not in the 2017 document
    activity.save()
    record_revision(
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
    reason = require_reason(reason)
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
        record_revision(
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
