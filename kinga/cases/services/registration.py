"""Registering a child: the identity (encrypted, indexed by name), the territory and case number, the
caseworker and supervisor, the first timeline entries; completing a registration started in the field."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kinga.core import access, audit, clock, crypto, events, people
from kinga.core.access import Actor
from kinga.core.models import Organisation, Place, PlaceLevel, User
from kinga.core.roles import Role

from ..models import (
    Case,
    CaseNumberCounter,
    CaseStatus,
    Child,
    ChildNameIndex,
    Disability,
    Hazard,
    IdentificationMethod,
    RiskLevel,
    SchoolStatus,
    Sex,
    WorkActivity,
)
from .common import (
    active_staff,
    check_date,
    clean_caregivers,
    current_rules,
    deadline_for_assessment,
    log_event,
    publish_case_assigned,
    publish_child_saved,
    publish_identified_at_site,
    transition,
)
from .workflow import record_relapse, refresh_next_due

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
    same_as_other: str = "",
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
    registration_date = _registration_date(identification_date, registration_date, register_now, today=today)
    _check_identification(identification_method, risk, hours_per_week)
    work_activities = _choice_list("work_activities", work_activities, WorkActivity)
    hazards = _choice_list("hazards", hazards, Hazard)

    if child is not None:
        reopened = _relapse_of_known_child(
            actor, child, identification_date, identification_site, today=today
        )
        if reopened is not None:
            return reopened
        birth = child.date_of_birth
    else:
        child = _new_child(
            organisation=organisation,
            identified_on=identification_date,
            given_name=given_name,
            family_name=family_name,
            sex=sex,
            middle_name=middle_name,
            other_names=other_names,
            date_of_birth=date_of_birth,
            estimated_age=estimated_age,
            place_of_origin=place_of_origin,
            residence=residence,
            languages=languages,
            disability=disability,
            school_status=school_status,
            last_grade=last_grade,
            caregivers=caregivers,
            photo=photo,
            notes=notes,
        )
        birth = child.date_of_birth
    age = _age_when_identified(birth, identification_date, working_since, today=today)
    territory = _territory_of(site=identification_site, place=identification_place, residence=residence)
    caseworker, supervisor = _case_team(actor, organisation, caseworker, supervisor)

    if child.pk is None:
        child.save()
        publish_child_saved(child, created=True)
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
    _log_identified_and_registered(actor, case)
    refresh_next_due(case)
    publish_identified_at_site(case)
    publish_case_assigned(case, actor=actor)
    if same_as_other:
        # Another organisation's child the caseworker recognised: the registry asks that organisation
        # (kinga.registry), which alone may say yes; this case goes on with its own child record meanwhile.
        events.publish(
            "cases.same_child_claimed", actor=actor, child_id=child.pk, other_uuid=str(same_as_other)
        )
    return case


# --- the steps of register_case ----------------------------------------------------------------------


def _registration_date(
    identification_date: datetime.date,
    registration_date: datetime.date | None,
    register_now: bool,
    *,
    today: datetime.date,
) -> datetime.date | None:
    """The registration date (today unless given; none when the child is only identified), checked."""
    check_date("identification_date", identification_date, today=today)
    if not register_now:
        return None
    registration_date = registration_date or today
    check_date("registration_date", registration_date, today=today)
    if registration_date < identification_date:
        raise ValidationError(
            {"registration_date": [_("The registration date is before the identification date.")]}
        )
    return registration_date


def _check_identification(identification_method: str, risk: str, hours_per_week: int | None) -> None:
    if identification_method not in IdentificationMethod.values:
        raise ValidationError({"identification_method": [_("Choose how the child was identified.")]})
    if risk and risk not in RiskLevel.values:
        raise ValidationError({"risk": [_("Unknown risk level.")]})
    if hours_per_week is not None and not 0 <= hours_per_week <= 168:
        raise ValidationError({"hours_per_week": [_("A week has 168 hours.")]})


def _relapse_of_known_child(
    actor: Actor, child: Child, identified_on: datetime.date, site, *, today: datetime.date
) -> Case | None:
    """A known child with an open case is refused; with a closed one, that case reopens as a relapse (returned);
    a known child with no case yet gets a new one (None)."""
    previous = child.cases.order_by("-identification_date", "-id").first()
    if previous is None:
        return None
    if previous.is_open:
        raise ValidationError(
            {"child": [_("This child already has an open case (%(number)s).") % {"number": previous.number}]}
        )
    record_relapse(
        actor=actor,
        case=previous,
        source="registration",
        date=identified_on,
        site=site,
        today=today,
        _skip_team_check=True,
    )
    return previous


def _new_child(
    *,
    organisation: Organisation,
    identified_on: datetime.date,
    given_name: str,
    family_name: str,
    sex: str,
    middle_name: str,
    other_names: str,
    date_of_birth: datetime.date | None,
    estimated_age: int | None,
    place_of_origin: Place | None,
    residence: Place | None,
    languages: Sequence[str],
    disability: str,
    school_status: str,
    last_grade: str,
    caregivers: Sequence[dict],
    photo: str,
    notes: str,
) -> Child:
    """The new child's record, checked but not saved (nothing is written before the case is checked too)."""
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
    birth, estimated = _birth_date(date_of_birth=date_of_birth, estimated_age=estimated_age, on=identified_on)
    return Child(
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
        caregivers=clean_caregivers(caregivers),
        photo=photo,
        notes=notes,
        registered_by_organisation=organisation,
    )


def _age_when_identified(
    birth: datetime.date | None,
    identified_on: datetime.date,
    working_since: datetime.date | None,
    *,
    today: datetime.date,
) -> int | None:
    """The age at identification (under 18, or not a child), and a work start date that fits it."""
    age = people.age_on(birth, identified_on)
    if age is not None and age >= 18:
        raise ValidationError(
            {"date_of_birth": [_("The person was 18 or older when identified: not a child.")]}
        )
    if working_since is not None:
        check_date("working_since", working_since, today=today)
        if birth is not None and working_since < birth:
            raise ValidationError({"working_since": [_("The child cannot have worked before birth.")]})
        if working_since > identified_on:
            raise ValidationError({"working_since": [_("This date is after the identification date.")]})
    return age


def _case_team(
    actor: Actor, organisation: Organisation, caseworker: User | None, supervisor: User | None
) -> tuple[User | None, User | None]:
    """The caseworker (a caseworker registering is it by default) and the supervisor (theirs by default)."""
    if caseworker is None and actor.role == Role.CASEWORKER:
        caseworker = actor.user
    caseworker = active_staff(organisation, caseworker, {Role.CASEWORKER, Role.SUPERVISOR}, "caseworker")
    supervisor = active_staff(
        organisation, supervisor or _default_supervisor(actor), {Role.SUPERVISOR}, "supervisor"
    )
    return caseworker, supervisor


def _log_identified_and_registered(actor: Actor, case: Case) -> None:
    log_event(
        case,
        actor=actor,
        kind="identified",
        date=case.identification_date,
        params={"method": case.identification_method},
        to_status=CaseStatus.IDENTIFIED,
    )
    if case.registration_date is not None:
        log_event(
            case,
            actor=actor,
            kind="registered",
            date=case.registration_date,
            params={"number": case.number},
            from_status=CaseStatus.IDENTIFIED,
            to_status=CaseStatus.REGISTERED,
        )


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
        params={"number": case.number},
        from_status=previous,
        to_status=case.status,
    )

    refresh_next_due(case)
    return case
