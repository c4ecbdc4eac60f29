"""Writes of case management: registration, assignment, consent. Atomic, audited, raising on bad input.

The rest of the workflow lives in careplan.py (assessment, care plan), workflow.py (follow-up, retention,
relapse), closure.py and referrals.py; their public functions are re-exported here so that other apps import one module:
`from kinga.cases import services; services.record_relapse(actor=..., case=..., source=..., date=...)`.
Every service takes `today=` (default: kinga.cases.clock.today()) so that tests control the clock.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kinga.core import access, audit, crypto
from kinga.core.access import Actor
from kinga.core.models import Membership, Organisation, Place, PlaceLevel, User
from kinga.core.roles import Role

from . import clock
from .common import (
    active_scoring,
    check_date,
    current_rules,
    deadline_for_assessment,
    log_event,
    photo_consented,
    publish_identified_at_site,
    require_case_team,
    sharing_consent_missing,
    transition,
)
from .models import (
    Case,
    CaseNumberCounter,
    CaseRules,
    CaseStatus,
    Child,
    ChildNameIndex,
    Consent,
    ConsentKind,
    Disability,
    Hazard,
    IdentificationMethod,
    RiskLevel,
    SchoolStatus,
    ScoringVersion,
    Sex,
    WorkActivity,
)

LUALABA_PCODE = "CD72"
# The registration fields that describe the case (not the child): kept when a known child is registered.
CASE_FIELDS = {
    "identification_method",
    "identification_date",
    "identification_site",
    "identification_place",
    "work_activities",
    "hazards",
    "hours_per_week",
    "working_since",
    "registration_date",
    "risk",
    "caseworker",
    "supervisor",
    "residence",
}
NAME_FIELDS = ("given_name", "middle_name", "family_name", "other_names")


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


# --- children and their names ---------------------------------------------------------------------


def index_child_names(child: Child) -> None:
    """Rebuilds the blind index of a child's names (whole tokens, exact and phonetic)."""
    pairs: set[tuple[str, str]] = set()
    for name_field in NAME_FIELDS:
        pairs.update(crypto.name_digests(getattr(child, name_field) or ""))
    ChildNameIndex.objects.filter(child=child).delete()
    ChildNameIndex.objects.bulk_create(
        [ChildNameIndex(child=child, kind=kind, digest=digest) for kind, digest in sorted(pairs)]
    )


def _clean_caregivers(caregivers: Sequence[dict]) -> list[dict]:
    cleaned = []
    for i, person in enumerate(caregivers or []):
        entry = {k: str(person.get(k) or "").strip() for k in ("name", "relationship", "phone", "address")}
        if not any(entry.values()):
            continue
        if not entry["name"]:
            raise ValidationError(
                {"caregivers": [_("Caregiver %(n)s: the name is required.") % {"n": i + 1}]}
            )
        cleaned.append(entry)
    return cleaned


def _choice_list(field: str, values: Iterable[str], choices) -> list[str]:
    values = [v for v in (values or []) if v]
    bad = [v for v in values if v not in choices.values]
    if bad:
        raise ValidationError({field: [_("Unknown value: %(v)s.") % {"v": ", ".join(bad)}]})
    return list(dict.fromkeys(values))


def _birth_date(
    *,
    date_of_birth: datetime.date | None,
    estimated_age: int | None,
    on: datetime.date,
) -> tuple[datetime.date | None, bool]:
    if date_of_birth is not None:
        if date_of_birth > on:
            raise ValidationError(
                {"date_of_birth": [_("The date of birth is after the identification or registration date.")]}
            )
        return date_of_birth, False
    if estimated_age is not None:
        if not 0 <= estimated_age <= 17:
            raise ValidationError({"estimated_age": [_("The estimated age must be between 0 and 17 years.")]})
        # Middle of the estimated year of age: errs by at most six months either way.
        return clock.add_months(on, -(12 * estimated_age + 6)), True
    return None, False


def _territory_of(*, site, place: Place | None, residence: Place | None) -> Place:
    for candidate in (site.place if site is not None else None, place, residence):
        if candidate is not None and candidate.level >= PlaceLevel.TERRITORY:
            territory = candidate.territory
            if territory is not None:
                return territory
    raise ValidationError(
        {
            "identification_place": [
                _("Give the mine site or a place (territory or below) where the child was identified.")
            ]
        }
    )


def territory_prefix(territory: Place) -> str:
    """LUA-KZI for Lualaba's territories (their short code); the ADM2 p-code elsewhere."""
    if territory.pcode and territory.pcode.startswith(LUALABA_PCODE) and territory.short_code:
        return f"LUA-{territory.short_code}"
    return territory.pcode or f"P{territory.pk}"


