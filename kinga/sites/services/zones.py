"""Writes of the artisanal mining zones (ZEA): creation, the stages of their legal process in order, the
studies filed with them (stored as private files, served only through an access-checked download)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kinga.core import access, audit, clock, uploads
from kinga.core.access import Actor
from kinga.core.geo import check_coordinates
from kinga.core.models import Place
from kinga.sites.models import (
    Zone,
    ZoneStudy,
)
from kinga.sites.services.sites import territory_of

# --- ZEA -----------------------------------------------------------------------------------------------------

ZONE_FIELDS = ("name", "place", "expired_title", "area_ha", "latitude", "longitude", "notes")
STAGE_ORDER = [
    Zone.Stage.CANDIDATE,
    Zone.Stage.LOCATED,
    Zone.Stage.STUDY,
    Zone.Stage.VIABLE,
    Zone.Stage.EQUIPPED,
]


@transaction.atomic
def create_zone(*, actor: Actor, code: str, name: str, place: Place, **fields) -> Zone:
    access.require(actor, "sites.edit")
    if Zone.objects.filter(code__iexact=code.strip()).exists():
        raise ValidationError({"code": [_("A ZEA with this code already exists.")]})
    if fields.get("area_ha") is not None and fields["area_ha"] <= 0:
        raise ValidationError({"area_ha": [_("The area must be positive.")]})
    check_coordinates(fields.get("latitude"), fields.get("longitude"))
    zone = Zone.objects.create(
        code=code.strip(), name=name.strip(), place=place, territory=territory_of(place), **fields
    )
    audit.record_create(actor=actor, obj=zone)
    return zone


@transaction.atomic
def update_zone(*, actor: Actor, zone: Zone, **fields) -> Zone:
    access.require(actor, "sites.edit")
    before = audit.snapshot(zone)
    for key, value in fields.items():
        if key not in ZONE_FIELDS:
            raise TypeError(key)
        setattr(zone, key, value)
    if zone.area_ha is not None and zone.area_ha <= 0:
        raise ValidationError({"area_ha": [_("The area must be positive.")]})
    if "place" in fields:
        zone.territory = territory_of(zone.place)
    zone.save()
    audit.record_update(actor=actor, obj=zone, before=before)
    return zone


@transaction.atomic
def advance_zone(
    *, actor: Actor, zone: Zone, stage: str, on: datetime.date, processing_units: int | None = None
) -> Zone:
    """Move a ZEA along its lifecycle: candidate → located → study → viable / not viable → equipped."""
    access.require(actor, "sites.edit")
    allowed = {
        Zone.Stage.CANDIDATE: {Zone.Stage.LOCATED},
        Zone.Stage.LOCATED: {Zone.Stage.STUDY},
        Zone.Stage.STUDY: {Zone.Stage.VIABLE, Zone.Stage.NOT_VIABLE},
        Zone.Stage.VIABLE: {Zone.Stage.EQUIPPED},
        Zone.Stage.NOT_VIABLE: {Zone.Stage.STUDY},
        Zone.Stage.EQUIPPED: set(),
    }
    if stage not in allowed[zone.stage]:
        raise ValidationError(
            {
                "stage": [
                    _("A ZEA at stage “%(from)s” cannot move to “%(to)s”.")
                    % {
                        "from": Zone.Stage(zone.stage).label,
                        "to": Zone.Stage(stage).label if stage in Zone.Stage.values else stage,
                    }
                ]
            }
        )
    if on > clock.today():
        raise ValidationError({"on": [_("This date is in the future.")]})
    before = audit.snapshot(zone)
    if stage == Zone.Stage.LOCATED:
        if zone.latitude is None or zone.area_ha is None:
            raise ValidationError({"stage": [_("A located ZEA needs its coordinates and its area.")]})
        zone.located_on = on
    elif stage in (Zone.Stage.VIABLE, Zone.Stage.NOT_VIABLE):
        if not zone.studies.filter(kind=ZoneStudy.Kind.MINERALISATION).exists():
            raise ValidationError(
                {"stage": [_("Attach the mineralisation study before deciding viability.")]}
            )
        zone.viability_decided_on = on
    elif stage == Zone.Stage.EQUIPPED:
        if not processing_units or processing_units < 1:
            raise ValidationError(
                {"processing_units": [_("An equipped ZEA has at least one processing unit.")]}
            )
        zone.processing_units = processing_units
        zone.equipped_on = on
    zone.stage = stage
    zone.save()
    audit.record_update(actor=actor, obj=zone, before=before)
    return zone


@transaction.atomic
def add_study(
    *,
    actor: Actor,
    zone: Zone,
    title: str,
    kind: str = ZoneStudy.Kind.MINERALISATION,
    author: str = "",
    published_on: datetime.date | None = None,
    document=None,
    url: str = "",
) -> ZoneStudy:
    access.require(actor, "sites.edit")
    if not title.strip():
        raise ValidationError({"title": [_("A study needs a title.")]})
    if document is None and not url and published_on is not None:
        raise ValidationError({"document": [_("A published study needs its document or a link.")]})
    study = ZoneStudy(
        zone=zone, kind=kind, title=title.strip(), author=author, published_on=published_on, url=url
    )
    if document is not None:
        try:
            uploads.validate_document(document)  # by its content, not its name
        except ValidationError as exc:
            raise ValidationError({"document": exc.messages}) from None
        study.document = document
    study.save()
    if zone.stage == Zone.Stage.LOCATED and kind == ZoneStudy.Kind.MINERALISATION:
        before = audit.snapshot(zone)
        zone.stage = Zone.Stage.STUDY
        zone.save(update_fields=["stage"])
        audit.record_update(actor=actor, obj=zone, before=before, note=gettext_noop("study attached"))
    audit.record_create(actor=actor, obj=study)
    return study
