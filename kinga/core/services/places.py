"""Places below the reference gazetteer: a commune, groupement, village or quartier added by a user."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kinga.core import access, audit, geo
from kinga.core.access import Actor
from kinga.core.models import Place, PlaceLevel


def _set_path(place: Place) -> None:
    parent_path = place.parent.path if place.parent_id else "/"
    place.path = f"{parent_path}{place.pk}/"
    Place.objects.filter(pk=place.pk).update(path=place.path)


@transaction.atomic
def create_place(
    *,
    actor: Actor,
    name: str,
    parent: Place,
    level: int | None = None,
    pcode: str | None = None,
    latitude: Decimal | float | None = None,
    longitude: Decimal | float | None = None,
) -> Place:
    """A named place below an existing one (a commune, groupement, village or quartier)."""
    access.require(actor, "core.add_place")
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("The place's name is required.")]
    if parent is None:
        errors["parent"] = [_("Choose the parent place.")]
    level = level if level is not None else (parent.level + 1 if parent else None)
    if parent is not None and level is not None and level <= parent.level:
        errors["level"] = [_("A place must be at a lower level than its parent.")]
    if level is not None and level > PlaceLevel.VILLAGE:
        errors["level"] = [_("Unknown place level.")]
    try:
        latitude, longitude = geo.check_coordinates(latitude, longitude)
    except ValidationError as error:
        errors.update(error.message_dict)
    if parent is not None and name and Place.objects.filter(parent=parent, name__iexact=name).exists():
        errors["name"] = [
            _("A place of this name already exists under %(parent)s.") % {"parent": parent.name}
        ]
    if errors:
        raise ValidationError(errors)
    place = Place.objects.create(
        name=name, parent=parent, level=level, pcode=pcode or None, latitude=latitude, longitude=longitude
    )
    _set_path(place)
    audit.record_create(actor=actor, obj=place)
    return place


def place_by_pcode(pcode: str) -> Place:
    """The place of a p-code, or a ValidationError naming it (for imports and API input)."""
    place = Place.objects.filter(pcode=(pcode or "").strip().upper()).first()
    if place is None:
        raise ValidationError({"pcode": [_("Unknown p-code: %(pcode)s.") % {"pcode": pcode}]})
    return place


def places_by_pcodes(pcodes: list[str], *, field: str = "pcodes") -> list[Place]:
    """The places of these p-codes, or a ValidationError naming the unknown ones."""
    wanted = {(p or "").strip().upper() for p in pcodes}
    found = list(Place.objects.filter(pcode__in=wanted))
    unknown = sorted(wanted - {p.pcode for p in found})
    if unknown:
        raise ValidationError({field: [_("Unknown p-code: %(pcode)s.") % {"pcode": ", ".join(unknown)}]})
    return found
