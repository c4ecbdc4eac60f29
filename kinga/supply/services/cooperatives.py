"""Writes of the supply chain: each checks the permission, validates, writes the audit trail (lots and their
evacuation in lots.py)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kinga.core import access, audit, clock
from kinga.core.access import Actor
from kinga.core.models import Organisation, OrganisationType
from kinga.sites.models import Site
from kinga.supply import scopes
from kinga.supply.models import (
    CooperativeDocument,
    DocumentType,
    Miner,
    Mineral,
    Production,
)

MIN_MEMBER_AGE = 18


def acts_province_wide(actor: Actor) -> bool:
    """State services and the coordination act for every cooperative; others only for their own."""
    return scopes.province_wide(actor)


def check_cooperative(actor: Actor, cooperative: Organisation, field: str = "cooperative") -> None:
    """The cooperative must be one, and the actor must act for it (its own members, or a province-wide role)."""
    if cooperative is None or cooperative.type != OrganisationType.COOPERATIVE:
        raise ValidationError({field: [_("Choose an organisation of type cooperative.")]})
    if not cooperative.is_active:
        raise ValidationError({field: [_("This cooperative is no longer active.")]})
    if acts_province_wide(actor):
        return
    if actor.organisation_id != cooperative.pk:
        raise PermissionDenied(_("You can only record data of your own cooperative."))


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def check_mineral(mineral: str) -> None:
    if mineral not in Mineral.values:
        raise ValidationError({"mineral": [_("Unknown mineral.")]})


def check_grade(grade_percent: Decimal | None) -> None:
    if grade_percent is not None and not (0 <= grade_percent <= 100):
        raise ValidationError({"grade_percent": [_("The grade is a percentage between 0 and 100.")]})


def not_in_future(day: datetime.date, field: str) -> None:
    if day > clock.today():
        raise ValidationError({field: [_("This date is in the future.")]})


# --- Configuration -------------------------------------------------------------------------------------------


@transaction.atomic
def save_document_type(
    *,
    actor: Actor,
    code: str,
    name_fr: str,
    name_en: str,
    is_required: bool = True,
    default_validity_months: int | None = None,
    order: int = 100,
    is_active: bool = True,
    document_type: DocumentType | None = None,
) -> DocumentType:
    access.require(actor, "supply.configure")
    if not name_fr.strip() or not name_en.strip():
        raise ValidationError({"name_fr": [_("Give the document's name in French and in English.")]})
    clash = DocumentType.objects.filter(code=code)
    if document_type is not None:
        clash = clash.exclude(pk=document_type.pk)
    if clash.exists():
        raise ValidationError({"code": [_("This code is already used by another document type.")]})
    values = {
        "code": code,
        "name_fr": name_fr.strip(),
        "name_en": name_en.strip(),
        "is_required": is_required,
        "default_validity_months": default_validity_months,
        "order": order,
        "is_active": is_active,
    }
    if document_type is None:
        document_type = DocumentType.objects.create(**values)
        audit.record_create(actor=actor, obj=document_type)
        return document_type
    before = audit.snapshot(document_type)
    for name, value in values.items():
        setattr(document_type, name, value)
    document_type.save(update_fields=list(values))
    audit.record_update(actor=actor, obj=document_type, before=before)
    return document_type


DEFAULT_DOCUMENT_TYPES = [
    (
        "statuts-agrement",
        "Statuts et agrément (enregistrement)",
        "Articles and registration (agrément)",
        None,
        10,
    ),
    ("liste-membres", "Liste des membres", "Member list", 12, 20),
    ("registre-production", "Registre de production", "Production register", 12, 30),
    (
        "autorisation-zea",
        "Autorisation d'exploiter la zone (ZEA)",
        "Authorisation to work the zone (ZEA)",
        12,
        40,
    ),
    ("rapport-gestion", "Dernier rapport de gestion", "Latest management report", 12, 50),
]


def load_default_document_types(*, actor: Actor, stdout=None) -> int:
    """Reference loader: creates the plan's required documents once; never changes what administrators set."""
    created = 0
    for code, name_fr, name_en, months, order in DEFAULT_DOCUMENT_TYPES:
        if DocumentType.objects.filter(code=code).exists():
            continue
        save_document_type(
            actor=actor,
            code=code,
            name_fr=name_fr,
            name_en=name_en,
            default_validity_months=months,
            order=order,
        )
        created += 1
    if stdout is not None:
        stdout.write(f"supply : {created} type(s) de document de coopérative créé(s)")
    return created


# --- Cooperatives: documents and members ---------------------------------------------------------------------


