"""Writes of programmes, enrolments, deliveries, deposits, cooperatives and their members."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kinga.core import access, audit, clock, crypto
from kinga.core.access import Actor
from kinga.core.models import Organisation, OrganisationType, Place
from kinga.households import index
from kinga.households.models import (
    Cooperative,
    CooperativeKind,
    CooperativeMember,
    CooperativeMemberNameIndex,
    CooperativeNetwork,
    Delivery,
    DeliveryKind,
    Deposit,
    Enrolment,
    EnrolmentStatus,
    Household,
    HouseholdMember,
    HouseholdScore,
    Programme,
    ProgrammeKind,
)
from kinga.plan import attribution
from kinga.plan.models import Activity, Commitment

from . import figures
from .households import Errors, birth_date_from, to_decimal

# --- cooperatives ---------------------------------------------------------------------------------


@transaction.atomic
def create_network(
    *, actor: Actor, name: str, place: Place | None = None, founded_on: datetime.date | None = None
) -> CooperativeNetwork:
    access.require(actor, "households.manage_cooperatives")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("The name is required.")]})
    if CooperativeNetwork.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": [_("A network with this name exists.")]})
    network = CooperativeNetwork.objects.create(name=name, place=place, founded_on=founded_on)
    audit.record_create(actor=actor, obj=network)
    return network


@transaction.atomic
def create_cooperative(
    *,
    actor: Actor,
    name: str,
    kind: str,
    place: Place,
    acronym: str = "",
    registration_number: str = "",
    registered_on: datetime.date | None = None,
    hectares: Decimal | str | int = 0,
    network: CooperativeNetwork | None = None,
    organisation: Organisation | None = None,
) -> Cooperative:
    """A cooperative: its core organisation (type cooperative) and its profile, supported by the actor's
    organisation. An existing organisation of type cooperative can be given instead of a name."""
    access.require(actor, "households.manage_cooperatives")
    errors = Errors()
    name = (name or "").strip()
    if organisation is None and not name:
        errors.add("name", _("The name is required."))
    if organisation is None and name and Organisation.objects.filter(name__iexact=name).exists():
        errors.add("name", _("An organisation with this name exists."))
    if organisation is not None:
        if organisation.type != OrganisationType.COOPERATIVE:
            errors.add("organisation", _("This organisation is not a cooperative."))
        elif Cooperative.objects.filter(organisation=organisation).exists():
            errors.add("organisation", _("This cooperative already has a profile."))
    if kind not in CooperativeKind.values:
        errors.add("kind", _("Choose the kind of cooperative."))
    if place is None:
        errors.add("place", _("Choose the place."))
    ha = to_decimal(hectares or 0, "hectares", errors)
    if ha is not None and ha < 0:
        errors.add("hectares", _("Hectares cannot be negative."))
    registration_number = (registration_number or "").strip()
    if registration_number and Cooperative.objects.filter(registration_number=registration_number).exists():
        errors.add("registration_number", _("Another cooperative has this registration number."))
    errors.raise_if_any()
    if organisation is None:
        organisation = Organisation.objects.create(
            name=name, acronym=(acronym or "").strip(), type=OrganisationType.COOPERATIVE
        )
        audit.record_create(actor=actor, obj=organisation)
    cooperative = Cooperative.objects.create(
        organisation=organisation,
        supported_by=actor.organisation,
        kind=kind,
        registration_number=registration_number,
        registered_on=registered_on,
        place=place,
        place_path=place.path,
        territory=place.territory,
        hectares=ha,
        network=network,
    )
    audit.record_create(actor=actor, obj=cooperative)
    return cooperative


@transaction.atomic
def update_cooperative(*, actor: Actor, cooperative: Cooperative, **changes: Any) -> Cooperative:
    access.require(actor, "households.manage_cooperatives")
    allowed = {"kind", "registration_number", "registered_on", "hectares", "network", "place"}
    errors = Errors()
    for f in set(changes) - allowed:
        errors.add(f, _("This field cannot be changed."))
    if "hectares" in changes:
        ha = to_decimal(changes["hectares"], "hectares", errors)
        if ha is not None and ha < 0:
            errors.add("hectares", _("Hectares cannot be negative."))
        changes["hectares"] = ha
    errors.raise_if_any()
    before = audit.snapshot(cooperative)
    for field, value in changes.items():
        setattr(cooperative, field, value)
    if "place" in changes:
        cooperative.place_path = cooperative.place.path
        cooperative.territory = cooperative.place.territory
    cooperative.save()
    audit.record_update(actor=actor, obj=cooperative, before=before)
    return cooperative


@transaction.atomic
def add_cooperative_member(
    *,
    actor: Actor,
    cooperative: Cooperative,
    full_name: str,
    sex: str,
    joined_on: datetime.date,
    birth_date: datetime.date | None = None,
    age: int | None = None,
    phone: str = "",
    is_artisanal_miner: bool = False,
    household_member: HouseholdMember | None = None,
) -> CooperativeMember:
    """A member of a cooperative, surveyed household member or not (artisanal miners often are not)."""
    access.require(actor, "households.edit")
    errors = Errors()
    if household_member is not None:
        full_name = full_name or household_member.full_name
        sex = sex or household_member.sex
        birth_date = birth_date or household_member.birth_date
    if not (full_name or "").strip():
        errors.add("full_name", _("The member's name is required."))
    if sex not in ("M", "F"):
        errors.add("sex", _("Choose the sex."))
    birth_date, estimated = birth_date_from(birth_date=birth_date, age=age, errors=errors)
    if joined_on is None:
        errors.add("joined_on", _("Give the date of joining."))
    elif joined_on > clock.today():
        errors.add("joined_on", _("The date of joining cannot be in the future."))
    errors.raise_if_any()
    member = CooperativeMember.objects.create(
        cooperative=cooperative,
        household_member=household_member,
        full_name=full_name.strip(),
        phone=(phone or "").strip(),
        sex=sex,
        birth_date=birth_date,
        birth_date_estimated=estimated,
        is_artisanal_miner=bool(is_artisanal_miner),
        joined_on=joined_on,
    )
    CooperativeMemberNameIndex.objects.bulk_create(
        [
            CooperativeMemberNameIndex(member=member, kind=kind, digest=digest)
            for kind, digest in crypto.name_digests(member.full_name)
        ]
    )
    audit.record_create(actor=actor, obj=member)
    return member


# --- programmes and enrolment ---------------------------------------------------------------------


@transaction.atomic
def create_programme(
    *,
    actor: Actor,
    name: str,
    kind: str,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    area: Place | None = None,
    max_hectares: Decimal | str | None = None,
    min_score: Decimal | str | None = None,
    capacity: int | None = None,
    plan_activity: Activity | None = None,
    commitment: Commitment | None = None,
) -> Programme:
    access.require(actor, "households.manage_programmes")
    plan_activity, commitment = attribution.check(plan_activity, commitment)
    errors = Errors()
    if not (name or "").strip():
        errors.add("name", _("The name is required."))
    if kind not in ProgrammeKind.values:
        errors.add("kind", _("Choose the support type."))
    if starts_on is None:
        errors.add("starts_on", _("Give the start date."))
    if ends_on and starts_on and ends_on < starts_on:
        errors.add("ends_on", _("The end cannot be before the start."))
    if max_hectares in (None, "") and kind == ProgrammeKind.COOPERATIVE:
        max_hectares = Decimal(5)  # the plan: 1,000 households on 5 ha each
    ha = to_decimal(max_hectares, "max_hectares", errors, required=False)
    if ha is not None and not 0 < ha <= 100:
        errors.add("max_hectares", _("The limit is between 0 and 100 hectares per household."))
    score = to_decimal(min_score, "min_score", errors, required=False)
    if score is not None and not 0 <= score <= 100:
        errors.add("min_score", _("A score is between 0 and 100."))
    errors.raise_if_any()
    programme = Programme.objects.create(
        name=name.strip(),
        kind=kind,
        organisation=actor.organisation,
        area=area,
        starts_on=starts_on,
        ends_on=ends_on,
        max_hectares=ha,
        min_score=score,
        capacity=capacity,
        plan_activity=plan_activity,
        commitment=commitment,
    )
    audit.record_create(actor=actor, obj=programme)
    return programme


def eligibility(programme: Programme, household: Household) -> list[str]:
    """Why a household cannot enrol in a programme (an empty list: it can)."""
    reasons = []
    if programme.area_id and not household.place_path.startswith(programme.area.path):
        reasons.append(_("The household lives outside the programme's area."))
    if programme.ends_on and programme.ends_on < clock.today():
        reasons.append(_("The programme has ended."))
    if programme.min_score is not None and not household.is_priority:
        score = HouseholdScore.objects.filter(household=household, version=index.current_version()).first()
        if score is None:
            reasons.append(_("The household has not been surveyed: its vulnerability is unknown."))
        elif score.score < programme.min_score:
            reasons.append(
                _("Vulnerability score %(score)s below the programme's minimum of %(min)s.")
                % {"score": score.score, "min": programme.min_score}
            )
    if programme.capacity is not None:
        taken = programme.enrolments.filter(status=EnrolmentStatus.ACTIVE).count()
        if taken >= programme.capacity:
            reasons.append(_("The programme is full (%(n)s places).") % {"n": programme.capacity})
    if programme.enrolments.filter(household=household, status=EnrolmentStatus.ACTIVE).exists():
        reasons.append(_("The household is already enrolled in this programme."))
    return reasons


def _check_details(
    programme: Programme, household: Household, details: dict[str, Any], errors: Errors
) -> dict:
    clean = dict(details)
    if "hectares" in details:
        ha = to_decimal(details["hectares"], "hectares", errors, required=False)
        if ha is not None:
            if ha < 0:
                errors.add("hectares", _("Hectares cannot be negative."))
            elif programme.max_hectares is not None and ha > programme.max_hectares:
                errors.add(
                    "hectares",
                    _("%(ha)s ha is beyond the programme's limit of %(max)s ha per household.")
                    % {"ha": ha, "max": programme.max_hectares},
                )
            elif ha > 100:
                errors.add("hectares", _("%(ha)s ha is not plausible for one household.") % {"ha": ha})
        clean["hectares"] = ha
    if (
        details.get("cooperative") is None
        and programme.kind == ProgrammeKind.COOPERATIVE
        and "cooperative" in details
    ):
        errors.add("cooperative", _("Choose the cooperative."))
    planned, attended = details.get("sessions_planned"), details.get("sessions_attended")
    if planned is not None and attended is not None and int(attended) > int(planned):
        errors.add("sessions_attended", _("More sessions attended than planned."))
    for f in ("business_created_on", "account_opened_on"):
        if details.get(f) and details[f] > clock.today():
            errors.add(f, _("This date cannot be in the future."))
    return clean


@transaction.atomic
def enrol(
    *,
    actor: Actor,
    programme: Programme,
    household: Household,
    enrolled_on: datetime.date,
    member: HouseholdMember | None = None,
    **details: Any,
) -> Enrolment:
    """Enrol a household after checking its eligibility; the details depend on the support type."""
    access.require(actor, "households.enrol")
    errors = Errors()
    for f in set(details) - set(Enrolment.DETAILS):
        errors.add(f, _("Unknown field."))
    for reason in eligibility(programme, household):
        errors.add("household", reason)
    if enrolled_on is None:
        errors.add("enrolled_on", _("Give the date of enrolment."))
    elif enrolled_on > clock.today():
        errors.add("enrolled_on", _("The date of enrolment cannot be in the future."))
    elif enrolled_on < programme.starts_on:
        errors.add(
            "enrolled_on",
            _("The programme starts on %(date)s.")
            % {"date": date_format(programme.starts_on, "SHORT_DATE_FORMAT")},
        )
    if member is not None and member.household_id != household.pk:
        errors.add("member", _("This person is not a member of the household."))
    clean = _check_details(programme, household, details, errors)
    errors.raise_if_any()
    enrolment = Enrolment.objects.create(
        programme=programme, household=household, member=member, enrolled_on=enrolled_on, **clean
    )
    figures.refresh_household(household)
    audit.record_create(actor=actor, obj=enrolment)
    return enrolment


@transaction.atomic
def update_enrolment(
    *, actor: Actor, enrolment: Enrolment, status: str | None = None, ended_on=None, **details: Any
) -> Enrolment:
    """Record progress: completion, drop-out, new occupation, business status, attendance..."""
    access.require(actor, "households.enrol")
    errors = Errors()
    for f in set(details) - set(Enrolment.DETAILS):
        errors.add(f, _("Unknown field."))
    if status is not None and status not in EnrolmentStatus.values:
        errors.add("status", _("Unknown status."))
    if status in (EnrolmentStatus.COMPLETED, EnrolmentStatus.DROPPED) and ended_on is None:
        ended_on = clock.today()
    if ended_on is not None and ended_on < enrolment.enrolled_on:
        errors.add("ended_on", _("The end cannot be before the enrolment."))
    merged = {f: getattr(enrolment, f) for f in ("sessions_planned", "sessions_attended")} | details
    clean = _check_details(enrolment.programme, enrolment.household, merged, errors)
    errors.raise_if_any()
    before = audit.snapshot(enrolment)
    for field in details:
        setattr(enrolment, field, clean[field])
    if status is not None:
        enrolment.status = status
    if ended_on is not None:
        enrolment.ended_on = ended_on
    enrolment.save()
    figures.refresh_household(enrolment.household)
    audit.record_update(actor=actor, obj=enrolment, before=before)
    return enrolment


@transaction.atomic
def add_delivery(
    *,
    actor: Actor,
    enrolment: Enrolment,
    delivered_on: datetime.date,
    kind: str,
    quantity: Decimal | str,
    value_usd: Decimal | str = 0,
    unit: str = "",
    description: str = "",
) -> Delivery:
    access.require(actor, "households.enrol")
    errors = Errors()
    if kind not in DeliveryKind.values:
        errors.add("kind", _("Choose what was delivered."))
    q = to_decimal(quantity, "quantity", errors)
    if q is not None and q <= 0:
        errors.add("quantity", _("The quantity must be more than zero."))
    v = to_decimal(value_usd or 0, "value_usd", errors)
    if v is not None and v < 0:
        errors.add("value_usd", _("A value cannot be negative."))
    if delivered_on is None:
        errors.add("delivered_on", _("Give the date of delivery."))
    elif delivered_on > clock.today():
        errors.add("delivered_on", _("This date cannot be in the future."))
    errors.raise_if_any()
    delivery = Delivery.objects.create(
        enrolment=enrolment,
        delivered_on=delivered_on,
        kind=kind,
        quantity=q,
        value_usd=v,
        unit=(unit or "").strip(),
        description=(description or "").strip(),
    )
    audit.record_create(actor=actor, obj=delivery)
    return delivery


@transaction.atomic
def add_deposit(
    *, actor: Actor, enrolment: Enrolment, deposited_on: datetime.date, amount_usd: Decimal | str
) -> Deposit:
    access.require(actor, "households.enrol")
    errors = Errors()
    if enrolment.programme.kind != ProgrammeKind.SAVINGS:
        errors.add("enrolment", _("Deposits belong to savings programmes."))
    elif enrolment.account_opened_on is None:
        errors.add("enrolment", _("Record the account opening first."))
    amount = to_decimal(amount_usd, "amount_usd", errors)
    if amount is not None and amount <= 0:
        errors.add("amount_usd", _("A deposit is more than zero."))
    if deposited_on is None:
        errors.add("deposited_on", _("Give the date of the deposit."))
    elif deposited_on > clock.today():
        errors.add("deposited_on", _("This date cannot be in the future."))
    elif enrolment.account_opened_on and deposited_on < enrolment.account_opened_on:
        errors.add("deposited_on", _("The deposit is before the account was opened."))
    errors.raise_if_any()
    deposit = Deposit.objects.create(enrolment=enrolment, deposited_on=deposited_on, amount_usd=amount)
    figures.refresh_household(enrolment.household)
    audit.record_create(actor=actor, obj=deposit)
    return deposit
