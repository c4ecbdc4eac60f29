"""Writes of case management: configuration, a child's identity changes, assignment, consent. Atomic, audited,
raising on bad input.

Registration lives in registration.py, the rest of the workflow in careplan.py (assessment, care plan),
workflow.py (follow-up, retention, relapse), closure.py and referrals.py; their public functions are
re-exported here so that other apps import one module:
`from kinga.cases import services; services.record_relapse(actor=..., case=..., source=..., date=...)`.
Every service takes `today=` (default: kinga.cases.clock.today()) so that tests control the clock.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kinga.core import access, audit
from kinga.core.access import Actor
from kinga.core.models import Membership, Organisation, User
from kinga.core.roles import Role

from . import clock
from .common import (
    active_scoring,
    check_date,
    current_rules,
    log_event,
    photo_consented,
    require_case_team,
    sharing_consent_missing,
)
from .models import (
    Case,
    CaseRules,
    Child,
    Consent,
    ConsentKind,
    ScoringVersion,
)
from .registration import NAME_FIELDS, _clean_caregivers, _staff_of, index_child_names

# --- configuration ---------------------------------------------------------------------------------


@transaction.atomic
def update_rules(*, actor: Actor, **values) -> CaseRules:
    """A new row of rules (the old ones stay, for the history of what applied when)."""
    access.require(actor, "cases.configure")
    before = current_rules()
    rules = CaseRules(
        **{
            f.name: getattr(before, f.name)
            for f in CaseRules._meta.concrete_fields
            if f.name not in {"id", "created_at", "created_by"}
        }
    )
    for key, value in values.items():
        if not hasattr(rules, key):
            raise ValidationError({key: [_("Unknown rule.")]})
        setattr(rules, key, value)
    if sorted(rules.retention_months) != rules.retention_months or any(m < 1 for m in rules.retention_months):
        raise ValidationError({"retention_months": [_("Give increasing numbers of months, e.g. 3, 6, 12.")]})
    rules.created_by = actor.user
    rules.full_clean()
    rules.save()
    audit.record_create(actor=actor, obj=rules)
    return rules


@transaction.atomic
def new_scoring_version(
    *, actor: Actor, high_from: int, medium_from: int, label: str = "", **_ignored
) -> ScoringVersion:
    access.require(actor, "cases.configure")
    if not 0 < medium_from < high_from <= 18:
        raise ValidationError({"high_from": [_("The thresholds must satisfy 0 < medium < high ≤ 18.")]})
    active_scoring()  # the default version 1 exists before any new one
    last = ScoringVersion.objects.order_by("-version").first()
    ScoringVersion.objects.filter(is_active=True).update(is_active=False)
    scoring = ScoringVersion.objects.create(
        version=(last.version + 1) if last else 1, high_from=high_from, medium_from=medium_from, label=label
    )
    audit.record_create(actor=actor, obj=scoring)
    return scoring


@transaction.atomic
def update_child(*, actor: Actor, case: Case, **changes) -> Child:
    """Corrects a child's record (names are re-indexed; the trail says which protected fields changed)."""
    access.require(actor, "cases.work")
    require_case_team(actor, case)
    child = case.child
    before = audit.snapshot(child)
    allowed = set(NAME_FIELDS) | {
        "sex",
        "date_of_birth",
        "place_of_origin",
        "residence",
        "languages",
        "disability",
        "school_status",
        "last_grade",
        "caregivers",
        "photo",
        "notes",
    }
    for key, value in changes.items():
        if key not in allowed:
            raise ValidationError({key: [_("This field cannot be changed here.")]})
        if key == "caregivers":
            value = _clean_caregivers(value)
        setattr(child, key, value)
    if not child.given_name or not child.family_name:
        raise ValidationError({"given_name": [_("The given and family names are required.")]})
    if child.date_of_birth and child.date_of_birth > case.identification_date:
        raise ValidationError(
            {"date_of_birth": [_("The date of birth is after the identification or registration date.")]}
        )
    if "date_of_birth" in changes:
        child.date_of_birth_estimated = False
    child.save()
    if set(changes) & set(NAME_FIELDS):
        index_child_names(child)
    audit.record_update(actor=actor, obj=child, before=before)
    return child


@transaction.atomic
def assign_case(
    *,
    actor: Actor,
    case: Case,
    caseworker: User,
    supervisor: User | None = None,
    today: datetime.date | None = None,
) -> Case:
    """A supervisor or organisation manager gives the case to a caseworker of the organisation."""
    access.require(actor, "cases.assign")
    if not actor.is_system and actor.organisation_id != case.organisation_id:
        raise PermissionDenied(_("This case belongs to another organisation."))
    today = today or clock.today()
    caseworker = _staff_of(case.organisation, caseworker, {Role.CASEWORKER, Role.SUPERVISOR}, "caseworker")
    if supervisor is None:
        membership = (
            Membership.objects.filter(user=caseworker, organisation=case.organisation, is_active=True)
            .select_related("supervisor")
            .first()
        )
        supervisor = (
            membership.supervisor.user if membership and membership.supervisor_id else case.supervisor
        )
    supervisor = _staff_of(case.organisation, supervisor, {Role.SUPERVISOR}, "supervisor")
    before = audit.snapshot(case)
    case.caseworker, case.supervisor = caseworker, supervisor
    case.save(update_fields=["caseworker", "supervisor", "updated_at"])
    audit.record_update(actor=actor, obj=case, before=before)
    log_event(
        case,
        actor=actor,
        kind="assigned",
        date=today,
        summary=_("Assigned to %(name)s") % {"name": caseworker.full_name or caseworker.email},
    )
    return case