@transaction.atomic
def record_document(
    *,
    actor: Actor,
    cooperative: Organisation,
    document_type: DocumentType,
    issued_on: datetime.date,
    valid_until: datetime.date | None = None,
    reference: str = "",
    issuer: str = "",
    notes: str = "",
) -> CooperativeDocument:
    access.require(actor, "supply.record")
    check_cooperative(actor, cooperative)
    if not document_type.is_active:
        raise ValidationError({"document_type": [_("This document type is no longer in use.")]})
    not_in_future(issued_on, "issued_on")
    if valid_until is not None and valid_until < issued_on:
        raise ValidationError({"valid_until": [_("The document cannot expire before it was issued.")]})
    document = CooperativeDocument.objects.create(
        cooperative=cooperative,
        document_type=document_type,
        issued_on=issued_on,
        valid_until=valid_until,
        reference=reference.strip(),
        issuer=issuer.strip(),
        notes=notes.strip(),
        recorded_by=actor.user,
    )
    audit.record_create(actor=actor, obj=document)
    return document


@transaction.atomic
def register_miner(
    *,
    actor: Actor,
    cooperative: Organisation,
    member_number: str,
    sex: str,
    birth_year: int,
    joined_on: datetime.date | None = None,
) -> Miner:
    access.require(actor, "supply.record")
    check_cooperative(actor, cooperative)
    member_number = member_number.strip()
    if not member_number:
        raise ValidationError({"member_number": [_("Give the member number.")]})
    if sex not in ("F", "M"):
        raise ValidationError({"sex": [_("Choose the sex.")]})
    this_year = clock.today().year
    if birth_year < 1900 or birth_year > this_year:
        raise ValidationError({"birth_year": [_("Give a plausible year of birth.")]})
    if this_year - birth_year < MIN_MEMBER_AGE:
        # A child in a mining cooperative is a child at a mine site: a case to report, not a member to register.
        raise ValidationError(
            {
                "birth_year": [
                    _(
                        "A member must be at least 18. A child working at a mine site must be reported "
                        "to child protection, not registered as a miner."
                    )
                ]
            }
        )
    if Miner.objects.filter(cooperative=cooperative, member_number=member_number).exists():
        raise ValidationError({"member_number": [_("This member number is already registered.")]})
    miner = Miner.objects.create(
        cooperative=cooperative,
        member_number=member_number,
        sex=sex,
        birth_year=birth_year,
        joined_on=joined_on,
    )
    audit.record_create(actor=actor, obj=miner)
    return miner


@transaction.atomic
def miner_leaves(*, actor: Actor, miner: Miner, left_on: datetime.date) -> Miner:
    """Record (or correct) the day a member left the cooperative: from then on, no longer counted as active."""
    access.require(actor, "supply.record")
    check_cooperative(actor, miner.cooperative)
    not_in_future(left_on, "left_on")
    if miner.joined_on and left_on < miner.joined_on:
        raise ValidationError(
            {
                "left_on": [
                    _(
                        "The departure date (%(left)s) cannot be before the date this member joined the "
                        "cooperative (%(joined)s)."
                    )
                    % {
                        "left": date_format(left_on, "SHORT_DATE_FORMAT"),
                        "joined": date_format(miner.joined_on, "SHORT_DATE_FORMAT"),
                    }
                ]
            }
        )
    before = audit.snapshot(miner)
    miner.left_on = left_on
    miner.save(update_fields=["left_on"])
    audit.record_update(actor=actor, obj=miner, before=before)
    return miner


# --- Production ---------------------------------------------------------------------------------------------


@transaction.atomic
def record_production(
    *,
    actor: Actor,
    site: Site,
    cooperative: Organisation,
    mineral: str,
    month: datetime.date,
    tonnage: Decimal,
    grade_percent: Decimal | None = None,
) -> Production:
    """The month's production of a cooperative at a site; recording the same month again corrects it."""
    access.require(actor, "supply.record")
    check_cooperative(actor, cooperative)
    check_mineral(mineral)
    check_grade(grade_percent)
    if tonnage is None or tonnage < 0:
        raise ValidationError({"tonnage": [_("The tonnage cannot be negative.")]})
    month = _month_start(month)
    if month > _month_start(clock.today()):
        raise ValidationError({"month": [_("This month has not happened yet.")]})
    existing = (
        Production.objects.select_for_update()
        .filter(site=site, cooperative=cooperative, mineral=mineral, month=month)
        .first()
    )
    if existing is None:
        production = Production.objects.create(
            site=site,
            cooperative=cooperative,
            mineral=mineral,
            month=month,
            tonnage=tonnage,
            grade_percent=grade_percent,
            recorded_by=actor.user,
        )
        audit.record_create(actor=actor, obj=production)
        return production
    before = audit.snapshot(existing)
    existing.tonnage, existing.grade_percent, existing.recorded_by = tonnage, grade_percent, actor.user
    existing.save(update_fields=["tonnage", "grade_percent", "recorded_by", "updated_at"])
    audit.record_update(actor=actor, obj=existing, before=before)
    return existing
