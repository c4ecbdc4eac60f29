"""The case workflow after registration: follow-up, retention, relapse (assessment and care plan in careplan.py,
closure in closure.py).

identified → registered → assessed → care plan → in implementation → under follow-up → ready to close
→ closed; a closed case reopens (relapse or a supervisor's decision). Each step checks the status it comes
from, refuses dates in the future or before the step they follow, writes the audit trail and the timeline.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kinga.core import access, audit, clock, events
from kinga.core.access import Actor

from ..models import (
    Case,
    CaseRules,
    CaseStatus,
    FollowUp,
    ReferralStatus,
    Relapse,
    RelapseSource,
    RetentionCheck,
    RiskLevel,
)
from .common import (
    age_band_of,
    check_date,
    current_rules,
    deadline_for_assessment,
    log_event,
    not_before,
    require_case_team,
    require_case_work,
    require_supervisor_of,
    transition,
)

WORKING_STATUSES = [
    CaseStatus.ASSESSED,
    CaseStatus.CARE_PLAN,
    CaseStatus.IN_IMPLEMENTATION,
    CaseStatus.UNDER_FOLLOW_UP,
]
FOLLOW_UP_STATUSES = [CaseStatus.IN_IMPLEMENTATION, CaseStatus.UNDER_FOLLOW_UP, CaseStatus.READY_TO_CLOSE]


# --- tasks and deadlines -----------------------------------------------------------------------------


def refresh_next_due(case: Case) -> None:
    """Stores the earliest open task of the case, so that caseloads sort overdue work first in one query."""
    candidates: list[tuple[datetime.date, str]] = []
    if case.status == CaseStatus.REGISTERED and case.assessment_due:
        candidates.append((case.assessment_due, "assessment"))
    if case.status == CaseStatus.ASSESSED and case.care_plan_due:
        candidates.append((case.care_plan_due, "care_plan"))
    if case.status == CaseStatus.CARE_PLAN and case.care_plan_due:
        candidates.append((case.care_plan_due, "care_plan_approval"))
    if case.status in FOLLOW_UP_STATUSES:
        due = (
            case.follow_ups.filter(visit_date__isnull=True, due_date__isnull=False)
            .order_by("due_date")
            .values_list("due_date", flat=True)
            .first()
        )
        if due:
            candidates.append((due, "follow_up"))
    if case.status != CaseStatus.CLOSED:
        due = (
            case.referrals.filter(status=ReferralStatus.PENDING)
            .order_by("answer_due")
            .values_list("answer_due", flat=True)
            .first()
        )
        if due:
            candidates.append((due, "referral"))
    else:
        due = (
            case.retention_checks.filter(done_on__isnull=True, closure_date=case.closed_on)
            .order_by("due_date")
            .values_list("due_date", flat=True)
            .first()
        )
        if due:
            candidates.append((due, "retention_check"))
    next_due, next_task = min(candidates) if candidates else (None, "")
    if (case.next_due, case.next_task) != (next_due, next_task):
        case.next_due, case.next_task = next_due, next_task
        case.save(update_fields=["next_due", "next_task"])


def schedule_follow_up(case: Case, after: datetime.date, rules: CaseRules) -> FollowUp:
    if case.follow_ups.filter(visit_date__isnull=True).exists():
        return case.follow_ups.filter(visit_date__isnull=True).order_by("due_date").first()
    return FollowUp.objects.create(case=case, due_date=clock.add_months(after, rules.follow_up_every_months))


# --- follow-up -------------------------------------------------------------------------------------------


@transaction.atomic
def record_follow_up(
    *,
    actor: Actor,
    case: Case,
    visit_date: datetime.date,
    child_seen: bool,
    in_school_or_training: bool | None = None,
    attending: bool | None = None,
    found_working: bool = False,
    seen_at_site: bool = False,
    site=None,
    household_situation: str = "",
    risks: str = "",
    notes: str = "",
    today: datetime.date | None = None,
) -> FollowUp:
    """A visit: fills the scheduled follow-up, plans the next; a child found working is a relapse."""
    require_case_work(actor, case)
    today = today or clock.today()
    check_date("visit_date", visit_date, today=today)
    not_before(
        "visit_date",
        visit_date,
        case.registration_date or case.identification_date,
        _("The follow-up is dated before the registration."),
    )
    if case.status not in FOLLOW_UP_STATUSES:
        raise ValidationError({"status": [_("Follow-up visits start once the care plan is approved.")]})
    not_before(
        "visit_date",
        visit_date,
        case.care_plan_approved_on,
        _("The follow-up is dated before the care plan approval."),
    )
    if seen_at_site and site is None and case.identification_site_id:
        site = case.identification_site
    follow_up = case.follow_ups.filter(visit_date__isnull=True).order_by("due_date").first() or FollowUp(
        case=case
    )
    follow_up.visit_date = visit_date
    follow_up.child_seen = child_seen
    follow_up.in_school_or_training = in_school_or_training
    follow_up.attending = attending
    follow_up.found_working = found_working
    follow_up.seen_at_site = seen_at_site
    follow_up.site = site
    follow_up.household_situation = household_situation
    follow_up.risks = risks
    follow_up.notes = notes
    follow_up.recorded_by = actor.user
    follow_up.save()
    audit.record_create(actor=actor, obj=follow_up)
    before = audit.snapshot(case)
    previous = case.status
    if case.status == CaseStatus.IN_IMPLEMENTATION:
        case.status = CaseStatus.UNDER_FOLLOW_UP
        case.save(update_fields=["status", "updated_at"])
        audit.record_update(actor=actor, obj=case, before=before)
    log_event(
        case,
        actor=actor,
        kind="follow_up",
        date=visit_date,
        params=_follow_up_params(follow_up),
        from_status=previous,
        to_status=case.status,
    )
    if case.status != CaseStatus.READY_TO_CLOSE:
        schedule_follow_up(case, visit_date, current_rules())
    if found_working or seen_at_site:
        record_relapse(
            actor=actor, case=case, source=RelapseSource.FOLLOW_UP, date=visit_date, site=site, today=today
        )
    refresh_next_due(case)
    return follow_up


def _follow_up_params(f: FollowUp) -> dict:
    in_education = True if f.in_education else (False if f.in_school_or_training is not None else None)
    return {
        "seen": bool(f.child_seen),
        "in_education": in_education,
        "working": f.found_working or f.seen_at_site,
    }


# --- retention and relapse -------------------------------------------------------------------------------


@transaction.atomic
def record_retention_check(
    *,
    actor: Actor,
    check: RetentionCheck,
    date: datetime.date,
    found_working: bool,
    seen_at_site: bool = False,
    in_school_or_training: bool | None = None,
    site=None,
    notes: str = "",
    today: datetime.date | None = None,
) -> RetentionCheck:
    """A check 3, 6 or 12 months after closure; a child found working or at a site reopens the case."""
    case = check.case
    require_case_work(actor, case)
    today = today or clock.today()
    check_date("date", date, today=today)
    not_before("date", date, check.closure_date, _("The check is dated before the closure."))
    if check.done_on is not None:
        raise ValidationError({"date": [_("This check is already recorded.")]})
    if case.status != CaseStatus.CLOSED or case.closed_on != check.closure_date:
        raise ValidationError({"date": [_("This check belongs to an earlier closure of the case.")]})
    before = audit.snapshot(check)
    check.done_on = date
    check.found_working = found_working
    check.seen_at_site = seen_at_site
    check.in_school_or_training = in_school_or_training
    check.notes = notes
    check.recorded_by = actor.user
    check.save()
    audit.record_update(actor=actor, obj=check, before=before)
    log_event(
        case,
        actor=actor,
        kind="retention_check",
        date=date,
        params={"months": check.months_after, "working": bool(found_working or seen_at_site)},
    )
    if found_working or seen_at_site:
        record_relapse(
            actor=actor, case=case, source=RelapseSource.RETENTION_CHECK, date=date, site=site, today=today
        )
    else:
        refresh_next_due(case)
    return check


@transaction.atomic
def record_relapse(
    *,
    actor: Actor,
    case: Case,
    source: str,
    date: datetime.date,
    site=None,
    note: str = "",
    today: datetime.date | None = None,
    _skip_team_check: bool = False,
) -> Relapse:
    """The child was found working again: the case is flagged, reopened if closed, with its history kept.

    Called by follow-ups and retention checks here, and by the registry and community apps when a
    registration or an alert is recognised as a child who already has a case.
    """
    if not (actor.has("cases.work") or actor.has("cases.register")):
        access.require(actor, "cases.work")
    if not _skip_team_check and actor.has("cases.work") and not actor.is_system:
        require_case_team(actor, case)
    today = today or clock.today()
    check_date("date", date, today=today)
    not_before("date", date, case.identification_date, _("This date is before the child was identified."))
    if source not in RelapseSource.values:
        raise ValidationError({"source": [_("Unknown value.")]})
    before = audit.snapshot(case)
    relapse = Relapse.objects.create(
        case=case,
        date=date,
        source=source,
        site=site,
        status_before=case.status,
        note=note,
        recorded_by=actor.user,
    )
    audit.record_create(actor=actor, obj=relapse)
    previous = case.status
    case.relapse_count += 1
    case.last_relapse_on = max(date, case.last_relapse_on or date)
    case.risk = RiskLevel.HIGH
    fields = ["relapse_count", "last_relapse_on", "risk", "updated_at"]
    if case.status == CaseStatus.CLOSED:
        rules = current_rules()
        reopened = max(date, today)
        case.status = CaseStatus.REGISTERED
        case.reopened_count += 1
        case.closed_on, case.closure_reason, case.exited = None, "", False
        case.closure_requested_on, case.closure_approved_by = None, None
        case.exit_override_reason, case.exit_override_by = "", None
        case.assessment_due = deadline_for_assessment(reopened, RiskLevel.HIGH, rules)
        case.care_plan_due = case.care_plan_approved_on = None
        fields += [
            "status",
            "reopened_count",
            "closed_on",
            "closure_reason",
            "exited",
            "closure_requested_on",
            "closure_approved_by",
            "exit_override_reason",
            "exit_override_by",
            "assessment_due",
            "care_plan_due",
            "care_plan_approved_on",
        ]
    elif case.status == CaseStatus.READY_TO_CLOSE:
        case.status = CaseStatus.UNDER_FOLLOW_UP
        case.closure_reason, case.closure_requested_on = "", None
        fields += ["status", "closure_reason", "closure_requested_on"]
    case.save(update_fields=fields)
    audit.record_update(actor=actor, obj=case, before=before, note=f"relapse ({source})")
    log_event(
        case,
        actor=actor,
        kind="relapse",
        date=date,
        params={"source": source, "reopened": previous == CaseStatus.CLOSED},
        from_status=previous,
        to_status=case.status,
    )
    if case.status in FOLLOW_UP_STATUSES and not case.follow_ups.filter(visit_date__isnull=True).exists():
        schedule_follow_up(case, date, current_rules())
    refresh_next_due(case)
    events.publish(
        "cases.relapse",
        case_uuid=str(case.uuid),
        site_id=site.pk if site is not None else None,
        date=date,
        source=source,
        sex=case.child.sex,
        age_band=age_band_of(case),
    )
    return relapse


@transaction.atomic
def reopen_case(
    *, actor: Actor, case: Case, date: datetime.date, reason: str, today: datetime.date | None = None
) -> Case:
    """A supervisor reopens a closed case for another reason than a relapse (new protection concern)."""
    require_supervisor_of(actor, case)
    today = today or clock.today()
    check_date("date", date, today=today)
    not_before("date", date, case.closed_on, _("The case is reopened before it was closed."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the case reopens.")]})
    before = audit.snapshot(case)
    previous = transition(case, to=CaseStatus.REGISTERED, allowed_from=[CaseStatus.CLOSED])
    case.reopened_count += 1
    case.closed_on, case.closure_reason, case.exited = None, "", False
    case.closure_requested_on, case.closure_approved_by = None, None
    case.exit_override_reason, case.exit_override_by = "", None
    case.assessment_due = deadline_for_assessment(max(date, today), case.risk, current_rules())
    case.save()
    audit.record_update(actor=actor, obj=case, before=before, note=reason.strip())
    log_event(
        case,
        actor=actor,
        kind="reopened",
        date=date,
        from_status=previous,
        to_status=case.status,
    )
    refresh_next_due(case)
    return case
