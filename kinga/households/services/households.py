"""Writes of the households app: atomic, audited, refusing impossible values with field-level errors."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from kinga.cases import selectors as case_selectors
from kinga.cases.models import CaseStatus
from kinga.core import access, audit, clock, concurrency, crypto, geo
from kinga.core.access import Actor
from kinga.core.models import Organisation, OrganisationType, Place
from kinga.households.models import (
    Household,
    HouseholdMember,
    HouseholdNameIndex,
    Relationship,
)
from kinga.households.models.households import MAX_HOUSEHOLD_SIZE

from . import figures, totals

MAX_AGE = 120


class Errors(dict):
    def add(self, field: str, message: str) -> None:
        self.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self:
            raise ValidationError(dict(self))


def to_decimal(value: Any, field: str, errors: Errors, *, required: bool = True) -> Decimal | None:
    if value in (None, ""):
        if required:
            errors.add(field, _("This value is required."))
        return None
    try:
        result = Decimal(str(value).replace(",", ".").strip())
    except (InvalidOperation, ValueError):
        errors.add(field, _("Enter a number."))
        return None
    if not result.is_finite():
        errors.add(field, _("Enter a number."))
        return None
    return result


def birth_date_from(
    *, birth_date: datetime.date | None, age: int | None, errors: Errors, today: datetime.date | None = None
) -> tuple[datetime.date | None, bool]:
    """A date of birth, given or estimated from an age in years; nobody over 120, nobody unborn."""
    today = today or clock.today()
    if birth_date is None and age in (None, ""):
        errors.add("birth_date", _("Give the date of birth or the age."))
        return None, False
    estimated = False
    if birth_date is None:
        try:
            age = int(age)
        except (TypeError, ValueError):
            errors.add("age", _("Enter an age in whole years."))
            return None, False
        if age < 0 or age > MAX_AGE:
            errors.add("age", _("The age must be between 0 and %(max)s years.") % {"max": MAX_AGE})
            return None, False
        birth_date, estimated = datetime.date(today.year - age, 7, 1), True
        if birth_date > today:
            birth_date = today
    if birth_date > today:
        errors.add("birth_date", _("The date of birth cannot be in the future."))
    elif (
        today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))
    ) > MAX_AGE:
        errors.add(
            "birth_date", _("Nobody is older than %(max)s years: check the date of birth.") % {"max": MAX_AGE}
        )
    return birth_date, estimated


def check_coordinates(latitude, longitude, errors: Errors) -> tuple[Decimal | None, Decimal | None]:
    """Core's coordinate rule (kinga.core.geo), its messages collected with the other fields' errors."""
    try:
        return geo.check_coordinates(latitude, longitude)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            for message in messages:
                errors.add(field, message)
        return None, None


def check_size(size, errors: Errors, field: str = "size") -> int | None:
    try:
        size = int(size)
    except (TypeError, ValueError):
        errors.add(field, _("Enter a whole number of people."))
        return None
    if size < 1 or size > MAX_HOUSEHOLD_SIZE:
        errors.add(
            field,
            _("A household has between 1 and %(max)s people; %(value)s is not possible.")
            % {"max": MAX_HOUSEHOLD_SIZE, "value": size},
        )
        return None
    return size


def reindex_names(household: Household) -> None:
    """Rebuild the blind index of a household's names (head and members)."""
    HouseholdNameIndex.objects.filter(household=household).delete()
    rows = [
        HouseholdNameIndex(household=household, kind=kind, digest=digest)
        for kind, digest in crypto.name_digests(household.head_name or "")
    ]
    for member in household.members.all():
        rows += [
            HouseholdNameIndex(household=household, member=member, kind=kind, digest=digest)
            for kind, digest in crypto.name_digests(member.full_name or "")
        ]
    HouseholdNameIndex.objects.bulk_create(rows)


# --- households and members -----------------------------------------------------------------------