def next_case_number(territory: Place, year: int) -> str:
    """LUA-KZI-2026-000123: a sequence per territory and year, locked row by row, never reused."""
    prefix = territory_prefix(territory)
    CaseNumberCounter.objects.get_or_create(prefix=prefix, year=year)
    counter = CaseNumberCounter.objects.select_for_update().get(prefix=prefix, year=year)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return f"{prefix}-{year}-{counter.last_value:06d}"


def _staff_of(organisation: Organisation, user: User | None, roles: set[str], field: str) -> User | None:
    if user is None:
        return None
    if not Membership.objects.filter(
        user=user, organisation=organisation, role__in=roles, is_active=True
    ).exists():
        raise ValidationError(
            {field: [_("This person is not an active member of the organisation in this role.")]}
        )
    return user


def _default_supervisor(actor: Actor) -> User | None:
    membership = actor.membership
    if membership is None:
        return None
    if membership.role == Role.SUPERVISOR:
        return membership.user
    if membership.supervisor_id and membership.supervisor.is_active:
        return membership.supervisor.user
    return None


@transaction.atomic
def register_case(
    *,
    actor: Actor,
    identification_method: str,
    identification_date: datetime.date,
    child: Child | None = None,
    given_name: str = "",
    family_name: str = "",
    sex: str = "",
    middle_name: str = "",
    other_names: str = "",
    date_of_birth: datetime.date | None = None,
    estimated_age: int | None = None,
    place_of_origin: Place | None = None,
    residence: Place | None = None,
    languages: Sequence[str] = (),
    disability: str = Disability.NONE,
    school_status: str = SchoolStatus.UNKNOWN,
    last_grade: str = "",
    caregivers: Sequence[dict] = (),
    photo: str = "",
    notes: str = "",
    identification_site=None,
    identification_place: Place | None = None,
    work_activities: Sequence[str] = (),
    hazards: Sequence[str] = (),
    hours_per_week: int | None = None,
    working_since: datetime.date | None = None,
    registration_date: datetime.date | None = None,
    register_now: bool = True,
    risk: str = "",
    caseworker: User | None = None,
    supervisor: User | None = None,
    today: datetime.date | None = None,
) -> Case:
    """A child identified (and, unless register_now is False, registered): the child record and a new case.

    `child` is an existing child recognised by the registry's matching; otherwise the identity fields
    create a new child. A child whose earlier case is closed is not registered twice: that case reopens
    as a relapse (see record_relapse).
    """
    access.require(actor, "cases.register")
    today = today or clock.today()
    organisation = actor.organisation
    if organisation is None:
        raise PermissionDenied(_("You act for no organisation."))
    check_date("identification_date", identification_date, today=today)
    if register_now:
        registration_date = registration_date or today
        check_date("registration_date", registration_date, today=today)
        if registration_date < identification_date:
            raise ValidationError(
                {"registration_date": [_("The registration date is before the identification date.")]}
            )
    else:
        registration_date = None
    if identification_method not in IdentificationMethod.values:
        raise ValidationError({"identification_method": [_("Choose how the child was identified.")]})
    if risk and risk not in RiskLevel.values:
        raise ValidationError({"risk": [_("Unknown risk level.")]})
    if hours_per_week is not None and not 0 <= hours_per_week <= 168:
        raise ValidationError({"hours_per_week": [_("A week has 168 hours.")]})
    work_activities = _choice_list("work_activities", work_activities, WorkActivity)
    hazards = _choice_list("hazards", hazards, Hazard)

    if child is not None:
        previous = child.cases.order_by("-identification_date", "-id").first()
        if previous is not None and previous.is_open:
            raise ValidationError(
                {
                    "child": [
                        _("This child already has an open case (%(number)s).") % {"number": previous.number}
                    ]
                }
            )
        if previous is not None:
            from .workflow import record_relapse

            record_relapse(
                actor=actor,
                case=previous,
                source="registration",
                date=identification_date,
                site=identification_site,
                today=today,
                _skip_team_check=True,
            )
            return previous
        birth = child.date_of_birth
    else:
        given_name, family_name = given_name.strip(), family_name.strip()
        errors = {}
        if not given_name:
            errors["given_name"] = [_("The given name is required.")]
        if not family_name:
            errors["family_name"] = [_("The family name is required.")]
        if sex not in Sex.values:
            errors["sex"] = [_("Choose the child's sex.")]
        if disability not in Disability.values:
            errors["disability"] = [_("Unknown value.")]
        if school_status not in SchoolStatus.values:
            errors["school_status"] = [_("Unknown value.")]
        if errors:
            raise ValidationError(errors)
        birth, estimated = _birth_date(
            date_of_birth=date_of_birth, estimated_age=estimated_age, on=identification_date
        )
        child = Child(
            given_name=given_name,
            middle_name=middle_name.strip(),
            family_name=family_name,
            other_names=other_names.strip(),
            sex=sex,
            date_of_birth=birth,
            date_of_birth_estimated=estimated,
            place_of_origin=place_of_origin,
            residence=residence,
            languages=[lang.strip() for lang in languages if lang and lang.strip()],
            disability=disability,
            school_status=school_status,
            last_grade=last_grade.strip(),
            caregivers=_clean_caregivers(caregivers),
            photo=photo,
            notes=notes,
            registered_by_organisation=organisation,
        )
    age = clock.age_on(birth, identification_date)
    if age is not None and age >= 18:
        raise ValidationError(
            {"date_of_birth": [_("The person was 18 or older when identified: not a child.")]}
        )
    if working_since is not None:
        check_date("working_since", working_since, today=today)
        if birth is not None and working_since < birth:
            raise ValidationError({"working_since": [_("The child cannot have worked before birth.")]})
        if working_since > identification_date:
            raise ValidationError({"working_since": [_("This date is after the identification date.")]})

    territory = _territory_of(site=identification_site, place=identification_place, residence=residence)
    if caseworker is None and actor.role == Role.CASEWORKER:
        caseworker = actor.user
    caseworker = _staff_of(organisation, caseworker, {Role.CASEWORKER, Role.SUPERVISOR}, "caseworker")
    supervisor = _staff_of(
        organisation, supervisor or _default_supervisor(actor), {Role.SUPERVISOR}, "supervisor"
    )

    if child.pk is None:
        child.save()
        index_child_names(child)
        audit.record_create(actor=actor, obj=child)
    rules = current_rules()
    case = Case(
        number=next_case_number(territory, identification_date.year),
        child=child,
        organisation=organisation,
        caseworker=caseworker,
        supervisor=supervisor,
        territory=territory,
        risk=risk,
        status=CaseStatus.REGISTERED if register_now else CaseStatus.IDENTIFIED,
        identification_method=identification_method,
        identification_date=identification_date,
        identification_site=identification_site,
        identification_place=identification_place,
        work_activities=work_activities,
        hazards=hazards,
        hours_per_week=hours_per_week,
        working_since=working_since,
        age_at_identification=age,
        registration_date=registration_date,
        assessment_due=deadline_for_assessment(registration_date, risk, rules) if registration_date else None,
        created_by=actor.user if actor.user and actor.user.pk else None,
    )
    case.full_clean(
        exclude=["child", "organisation", "territory", "identification_site", "caseworker", "supervisor"]
    )
    case.save()
    audit.record_create(actor=actor, obj=case)
    log_event(
        case,
        actor=actor,
        kind="identified",
        date=identification_date,
        summary=_("Identified (%(how)s)") % {"how": IdentificationMethod(identification_method).label},
        to_status=CaseStatus.IDENTIFIED,
    )
    if register_now:
        log_event(
            case,
            actor=actor,
            kind="registered",
            date=registration_date,
            summary=_("Registered as %(number)s") % {"number": case.number},
            from_status=CaseStatus.IDENTIFIED,
            to_status=CaseStatus.REGISTERED,
        )
    from .workflow import refresh_next_due

    refresh_next_due(case)
    publish_identified_at_site(case)
    return case


