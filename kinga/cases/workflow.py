"""The case workflow after registration: assessment, care plan, follow-up, closure, retention, relapse.

identified → registered → assessed → care plan → in implementation → under follow-up → ready to close
→ closed; a closed case reopens (relapse or a supervisor's decision). Each step checks the status it comes
from, refuses dates in the future or before the step they follow, writes the audit trail and the timeline.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kinga.core import access, audit, events
from kinga.core.access import Actor
from kinga.core.models import Organisation

from . import clock
from .common import (
    active_scoring,
    age_band_of,
    check_date,
    current_rules,
    deadline_for_assessment,
    log_event,
    require_case_team,
    require_supervisor_of,
    transition,
)
from .models import (
    DOMAINS,
    Assessment,
    CarePlanApproval,
    CarePlanItem,
    CarePlanItemStatus,
    Case,
    CaseRules,
    CaseStatus,
    ClosureReason,
    FollowUp,
    ReferralStatus,
    Relapse,
    RelapseSource,
    RetentionCheck,
    RiskLevel,
    ServiceType,
)

WORKING_STATUSES = [
    CaseStatus.ASSESSED,
    CaseStatus.CARE_PLAN,
    CaseStatus.IN_IMPLEMENTATION,
    CaseStatus.UNDER_FOLLOW_UP,
]
FOLLOW_UP_STATUSES = [CaseStatus.IN_IMPLEMENTATION, CaseStatus.UNDER_FOLLOW_UP, CaseStatus.READY_TO_CLOSE]


def _not_before(field_name: str, value: datetime.date, earlier: datetime.date | None, message: str) -> None:
    if earlier is not None and value < earlier:
        raise ValidationError({field_name: [message]})


def _work(actor: Actor, case: Case) -> None:
    access.require(actor, "cases.work")
    require_case_team(actor, case)


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
    _work(actor, case)
    today = today or clock.today()
    check_date("date", date, today=today)
    _not_before("date", date, case.registration_date, _("The assessment is dated before the registration."))
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
        summary=_("Assessed: score %(total)s/18, risk %(risk)s")
        % {"total": total, "risk": RiskLevel(assessment.risk).label},
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
    _work(actor, case)
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
        summary=_("Care plan: support by %(org)s due %(due)s")
        % {"org": responsible_organisation, "due": due_date},
    )
    return item


@transaction.atomic
def update_plan_item(
    *, actor: Actor, item: CarePlanItem, status: str, today: datetime.date | None = None
) -> CarePlanItem:
    _work(actor, item.case)
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
        summary=_("Care plan item: %(status)s") % {"status": CarePlanItemStatus(status).label},
    )
    return item


@transaction.atomic
def submit_care_plan(
    *, actor: Actor, case: Case, date: datetime.date, today: datetime.date | None = None
) -> Case:
    _work(actor, case)
    today = today or clock.today()
    check_date("date", date, today=today)
    _not_before("date", date, case.assessed_on, _("The care plan is dated before the assessment."))
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
        summary=_("Care plan submitted to the supervisor"),
        from_status=previous,
        to_status=case.status,
    )
    refresh_next_due(case)
    return case


def _schedule_follow_up(case: Case, after: datetime.date, rules: CaseRules) -> FollowUp:
    if case.follow_ups.filter(visit_date__isnull=True).exists():
        return case.follow_ups.filter(visit_date__isnull=True).order_by("due_date").first()
    return FollowUp.objects.create(case=case, due_date=clock.add_months(after, rules.follow_up_every_months))


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
        _schedule_follow_up(case, date, current_rules())
    case.save(update_fields=["status", "care_plan_approved_on", "updated_at"])
    audit.record_update(actor=actor, obj=case, before=before)
    log_event(
        case,
        actor=actor,
        kind="care_plan_decision",
        date=date,
        summary=_("Care plan approved by the supervisor")
        if approve
        else _("Care plan returned by the supervisor"),
        from_status=previous,
        to_status=case.status,
    )
    refresh_next_due(case)
    return case


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
    _work(actor, case)
    today = today or clock.today()
    check_date("visit_date", visit_date, today=today)
    _not_before(
        "visit_date",
        visit_date,
        case.registration_date or case.identification_date,
        _("The follow-up is dated before the registration."),
    )
    if case.status not in FOLLOW_UP_STATUSES:
        raise ValidationError({"status": [_("Follow-up visits start once the care plan is approved.")]})
    _not_before(
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
        summary=_follow_up_summary(follow_up),
        from_status=previous,
        to_status=case.status,
    )
    if case.status != CaseStatus.READY_TO_CLOSE:
        _schedule_follow_up(case, visit_date, current_rules())
    if found_working or seen_at_site:
        record_relapse(
            actor=actor, case=case, source=RelapseSource.FOLLOW_UP, date=visit_date, site=site, today=today
        )
    refresh_next_due(case)
    return follow_up


def _follow_up_summary(f: FollowUp) -> str:
    parts = [_("Follow-up visit: child seen") if f.child_seen else _("Follow-up visit: child not seen")]
    if f.in_education:
        parts.append(_("attending school or training"))
    elif f.in_school_or_training is not None:
        parts.append(_("not attending school or training"))
    if f.found_working or f.seen_at_site:
        parts.append(_("found working or at a mine site"))
    return ", ".join(str(p) for p in parts)


# --- the exit rule -------------------------------------------------------------------------------------


@dataclass
class ExitRuleResult:
    met: bool
    rule: str
    explanation: list[str] = field(default_factory=list)
    qualifying_dates: list[datetime.date] = field(default_factory=list)


def exit_rule_text(rules: CaseRules) -> str:
    return _(
        "At least %(n)s follow-up visits, the first and the last at least %(months)s calendar months apart, "
        "finding the child out of mine work and attending school or training each time, since the last relapse."
    ) % {"n": rules.exit_min_follow_ups, "months": rules.exit_months_apart}


def evaluate_exit_rule(case: Case, rules: CaseRules | None = None) -> ExitRuleResult:
    """The exit rule applied to this case, with why it is or is not met (shown on the case file)."""
    rules = rules or current_rules()
    visits = list(case.follow_ups.filter(visit_date__isnull=False).order_by("visit_date", "id"))
    since = case.last_relapse_on
    if since is not None:
        visits = [v for v in visits if v.visit_date > since]
    qualifying = [v.visit_date for v in visits if v.child_seen and v.out_of_mine_work and v.in_education]
    result = ExitRuleResult(met=False, rule=exit_rule_text(rules), qualifying_dates=qualifying)
    if visits and visits[-1].visit_date not in qualifying:
        result.explanation.append(
            _(
                "The last visit (%(date)s) did not find the child out of mine work and attending school or training."
            )
            % {"date": visits[-1].visit_date}
        )
    if len(qualifying) < rules.exit_min_follow_ups:
        result.explanation.append(
            _("%(done)s qualifying visit(s) out of %(n)s required.")
            % {"done": len(qualifying), "n": rules.exit_min_follow_ups}
        )
    elif clock.months_between(qualifying[0], qualifying[-1]) < rules.exit_months_apart:
        result.explanation.append(
            _("The qualifying visits span %(months)s month(s); %(required)s required.")
            % {
                "months": clock.months_between(qualifying[0], qualifying[-1]),
                "required": rules.exit_months_apart,
            }
        )
    result.met = not result.explanation
    if result.met:
        result.explanation.append(
            _("Met: qualifying visits on %(dates)s.") % {"dates": ", ".join(str(d) for d in qualifying)}
        )
    return result


# --- closure -----------------------------------------------------------------------------------------------


def _check_exit(actor: Actor, case: Case, reason: str, override_reason: str) -> str:
    """An exit-achieved closure needs the exit rule, or a supervisor's reasoned override."""
    if reason != ClosureReason.EXIT_ACHIEVED or evaluate_exit_rule(case).met:
        return ""
    if not override_reason.strip():
        raise ValidationError(
            {
                "closure_reason": [
                    _(
                        "The exit rule is not met: %(why)s Only a supervisor may close as “exit achieved” "
                        "anyway, giving the reason."
                    )
                    % {"why": " ".join(str(e) for e in evaluate_exit_rule(case).explanation)}
                ]
            }
        )
    if not actor.has("cases.approve"):
        raise PermissionDenied(_("Only a supervisor may override the exit rule."))
    return override_reason.strip()