@transaction.atomic
def create_household(
    *,
    actor: Actor,
    survey_id: str,
    place: Place,
    head_name: str,
    size: int,
    contact_phone: str = "",
    address: str = "",
    latitude: Decimal | float | str | None = None,
    longitude: Decimal | float | str | None = None,
    organisation: Organisation | None = None,
) -> Household:
    access.require(actor, "households.edit")
    organisation = organisation or actor.organisation
    errors = Errors()
    survey_id = (survey_id or "").strip()
    if not survey_id:
        errors.add("survey_id", _("The survey identifier is required."))
    if place is None:
        errors.add("place", _("Choose the place."))
    if not (head_name or "").strip():
        errors.add("head_name", _("The name of the head of household is required."))
    if organisation is None:
        errors.add("organisation", _("You act in no organisation."))
    size = check_size(size, errors)
    lat, lon = check_coordinates(latitude, longitude, errors)
    if (
        not errors
        and Household.objects.filter(organisation=organisation, place=place, survey_id=survey_id).exists()
    ):
        errors.add("survey_id", _("A household with this survey identifier already exists in this place."))
    errors.raise_if_any()
    household = Household.objects.create(
        organisation=organisation,
        survey_id=survey_id,
        place=place,
        place_path=place.path,
        territory=place.territory,
        head_name=head_name.strip(),
        contact_phone=(contact_phone or "").strip(),
        address=(address or "").strip(),
        latitude=lat,
        longitude=lon,
        size=size,
    )
    reindex_names(household)
    figures.refresh_household(household)
    audit.record_create(actor=actor, obj=household)
    return household


HOUSEHOLD_EDITABLE = ("head_name", "contact_phone", "address", "latitude", "longitude", "size", "place")


@transaction.atomic
def update_household(
    *, actor: Actor, household: Household, version: int | None = None, **changes: Any
) -> Household:
    """`version`: the version the writer read (kinga.core.concurrency); None: the one `household` was read with."""
    access.require(actor, "households.edit")
    unknown = set(changes) - set(HOUSEHOLD_EDITABLE)
    if unknown:
        raise ValidationError({f: [_("This field cannot be changed.")] for f in unknown})
    before = audit.snapshot(household)
    errors = Errors()
    if "size" in changes:
        changes["size"] = check_size(changes["size"], errors)
    if "head_name" in changes and not (changes["head_name"] or "").strip():
        errors.add("head_name", _("The name of the head of household is required."))
    if "latitude" in changes or "longitude" in changes:
        lat, lon = check_coordinates(
            changes.get("latitude", household.latitude), changes.get("longitude", household.longitude), errors
        )
        changes["latitude"], changes["longitude"] = lat, lon
    errors.raise_if_any()
    concurrency.claim(household, version)
    former_place_path = household.place_path
    for field, value in changes.items():
        setattr(household, field, value)
    if "place" in changes:
        household.place_path = household.place.path
        household.territory = household.place.territory
    household.save()
    if household.place_path != former_place_path:
        totals.refresh_household(household, former_place_path=former_place_path)
        figures.refresh_household(household, former_place_path=former_place_path)
    if "head_name" in changes:
        reindex_names(household)
    audit.record_update(actor=actor, obj=household, before=before)
    return household