@transaction.atomic
def complete_registration(
    *, actor: Actor, case: Case, registration_date: datetime.date, today: datetime.date | None = None
) -> Case:
    """An identified child (say, from a community alert) is registered after a visit."""
    access.require(actor, "cases.register")
    today = today or clock.today()
    check_date("registration_date", registration_date, today=today)
    if registration_date < case.identification_date:
        raise ValidationError(
            {"registration_date": [_("The registration date is before the identification date.")]}
        )
    before = audit.snapshot(case)
    previous = transition(case, to=CaseStatus.REGISTERED, allowed_from=[CaseStatus.IDENTIFIED])
    case.registration_date = registration_date
    case.assessment_due = deadline_for_assessment(registration_date, case.risk, current_rules())
    case.save(update_fields=["status", "registration_date", "assessment_due", "updated_at"])
    audit.record_update(actor=actor, obj=case, before=before)
    log_event(
        case,
        actor=actor,
        kind="registered",
        date=registration_date,
        summary=_("Registered as %(number)s") % {"number": case.number},
        from_status=previous,
        to_status=case.status,
    )
    from .workflow import refresh_next_due

    refresh_next_due(case)
    return case


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
from .workflow import (  # noqa: E402
    record_follow_up,
    record_relapse,
    record_retention_check,
    refresh_next_due,
    reopen_case,
)

__all__ = [
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
    "make_referral",
    "new_scoring_version",
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
    "update_child",
    "update_plan_item",
    "withdraw_consent",
]
