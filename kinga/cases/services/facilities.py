"""The register of care facilities (CRS, CAP, transit houses, play spaces): a directory entry registered with its
operating status, its dated status changes and the works done on it. The provider organisation writes its own
facilities; administrators and coordinators any. Occupancy is read from the referrals, never written here."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kinga.core import access, audit, clock
from kinga.core.access import Actor
from kinga.core.models import Organisation

from ..models import (
    CARE_FACILITY_TYPES,
    Facility,
    FacilityStatus,
    FacilityStatusChange,
    FacilityWork,
    Service,
    WorkKind,
)
from .referrals import save_service

CENT = Decimal("0.01")


def _writer(actor: Actor, service: Service) -> None:
    access.require(actor, "cases.manage_services")
    if not actor.is_system_wide and service.organisation_id != actor.organisation_id:
        raise PermissionDenied(_("You may only describe your own organisation's services."))


def _day(field: str, day: datetime.date | None) -> datetime.date:
    if day is None:
        raise ValidationError({field: [_("This date is required.")]})
    if day > clock.today():
        raise ValidationError({field: [_("The date cannot be in the future.")]})
    return day


def _status(status: str) -> str:
    if status not in FacilityStatus.values:
        raise ValidationError({"status": [_("Unknown status.")]})
    return status


@transaction.atomic
def register_facility(
    *, actor: Actor, service: Service, status: str, since: datetime.date, note: str = ""
) -> Facility:
    """Puts a CRS, CAP, transit house or play space of the directory on the register, with its status since a day."""
    _writer(actor, service)
    if service.service_type not in CARE_FACILITY_TYPES:
        raise ValidationError(
            {"service": [_("Only catch-up schools, vocational centres, transit houses and play spaces.")]}
        )
    if Facility.objects.filter(service=service).exists():
        raise ValidationError({"service": [_("This service is already on the register.")]})
    facility = Facility(service=service, status=_status(status), status_since=_day("since", since))
    facility.full_clean()
    facility.save()
    change = FacilityStatusChange(
        facility=facility, status=status, since=since, note=note.strip(), recorded_by=actor.user
    )
    change.save()
    audit.record_create(actor=actor, obj=facility, extra_changes={"note": change.note})
    return facility


@transaction.atomic
def record_status(
    *,
    actor: Actor,
    facility: Facility,
    status: str,
    since: datetime.date,
    note: str = "",
    capacity: int | None = None,
) -> FacilityStatusChange:
    """A change of operating status from a day on (a day already past is allowed: the register catches up); the
    facility's status is that of its latest change. A capacity given updates the directory's entry."""
    facility = Facility.objects.select_for_update().select_related("service").get(pk=facility.pk)
    _writer(actor, facility.service)
    _status(status)
    _day("since", since)
    if facility.status_changes.filter(since=since).exists():
        raise ValidationError({"since": [_("A status is already recorded on that day.")]})
    change = FacilityStatusChange(
        facility=facility, status=status, since=since, note=note.strip(), recorded_by=actor.user
    )
    change.save()
    audit.record_create(actor=actor, obj=change)
    latest = facility.status_changes.order_by("-since", "-id").first()
    if (latest.status, latest.since) != (facility.status, facility.status_since):
        before = audit.snapshot(facility)
        facility.status, facility.status_since = latest.status, latest.since
        facility.save(update_fields=["status", "status_since"])
        audit.record_update(actor=actor, obj=facility, before=before)
    if capacity is not None and capacity != facility.service.capacity:
        save_service(actor=actor, service=facility.service, capacity=capacity)
    return change


@transaction.atomic
def record_work(
    *,
    actor: Actor,
    facility: Facility,
    kind: str,
    description: str,
    started_on: datetime.date,
    cost_usd: Decimal | None,
    funded_by: Organisation,
    completed_on: datetime.date | None = None,
    reference: str = "",
) -> FacilityWork:
    """Works on a facility (construction, rehabilitation, equipment) with their cost and who paid for them."""
    _writer(actor, facility.service)
    if kind not in WorkKind.values:
        raise ValidationError({"kind": [_("Unknown kind of works.")]})
    if not description.strip():
        raise ValidationError({"description": [_("This field is required.")]})
    _day("started_on", started_on)
    if completed_on is not None:
        _day("completed_on", completed_on)
        if completed_on < started_on:
            raise ValidationError({"completed_on": [_("The works cannot end before they started.")]})
    if cost_usd is None or cost_usd <= 0:
        raise ValidationError({"cost_usd": [_("Give an amount greater than zero.")]})
    work = FacilityWork(
        facility=facility,
        kind=kind,
        description=description.strip(),
        started_on=started_on,
        completed_on=completed_on,
        cost_usd=cost_usd.quantize(CENT),
        funded_by=funded_by,
        reference=reference.strip(),
        recorded_by=actor.user,
    )
    work.full_clean()
    work.save()
    audit.record_create(actor=actor, obj=work)
    return work


@transaction.atomic
def complete_work(*, actor: Actor, work: FacilityWork, completed_on: datetime.date) -> FacilityWork:
    _writer(actor, work.facility.service)
    if work.completed_on is not None:
        raise ValidationError({"completed_on": [_("These works are already completed.")]})
    _day("completed_on", completed_on)
    if completed_on < work.started_on:
        raise ValidationError({"completed_on": [_("The works cannot end before they started.")]})
    before = audit.snapshot(work)
    work.completed_on = completed_on
    work.save(update_fields=["completed_on"])
    audit.record_update(actor=actor, obj=work, before=before)
    return work