# --- consent -----------------------------------------------------------------------------------------


@transaction.atomic
def record_consent(
    *,
    actor: Actor,
    case: Case,
    kind: str,
    given_by: str,
    date: datetime.date,
    relationship: str = "",
    for_services: bool = False,
    for_data_sharing: bool = False,
    share_with: Iterable[Organisation] = (),
    for_photos: bool = False,
    today: datetime.date | None = None,
) -> Consent:
    access.require(actor, "cases.work")
    require_case_team(actor, case)
    today = today or clock.today()
    check_date("date", date, today=today)
    if date < case.identification_date:
        raise ValidationError({"date": [_("This date is before the child was identified.")]})
    if kind not in ConsentKind.values:
        raise ValidationError({"kind": [_("Choose caregiver consent or child assent.")]})
    if not given_by.strip():
        raise ValidationError({"given_by": [_("Say who gave it.")]})
    share_with = list(share_with)
    if share_with and not for_data_sharing:
        raise ValidationError({"share_with": [_("Tick data sharing to name organisations.")]})
    consent = Consent.objects.create(
        case=case,
        kind=kind,
        given_by=given_by.strip(),
        relationship=relationship.strip(),
        date=date,
        for_services=for_services,
        for_data_sharing=for_data_sharing,
        for_photos=for_photos,
        recorded_by=actor.user,
    )
    consent.share_with.set(share_with)
    audit.record_create(
        actor=actor, obj=consent, note=f"share_with={','.join(str(o.uuid) for o in share_with)}"
    )
    log_event(case, actor=actor, kind="consent", date=date, summary=str(ConsentKind(kind).label))
    return consent


@transaction.atomic
def withdraw_consent(
    *, actor: Actor, consent: Consent, date: datetime.date, today: datetime.date | None = None
) -> Consent:
    access.require(actor, "cases.work")
    require_case_team(actor, consent.case)
    today = today or clock.today()
    check_date("date", date, today=today)
    if date < consent.date:
        raise ValidationError({"date": [_("Consent cannot be withdrawn before it was given.")]})
    before = audit.snapshot(consent)
    consent.withdrawn_on = date
    consent.save(update_fields=["withdrawn_on"])
    audit.record_update(actor=actor, obj=consent, before=before)
    log_event(consent.case, actor=actor, kind="consent_withdrawn", date=date, summary=_("Consent withdrawn"))
    return consent


@transaction.atomic
def set_photo(*, actor: Actor, case: Case, content: bytes, content_type: str) -> Child:
    """The child's photo, encrypted like the names; only with the caregiver's consent to photos."""
    import base64

    access.require(actor, "cases.work")
    require_case_team(actor, case)
    if not photo_consented(case):
        raise ValidationError({"photo": [_("Record the caregiver's consent to photos first.")]})
    if content_type not in ("image/jpeg", "image/png"):
        raise ValidationError({"photo": [_("Use a JPEG or PNG image.")]})
    child = case.child
    before = audit.snapshot(child)
    child.photo = f"data:{content_type};base64,{base64.b64encode(content).decode('ascii')}"
    child.save(update_fields=["photo"])
    audit.record_update(actor=actor, obj=child, before=before)
    return child


def record_pdf_export(*, actor: Actor, case: Case) -> None:
    """The case file printed to PDF: an export of identities, in the access log."""
    access.require(actor, "cases.view_identity")
    audit.record_export(actor=actor, what="cases.case_file_pdf", rows=1, filters={"case": str(case.uuid)})


from .careplan import (  # noqa: E402
    add_plan_item,
    decide_care_plan,
    record_assessment,
    submit_care_plan,
    update_plan_item,
)
from .closure import (  # noqa: E402
    decide_closure,
    evaluate_exit_rule,
    exit_rule_text,
    request_closure,
)
from .referrals import (  # noqa: E402
    answer_referral,
    cancel_referral,
    make_referral,
    report_service_delivered,
    save_service,
)
from .registration import (  # noqa: E402
    CASE_FIELDS,
    complete_registration,
    next_case_number,
    register_case,
    territory_prefix,
)
from .workflow import (  # noqa: E402
    record_follow_up,
    record_relapse,
    record_retention_check,
    refresh_next_due,
    reopen_case,
)

__all__ = [
    "CASE_FIELDS",
    "active_scoring",
    "add_plan_item",
    "answer_referral",
    "assign_case",
    "cancel_referral",
    "complete_registration",
    "current_rules",
    "decide_care_plan",
    "decide_closure",
    "evaluate_exit_rule",
    "exit_rule_text",
    "index_child_names",
    "make_referral",
    "new_scoring_version",
    "next_case_number",
    "record_assessment",
    "record_consent",
    "record_follow_up",
    "record_pdf_export",
    "record_relapse",
    "record_retention_check",
    "refresh_next_due",
    "register_case",
    "reopen_case",
    "report_service_delivered",
    "request_closure",
    "save_service",
    "set_photo",
    "sharing_consent_missing",
    "submit_care_plan",
    "territory_prefix",
    "update_child",
    "update_plan_item",
    "withdraw_consent",
]