@transaction.atomic
def request_closure(
    *,
    actor: Actor,
    case: Case,
    reason: str,
    date: datetime.date,
    note: str = "",
    override_reason: str = "",
    today: datetime.date | None = None,
) -> Case:
    _work(actor, case)
    today = today or clock.today()
    check_date("date", date, today=today)
    _not_before("date", date, case.registration_date, _("The closure is dated before the registration."))
    if reason not in ClosureReason.values:
        raise ValidationError({"closure_reason": [_("Choose the reason for closing.")]})
    allowed = (
        [CaseStatus.UNDER_FOLLOW_UP]
        if reason == ClosureReason.EXIT_ACHIEVED
        else [
            CaseStatus.IDENTIFIED,
            CaseStatus.REGISTERED,
            *WORKING_STATUSES,
            CaseStatus.UNDER_FOLLOW_UP,
        ]
    )
    override = _check_exit(actor, case, reason, override_reason)
    before = audit.snapshot(case)
    previous = transition(case, to=CaseStatus.READY_TO_CLOSE, allowed_from=allowed, field="closure_reason")
    case.closure_reason = reason
    case.closure_note = note
    case.closure_requested_on = date
    if override:
        case.exit_override_reason, case.exit_override_by = override, actor.user
    case.save(
        update_fields=[
            "status",
            "closure_reason",
            "closure_note",
            "closure_requested_on",
            "exit_override_reason",
            "exit_override_by",
            "updated_at",
        ]
    )
    audit.record_update(actor=actor, obj=case, before=before, note="exit rule overridden" if override else "")
    log_event(
        case,
        actor=actor,
        kind="closure_requested",
        date=date,
        summary=_("Closure proposed: %(reason)s") % {"reason": ClosureReason(reason).label}
        + (" — " + str(_("exit rule overridden by the supervisor")) if override else ""),
        from_status=previous,
        to_status=case.status,
    )
    refresh_next_due(case)
    return case


