"""Writes of lots and their evacuation: a lot recorded at a site, the evacuation decision (authorised only if
the site's due-diligence status allows it, now and at the lot's date, and the documents are in order), and the
override of a refusal (requested with a written reason, decided by someone else)."""

from __future__ import annotations

import datetime
import uuid as uuidlib
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kinga.core import access, audit, clock, events
from kinga.core.access import Actor
from kinga.core.models import Organisation, OrganisationType
from kinga.sites.models import Site
from kinga.supply import decision as rules
from kinga.supply.models import (
    EvacuationAuthorisation,
    Lot,
    LotStatus,
    Outcome,
    OverrideState,
)
from kinga.supply.services.cooperatives import check_cooperative, check_grade, check_mineral, not_in_future

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
        lambda: check_mineral(mineral),
        lambda: check_grade(grade_percent),
        lambda: not_in_future(date, "date"),
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
    now = clock.now()
    day = clock.today()
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
    authorisation.override_requested_at = clock.now()
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
    authorisation.override_decided_at = clock.now()
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
