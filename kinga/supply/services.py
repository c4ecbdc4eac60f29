"""Writes of the supply chain: each checks the permission, validates, writes the audit trail."""

from __future__ import annotations

import datetime
import uuid as uuidlib
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kinga.core import access, audit, events
from kinga.core.access import Actor
from kinga.core.models import Organisation, OrganisationType
from kinga.sites.models import Site
from kinga.supply import decision as rules
from kinga.supply import scopes
from kinga.supply.models import (
    CooperativeDocument,
    DocumentType,
    EvacuationAuthorisation,
    Lot,
    LotStatus,
    Miner,
    Mineral,
    Outcome,
    OverrideState,
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


def _check_mineral(mineral: str) -> None:
    if mineral not in Mineral.values:
        raise ValidationError({"mineral": [_("Unknown mineral.")]})


def _check_grade(grade_percent: Decimal | None) -> None:
    if grade_percent is not None and not (0 <= grade_percent <= 100):
        raise ValidationError({"grade_percent": [_("The grade is a percentage between 0 and 100.")]})


def _not_in_future(day: datetime.date, field: str) -> None:
    if day > timezone.localdate():
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
        stdout.write(f"supply: {created} cooperative document types created")
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
    _not_in_future(issued_on, "issued_on")
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
    this_year = timezone.localdate().year
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
    _not_in_future(left_on, "left_on")
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
    _check_mineral(mineral)
    _check_grade(grade_percent)
    if tonnage is None or tonnage < 0:
        raise ValidationError({"tonnage": [_("The tonnage cannot be negative.")]})
    month = _month_start(month)
    if month > _month_start(timezone.localdate()):
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


# --- Lots and evacuation authorisations ---------------------------------------------------------------------


def _new_code(prefix: str, day: datetime.date) -> str:
    return f"{prefix}-{day:%Y%m%d}-{uuidlib.uuid4().hex[:6].upper()}"


@transaction.atomic
def record_lot(
    *,
    actor: Actor,
    site: Site,
    cooperative: Organisation,
    mineral: str,
    weight_kg: Decimal,
    date: datetime.date,
    buyer: Organisation,
    grade_percent: Decimal | None = None,
    reference: str = "",
) -> Lot:
    access.require(actor, "supply.record")
    check_cooperative(actor, cooperative)
    errors: dict[str, list[str]] = {}
    for check in (
        lambda: _check_mineral(mineral),
        lambda: _check_grade(grade_percent),
        lambda: _not_in_future(date, "date"),
    ):
        try:
            check()
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if weight_kg is None or weight_kg <= 0:
        errors["weight_kg"] = [_("The weight must be more than zero.")]
    if buyer is None or buyer.type != OrganisationType.COMPANY:
        errors["buyer"] = [_("Choose the buying company.")]
    reference = reference.strip() or _new_code("LOT", date)
    if Lot.objects.filter(reference=reference).exists():
        errors["reference"] = [_("A lot with this reference already exists.")]
    if errors:
        raise ValidationError(errors)
    lot = Lot.objects.create(
        reference=reference,
        site=site,
        cooperative=cooperative,
        mineral=mineral,
        weight_kg=weight_kg,
        grade_percent=grade_percent,
        date=date,
        buyer=buyer,
        recorded_by=actor.user,
    )
    audit.record_create(actor=actor, obj=lot)
    return lot


@transaction.atomic
def decide_evacuation(*, actor: Actor, lot: Lot) -> EvacuationAuthorisation:
    """Decide today whether the lot may leave its site; a refusal is a decision too, kept with its reasons."""
    access.require(actor, "supply.authorise")
    lot = Lot.objects.select_for_update().select_related("site", "cooperative").get(pk=lot.pk)
    if lot.can_leave_site:
        raise ValidationError({"lot": [_("This lot already has an evacuation authorisation.")]})
    now = timezone.now()
    day = timezone.localdate(now)
    result = rules.evaluate(lot, day)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                authorisation = EvacuationAuthorisation.objects.create(
                    number=_new_code("AE", day),
                    lot=lot,
                    decided_at=now,
                    decided_by=actor.user,
                    decided_by_role=actor.role or "",
                    outcome=result.outcome,
                    site_status=result.site_status.status,
                    site_status_reason=result.site_status.reason,
                    site_status_since=result.site_status.since,
                    reasons=result.reasons,
                    warnings=result.warnings,
                    documents=result.documents,
                )
            break
        except IntegrityError:  # two decisions drew the same random number: draw again
            continue
    else:  # pragma: no cover - three collisions of 24 random bits in one day
        raise ValidationError({"lot": [_("Could not number the authorisation; try again.")]})
    before = audit.snapshot(lot)
    lot.status = LotStatus.REFUSED if result.outcome == Outcome.REFUSED else LotStatus.AUTHORISED
    lot.site_status = result.site_status.status
    lot.site_status_reason = result.site_status.reason
    lot.decided_at = now
    lot.save(update_fields=["status", "site_status", "site_status_reason", "decided_at"])
    note = "; ".join(rules.reason_text(r) for r in result.reasons + result.warnings)
    audit.record_create(actor=actor, obj=authorisation, note=note)
    audit.record_update(actor=actor, obj=lot, before=before)
    events.publish(
        "supply.lot_decided",
        actor=actor,
        lot_id=lot.pk,
        site_id=lot.site_id,
        outcome=result.outcome,
        site_status=result.site_status.status,
    )
    return authorisation


_OVERRIDE_FIELDS = [
    "override_state",
    "override_requested_by",
    "override_requested_role",
    "override_request_reason",
    "override_requested_at",
    "override_decided_by",
    "override_decided_role",
    "override_decision_reason",
    "override_decided_at",
]


def _written_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationError({"reason": [_("Write the reason in full (at least 10 characters).")]})
    return reason


@transaction.atomic
def request_override(
    *, actor: Actor, authorisation: EvacuationAuthorisation, reason: str
) -> EvacuationAuthorisation:
    """First person: asks that a refusal be overridden, in writing."""
    access.require(actor, "supply.request_override")
    reason = _written_reason(reason)
    authorisation = EvacuationAuthorisation.objects.select_for_update().get(pk=authorisation.pk)
    if authorisation.outcome != Outcome.REFUSED:
        raise ValidationError({"authorisation": [_("Only a refusal can be overridden.")]})
    if authorisation.override_state in (OverrideState.REQUESTED, OverrideState.APPROVED):
        raise ValidationError(
            {"authorisation": [_("An override of this refusal is already requested or granted.")]}
        )
    if authorisation.lot.authorisations.filter(decided_at__gt=authorisation.decided_at).exists():
        raise ValidationError(
            {"authorisation": [_("A newer decision exists for this lot: override that one.")]}
        )
    before = audit.snapshot(authorisation)
    authorisation.override_state = OverrideState.REQUESTED
    authorisation.override_requested_by = actor.user
    authorisation.override_requested_role = actor.role or ""
    authorisation.override_request_reason = reason
    authorisation.override_requested_at = timezone.now()
    authorisation.override_decided_by = None
    authorisation.override_decided_role = ""
    authorisation.override_decision_reason = ""
    authorisation.override_decided_at = None
    authorisation.save(update_fields=_OVERRIDE_FIELDS)
    audit.record_update(
        actor=actor,
        obj=authorisation,
        before=before,
        note=_("Override requested: %(reason)s") % {"reason": reason},
    )
    return authorisation


@transaction.atomic
def decide_override(
    *, actor: Actor, authorisation: EvacuationAuthorisation, approve: bool, reason: str
) -> EvacuationAuthorisation:
    """Second person, of another role than the one who asked: approves or declines, in writing."""
    access.require(actor, "supply.override")
    reason = _written_reason(reason)
    authorisation = (
        EvacuationAuthorisation.objects.select_for_update().select_related("lot").get(pk=authorisation.pk)
    )
    if authorisation.override_state != OverrideState.REQUESTED:
        raise ValidationError(
            {"authorisation": [_("No override is waiting for a decision on this refusal.")]}
        )
    if actor.user is not None and actor.user.pk == authorisation.override_requested_by_id:
        raise PermissionDenied(
            _("The override must be decided by a second person, not the one who asked for it.")
        )
    if (actor.role or "") == authorisation.override_requested_role:
        raise PermissionDenied(
            _("The override must be decided by a person of another role than the one who asked.")
        )
    before = audit.snapshot(authorisation)
    authorisation.override_state = OverrideState.APPROVED if approve else OverrideState.DECLINED
    authorisation.override_decided_by = actor.user
    authorisation.override_decided_role = actor.role or ""
    authorisation.override_decision_reason = reason
    authorisation.override_decided_at = timezone.now()
    authorisation.save(update_fields=_OVERRIDE_FIELDS)
    note = (_("Override approved: %(reason)s") if approve else _("Override declined: %(reason)s")) % {
        "reason": reason
    }
    audit.record_update(actor=actor, obj=authorisation, before=before, note=note)
    if approve:
        lot = Lot.objects.select_for_update().get(pk=authorisation.lot_id)
        lot_before = audit.snapshot(lot)
        lot.status = LotStatus.OVERRIDDEN
        lot.save(update_fields=["status"])
        audit.record_update(actor=actor, obj=lot, before=lot_before, note=note)
        events.publish(
            "supply.lot_decided",
            actor=actor,
            lot_id=lot.pk,
            site_id=lot.site_id,
            outcome="overridden",
            site_status=authorisation.site_status,
        )
    return authorisation