@transaction.atomic
def decide_closure(
    *,
    actor: Actor,
    case: Case,
    approve: bool,
    date: datetime.date,
    comment: str = "",
    override_reason: str = "",
    today: datetime.date | None = None,
) -> Case:
    """The supervisor closes the case (retention checks are scheduled) or sends it back to follow-up."""
    require_supervisor_of(actor, case)
    today = today or clock.today()
    check_date("date", date, today=today)
    _not_before(
        "date", date, case.closure_requested_on, _("The decision is dated before the closure request.")
    )
    before = audit.snapshot(case)
    if not approve:
        if not comment.strip():
            raise ValidationError({"comment": [_("Say why the case stays open.")]})
        previous = transition(case, to=CaseStatus.UNDER_FOLLOW_UP, allowed_from=[CaseStatus.READY_TO_CLOSE])
        case.closure_reason, case.closure_requested_on = "", None
        case.save(update_fields=["status", "closure_reason", "closure_requested_on", "updated_at"])
        _schedule_follow_up(case, date, current_rules())
        audit.record_update(actor=actor, obj=case, before=before, note=comment.strip())
        log_event(
            case,
            actor=actor,
            kind="closure_refused",
            date=date,
            summary=_("Closure refused by the supervisor"),
            from_status=previous,
            to_status=case.status,
        )
        refresh_next_due(case)
        return case
    if not case.exit_override_reason:
        override = _check_exit(actor, case, case.closure_reason, override_reason)
        if override:
            case.exit_override_reason, case.exit_override_by = override, actor.user
    previous = transition(case, to=CaseStatus.CLOSED, allowed_from=[CaseStatus.READY_TO_CLOSE])
    case.closed_on = date
    case.closure_approved_by = actor.user
    case.exited = case.closure_reason == ClosureReason.EXIT_ACHIEVED
    case.save(
        update_fields=[
            "status",
            "closed_on",
            "closure_approved_by",
            "exited",
            "exit_override_reason",
            "exit_override_by",
            "updated_at",
        ]
    )
    # Pending follow-ups of a closed case are no longer tasks.
    case.follow_ups.filter(visit_date__isnull=True).delete()
    rules = current_rules()
    if case.exited:
        RetentionCheck.objects.bulk_create(
            [
                RetentionCheck(
                    case=case, closure_date=date, months_after=m, due_date=clock.add_months(date, m)
                )
                for m in rules.retention_months
            ],
            ignore_conflicts=True,
        )
    audit.record_update(actor=actor, obj=case, before=before, note=comment.strip())
    log_event(
        case,
        actor=actor,
        kind="closed",
        date=date,
        summary=_("Closed: %(reason)s") % {"reason": ClosureReason(case.closure_reason).label},
        from_status=previous,
        to_status=case.status,
    )
    refresh_next_due(case)
    return case


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
    _work(actor, case)
    today = today or clock.today()
    check_date("date", date, today=today)
    _not_before("date", date, check.closure_date, _("The check is dated before the closure."))
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
        summary=(
            _("Retention check at %(m)s months: child found working or at a mine site")
            if found_working or seen_at_site
            else _("Retention check at %(m)s months: child out of the mines")
        )
        % {"m": check.months_after},
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
    _not_before("date", date, case.identification_date, _("This date is before the child was identified."))
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
        summary=_("Relapse: found working again (%(source)s)") % {"source": RelapseSource(source).label}
        + (" — " + str(_("case reopened")) if previous == CaseStatus.CLOSED else ""),
        from_status=previous,
        to_status=case.status,
    )
    if case.status in FOLLOW_UP_STATUSES and not case.follow_ups.filter(visit_date__isnull=True).exists():
        _schedule_follow_up(case, date, current_rules())
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
    _not_before("date", date, case.closed_on, _("The case is reopened before it was closed."))
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
        summary=_("Case reopened by the supervisor"),
        from_status=previous,
        to_status=case.status,
    )
    refresh_next_due(case)
    return case