@transaction.atomic
def add_member(
    *,
    actor: Actor,
    household: Household,
    full_name: str,
    relationship: str,
    sex: str,
    birth_date: datetime.date | None = None,
    age: int | None = None,
    phone: str = "",
    schooling: str = "none",
    attends_school: bool = False,
    occupation: str = "unemployed",
    works_at_mine_site: bool = False,
    disability_or_chronic_illness: bool = False,
    child_case=None,
) -> HouseholdMember:
    access.require(actor, "households.edit")
    errors = Errors()
    if not (full_name or "").strip():
        errors.add("full_name", _("The member's name is required."))
    if relationship not in Relationship.values:
        errors.add("relationship", _("Choose the relationship to the head."))
    if sex not in ("M", "F"):
        errors.add("sex", _("Choose the sex."))
    birth_date, estimated = birth_date_from(birth_date=birth_date, age=age, errors=errors)
    if (
        relationship == Relationship.HEAD
        and household.members.filter(relationship=Relationship.HEAD).exists()
    ):
        errors.add("relationship", _("This household already has a head."))
    if household.members.count() >= MAX_HOUSEHOLD_SIZE:
        errors.add(
            "full_name", _("A household cannot have more than %(max)s members.") % {"max": MAX_HOUSEHOLD_SIZE}
        )
    errors.raise_if_any()
    member = HouseholdMember.objects.create(
        household=household,
        full_name=full_name.strip(),
        phone=(phone or "").strip(),
        relationship=relationship,
        sex=sex,
        birth_date=birth_date,
        birth_date_estimated=estimated,
        schooling=schooling,
        attends_school=bool(attends_school),
        occupation=occupation,
        works_at_mine_site=bool(works_at_mine_site),
        disability_or_chronic_illness=bool(disability_or_chronic_illness),
        child_case=child_case,
    )
    if child_case is not None:
        refresh_priority(Household.objects.filter(pk=household.pk))
    if household.members.count() > household.size:
        before = audit.snapshot(household, ["size"])
        household.size = household.members.count()
        household.save(update_fields=["size", "updated_at"])
        audit.record_update(actor=actor, obj=household, before=before, note="size follows the member list")
    reindex_names(household)
    audit.record_create(actor=actor, obj=member)
    return member


MEMBER_EDITABLE = (
    "full_name",
    "phone",
    "schooling",
    "attends_school",
    "occupation",
    "works_at_mine_site",
    "disability_or_chronic_illness",
)


@transaction.atomic
def update_member(*, actor: Actor, member: HouseholdMember, **changes: Any) -> HouseholdMember:
    access.require(actor, "households.edit")
    unknown = set(changes) - set(MEMBER_EDITABLE)
    if unknown:
        raise ValidationError({f: [_("This field cannot be changed.")] for f in unknown})
    if "full_name" in changes and not (changes["full_name"] or "").strip():
        raise ValidationError({"full_name": [_("The member's name is required.")]})
    before = audit.snapshot(member)
    for field, value in changes.items():
        setattr(member, field, value)
    member.save()
    if "full_name" in changes:
        reindex_names(member.household)
    audit.record_update(actor=actor, obj=member, before=before)
    return member


def refresh_priority(households=None) -> int:
    """Flag as priority, in one UPDATE, the households with a child whose case is open."""

    qs = households if households is not None else Household.objects.all()
    open_case = Exists(
        HouseholdMember.objects.filter(household=OuterRef("pk"), child_case__isnull=False).exclude(
            child_case__status=CaseStatus.CLOSED
        )
    )
    # Two UPDATEs touching only the rows whose flag changes (rewriting every household is the slow part).
    to_raise, to_lower = qs.filter(open_case, is_priority=False), qs.filter(~open_case, is_priority=True)
    keys = set(to_raise.values_list("organisation_id", "place_path").distinct()) | set(
        to_lower.values_list("organisation_id", "place_path").distinct()
    )
    raised = to_raise.update(is_priority=True)
    lowered = to_lower.update(is_priority=False)
    figures.refresh_keys(keys)
    return raised + lowered


@transaction.atomic
def link_child_case(*, actor: Actor, member: HouseholdMember, case) -> HouseholdMember:
    """Link a household member to their case (a case the actor may see): the household becomes priority
    while the case is open, and the household page shows the child's status from the case's follow-ups."""
    access.require(actor, "households.edit")

    if case is not None and not case_selectors.cases_by_ids(actor, [case.pk]).exists():
        raise ValidationError({"case": [_("Unknown case.")]})
    before = audit.snapshot(member, ["child_case"])
    member.child_case = case
    member.save(update_fields=["child_case"])
    refresh_priority(Household.objects.filter(pk=member.household_id))
    audit.record_update(actor=actor, obj=member, before=before)
    return member


def cooperative_organisation_type() -> str:
    return OrganisationType.COOPERATIVE
