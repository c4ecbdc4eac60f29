"""Writes of the 4W matrix (who does what, where, when): records by hand, and the initial set seeded from the
plan's implementers (one row per organisation the plan names for an action). The import of a 4W file is in
fourw_import. Atomic, audited, ValidationError({field: [message]})."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from kinga.core import access, audit
from kinga.core.access import Actor
from kinga.core.models import Organisation, Place
from kinga.core.people import AGE_BANDS
from kinga.core.services import resolve_organisation
from kinga.plan.models import Party, PartyRole

from ..models import FourW, FourWSource, FourWStatus
from .checks import full_clean, own_org_or_system

# ---------------------------------------------------------------------------------------------- 4W

FOURW_FIELDS = {
    "implementing_partner",
    "funder",
    "plan_action",
    "sector",
    "subsector",
    "activity",
    "place",
    "status",
    "start",
    "end",
    "targeted_f",
    "targeted_m",
    "reached_f",
    "reached_m",
    "reached_by_age",
}


def _check_reached_by_age(record: FourW) -> None:
    data = record.reached_by_age or {}
    if not isinstance(data, dict):
        raise ValidationError({"reached_by_age": [_("Give the figures by sex and age band.")]})
    for sex, total in (("F", record.reached_f), ("M", record.reached_m)):
        bands = data.get(sex) or {}
        if not isinstance(bands, dict) or set(bands) - set(AGE_BANDS):
            raise ValidationError({"reached_by_age": [_("Unknown age band.")]})
        try:
            values = [int(v) for v in bands.values()]
        except (TypeError, ValueError):
            raise ValidationError({"reached_by_age": [_("Enter whole numbers.")]}) from None
        if any(v < 0 for v in values) or sum(values) > total:
            raise ValidationError(
                {"reached_by_age": [_("The age bands add up to more than the children reached.")]}
            )
    if set(data) - {"F", "M"}:
        raise ValidationError({"reached_by_age": [_("Use F and M as keys.")]})


def _validate_fourw(record: FourW) -> None:
    if record.end and record.end < record.start:
        raise ValidationError({"end": [_("The end cannot be before the start.")]})
    if record.status == FourWStatus.PLANNED and (record.reached_f or record.reached_m):
        raise ValidationError({"status": [_("A planned activity has reached nobody yet.")]})
    _check_reached_by_age(record)
    full_clean(record)


@transaction.atomic
def create_fourw(
    *,
    actor: Actor,
    activity: str,
    place: Place,
    start: datetime.date,
    organisation: Organisation | None = None,
    source: str = "entered",
    **fields: Any,
) -> FourW:
    access.require(actor, "community.record_4w")
    unknown = set(fields) - FOURW_FIELDS
    if unknown:
        raise ValidationError({"non_field_errors": [_("Unknown fields: %(f)s") % {"f": ", ".join(unknown)}]})
    record = FourW(
        activity=activity.strip(),
        place=place,
        start=start,
        source=source,
        organisation=own_org_or_system(actor, organisation, "organisation"),
        **fields,
    )
    _validate_fourw(record)
    record.save()
    audit.record_create(actor=actor, obj=record)
    return record


@transaction.atomic
def update_fourw(*, actor: Actor, record: FourW, **changes: Any) -> FourW:
    access.require(actor, "community.record_4w")
    unknown = set(changes) - FOURW_FIELDS
    if unknown:
        raise ValidationError({"non_field_errors": [_("Unknown fields: %(f)s") % {"f": ", ".join(unknown)}]})
    before = audit.snapshot(record)
    for field, value in changes.items():
        setattr(record, field, value)
    _validate_fourw(record)
    record.save()
    audit.record_update(actor=actor, obj=record, before=before)
    return record


@transaction.atomic
def delete_fourw(*, actor: Actor, record: FourW) -> None:
    access.require(actor, "community.record_4w")
    audit.record_delete(actor=actor, obj=record)
    record.delete()


# ---------------------------------------------------------------------------------------------- names


def organisation_by_name(name: str) -> Organisation | None:
    """An organisation by alias (as the reference data spells it), else by exact name or acronym."""
    name = (name or "").strip()
    if not name:
        return None
    return (
        resolve_organisation(name)
        or Organisation.objects.filter(Q(name__iexact=name) | Q(acronym__iexact=name)).first()
    )


# ---------------------------------------------------------------------------------------------- from the plan


@transaction.atomic
def seed_fourw_from_plan(*, actor, stdout=None) -> int:
    """Idempotent: an (organisation, action) pair already seeded is left as users changed it."""
    access.require(actor, "community.record_4w")
    province = Place.objects.filter(pcode="CD72").first()
    if province is None:
        return 0
    start = datetime.date.fromisoformat(str(settings.KINGA_PLAN_START_DATE))
    parties = (
        Party.objects.filter(role=PartyRole.IMPLEMENTER, organisation__isnull=False)
        .select_related("organisation", "action", "activity__action")
        .order_by("pk")
    )
    existing = set(
        FourW.objects.filter(source=FourWSource.PLAN).values_list("organisation_id", "plan_action_id")
    )
    created = 0
    for party in parties:
        action = party.action or (party.activity.action if party.activity_id else None)
        if action is None or (party.organisation_id, action.pk) in existing:
            continue
        months = action.duration_months or 36
        create_fourw(
            actor=actor,
            organisation=party.organisation,
            activity=(party.activity.title if party.activity_id else action.title)[:300],
            place=province,
            start=start,
            end=start + datetime.timedelta(days=int(months * 30.44)),
            status=FourWStatus.PLANNED,
            plan_action=action,
            source=FourWSource.PLAN,
        )
        existing.add((party.organisation_id, action.pk))
        created += 1
    if stdout is not None:
        stdout.write(f"4W : {created} fiche(s) créée(s) à partir des responsables du plan.")
    return created
