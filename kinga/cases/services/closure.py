"""Closing a case: the exit rule (the conditions a child must meet to leave care), the caseworker's request
and the supervisor's decision, an override only with a reason."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from kinga.core import audit, clock, tallies
from kinga.core.access import Actor

from ..models import (
    Case,
    CaseRules,
    CaseStatus,
    ClosureReason,
    RetentionCheck,
)
from .common import (
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
            ngettext(
                "%(done)s qualifying visit out of %(n)s required.",
                "%(done)s qualifying visits out of %(n)s required.",
                len(qualifying),
            )
            % {"done": len(qualifying), "n": rules.exit_min_follow_ups}
        )
    elif clock.months_between(qualifying[0], qualifying[-1]) < rules.exit_months_apart:
        result.explanation.append(
            ngettext(
                "The qualifying visits span %(months)s month; %(required)s required.",
                "The qualifying visits span %(months)s months; %(required)s required.",
                clock.months_between(qualifying[0], qualifying[-1]),
            )
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
    require_case_work(actor, case)
    today = today or clock.today()
    check_date("date", date, today=today)
    not_before("date", date, case.registration_date, _("The closure is dated before the registration."))
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
    audit.record_update(
        actor=actor, obj=case, before=before, note=gettext_noop("exit rule overridden") if override else ""
    )
    log_event(
        case,
        actor=actor,
        kind="closure_requested",
        date=date,
        params={"reason": reason, "overridden": bool(override)},
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
    not_before(
        "date", date, case.closure_requested_on, _("The decision is dated before the closure request.")
    )
    before = audit.snapshot(case)
    if not approve:
        if not comment.strip():
            raise ValidationError({"comment": [_("Say why the case stays open.")]})
        previous = transition(case, to=CaseStatus.UNDER_FOLLOW_UP, allowed_from=[CaseStatus.READY_TO_CLOSE])
        case.closure_reason, case.closure_requested_on = "", None
        case.save(update_fields=["status", "closure_reason", "closure_requested_on", "updated_at"])
        schedule_follow_up(case, date, current_rules())
        audit.record_update(actor=actor, obj=case, before=before, note=comment.strip())
        log_event(
            case,
            actor=actor,
            kind="closure_refused",
            date=date,
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
        tallies.written(
            RetentionCheck, [date]
        )  # the non-return cohorts count them (kinga.cases.cohort_tallies)
    audit.record_update(actor=actor, obj=case, before=before, note=comment.strip())
    log_event(
        case,
        actor=actor,
        kind="closed",
        date=date,
        params={"reason": case.closure_reason},
        from_status=previous,
        to_status=case.status,
    )
    refresh_next_due(case)
    return case
