"""Assessment and care plan: the assessment of a registered child's vulnerability and resources, then the care
plan (direct support and referrals) submitted to and decided by a supervisor. The steps after it are in
workflow.py (follow-up, retention, relapse) and closure.py."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kinga.core import audit, clock
from kinga.core.access import Actor
from kinga.core.models import Organisation

from ..models import (
    DOMAINS,
    Assessment,
    CarePlanApproval,
    CarePlanItem,
    CarePlanItemStatus,
    Case,
    CaseStatus,
    ServiceType,
)
from .common import (
    active_scoring,
    check_date,
    current_rules,
    log_event,
    not_before,
    require_case_work,
    require_supervisor_of,
    transition,
)
from .workflow import (
    WORKING_STATUSES,
    refresh_next_due,
    schedule_follow_up,
)

# --- assessment ----------------------------------------------------------------------------------------


@transaction.atomic
def record_assessment(
    *,
    actor: Actor,
    case: Case,
    date: datetime.date,
    scores: dict[str, int],
    child_resources: str = "",
    family_resources: str = "",
    notes: str = "",
    today: datetime.date | None = None,
) -> Assessment:
    """Six domains rated 0–3; the total gives the risk level under the scoring version in force."""
    require_case_work(actor, case)
    today = today or clock.today()
    check_date("date", date, today=today)
    not_before("date", date, case.registration_date, _("The assessment is dated before the registration."))
    scoring = active_scoring()
    errors = {}
    values = {}
    for key, _label in DOMAINS:
        value = scores.get(key)
        if value is None or not isinstance(value, int) or not 0 <= value <= scoring.max_per_domain:
            errors[key] = [_("Rate from 0 to %(max)s.") % {"max": scoring.max_per_domain}]
        else:
            values[key] = value
    if errors:
        raise ValidationError(errors)
    allowed = [CaseStatus.REGISTERED, *WORKING_STATUSES, CaseStatus.READY_TO_CLOSE]
    previous = transition(
        case,
        to=CaseStatus.ASSESSED if case.status == CaseStatus.REGISTERED else case.status,
        allowed_from=allowed,
    )
    total = sum(values.values())
    assessment = Assessment.objects.create(
        case=case,
        date=date,
        scoring=scoring,
        total=total,
        risk=scoring.risk_for(total),
        child_resources=child_resources,
        family_resources=family_resources,
        notes=notes,
        assessed_by=actor.user,
        **values,
    )
    audit.record_create(actor=actor, obj=assessment)
    before = audit.snapshot(case)
    case.risk = assessment.risk
    case.assessed_on = date
    if previous == CaseStatus.REGISTERED:
        case.care_plan_due = date + datetime.timedelta(days=current_rules().care_plan_days)
    case.save(update_fields=["status", "risk", "assessed_on", "care_plan_due", "updated_at"])
    audit.record_update(actor=actor, obj=case, before=before)
    log_event(
        case,
        actor=actor,
        kind="assessment",
        date=date,
        params={"total": total, "risk": assessment.risk},
        from_status=previous,
        to_status=case.status,
    )
    refresh_next_due(case)
    return assessment


# --- care plan -------------------------------------------------------------------------------------------


@transaction.atomic
def add_plan_item(
    *,
    actor: Actor,
    case: Case,
    need: str,
    goal: str,
    planned_support: str,
    responsible_organisation: Organisation,
    due_date: datetime.date,
    service_type: str = "",
    today: datetime.date | None = None,
) -> CarePlanItem:
    require_case_work(actor, case)
    today = today or clock.today()
    if case.status not in [*WORKING_STATUSES]:
        raise ValidationError({"status": [_("Assess the child before planning the care.")]})
    errors = {}
    for name, value in (("need", need), ("goal", goal), ("planned_support", planned_support)):
        if not (value or "").strip():
            errors[name] = [_("This field is required.")]
    if service_type and service_type not in ServiceType.values:
        errors["service_type"] = [_("Unknown value.")]
    if due_date is None:
        errors["due_date"] = [_("This date is required.")]
    elif case.assessed_on and due_date < case.assessed_on:
        errors["due_date"] = [_("The due date is before the assessment.")]
    if errors:
        raise ValidationError(errors)
    item = CarePlanItem.objects.create(
        case=case,
        need=need.strip(),
        goal=goal.strip(),
        planned_support=planned_support.strip(),
        service_type=service_type,
        responsible_organisation=responsible_organisation,
        due_date=due_date,
        created_by=actor.user,
    )
    audit.record_create(actor=actor, obj=item)
    log_event(
        case,
        actor=actor,
        kind="plan_item",
        date=today,
        params={"org": str(responsible_organisation), "due": due_date.isoformat()},
    )
    return item


@transaction.atomic
def update_plan_item(
    *, actor: Actor, item: CarePlanItem, status: str, today: datetime.date | None = None
) -> CarePlanItem:
    require_case_work(actor, item.case)
    today = today or clock.today()
    if status not in CarePlanItemStatus.values:
        raise ValidationError({"status": [_("Unknown value.")]})
    before = audit.snapshot(item)
    item.status = status
    item.save(update_fields=["status"])
    audit.record_update(actor=actor, obj=item, before=before)
    log_event(
        item.case,
        actor=actor,
        kind="plan_item",
        date=today,
        params={"status": status},
    )
    return item


@transaction.atomic
def submit_care_plan(
    *, actor: Actor, case: Case, date: datetime.date, today: datetime.date | None = None
) -> Case:
    require_case_work(actor, case)
    today = today or clock.today()
    check_date("date", date, today=today)
    not_before("date", date, case.assessed_on, _("The care plan is dated before the assessment."))
    if not case.plan_items.exclude(status=CarePlanItemStatus.CANCELLED).exists():
        raise ValidationError({"plan_items": [_("Add at least one need with its planned support.")]})
    before = audit.snapshot(case)
    previous = transition(case, to=CaseStatus.CARE_PLAN, allowed_from=[CaseStatus.ASSESSED])
    case.save(update_fields=["status", "updated_at"])
    audit.record_update(actor=actor, obj=case, before=before)
    log_event(
        case,
        actor=actor,
        kind="care_plan",
        date=date,
        from_status=previous,
        to_status=case.status,
    )
    refresh_next_due(case)
    return case


@transaction.atomic
def decide_care_plan(
    *,
    actor: Actor,
    case: Case,
    approve: bool,
    date: datetime.date,
    comment: str = "",
    today: datetime.date | None = None,
) -> Case:
    """The supervisor approves the care plan (implementation starts) or returns it with a reason."""
    require_supervisor_of(actor, case)
    today = today or clock.today()
    check_date("date", date, today=today)
    if not approve and not comment.strip():
        raise ValidationError({"comment": [_("Say why the plan is returned.")]})
    before = audit.snapshot(case)
    to = CaseStatus.IN_IMPLEMENTATION if approve else CaseStatus.ASSESSED
    previous = transition(case, to=to, allowed_from=[CaseStatus.CARE_PLAN])
    approval = CarePlanApproval.objects.create(
        case=case, approved=approve, date=date, comment=comment.strip(), supervisor=actor.user
    )
    audit.record_create(actor=actor, obj=approval)
    if approve:
        case.care_plan_approved_on = date
        schedule_follow_up(case, date, current_rules())
    case.save(update_fields=["status", "care_plan_approved_on", "updated_at"])
    audit.record_update(actor=actor, obj=case, before=before)
    log_event(
        case,
        actor=actor,
        kind="care_plan_decision",
        date=date,
        params={"approved": approve},
        from_status=previous,
        to_status=case.status,
    )
    refresh_next_due(case)
    return case
