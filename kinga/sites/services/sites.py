"""Writes of the mine sites themselves (inspections in inspections.py, the status rules and evidence in statuses.py,
ZEA in zones.py)."""

from __future__ import annotations

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kinga.core import access, audit
from kinga.core.access import Actor
from kinga.core.geo import check_coordinates
from kinga.core.models import Place
from kinga.sites.models import (
    Site,
)

SITE_FIELDS = (
    "name",
    "place",
    "latitude",
    "longitude",
    "site_type",
    "zone",
    "minerals",
    "workers_count",
    "operator",
    "state_services",
)


def forget_cached_lists() -> None:
    """The filters' lists of minerals and territories are cached a few minutes: a change shows at once."""
    cache.delete_many(["sites:minerals", "sites:territory_ids"])


def territory_of(place: Place) -> Place | None:
    return place.territory


@transaction.atomic
def create_site(*, actor: Actor, code: str, name: str, place: Place, **fields) -> Site:
    access.require(actor, "sites.edit")
    code = code.strip()
    if not code or not name.strip():
        raise ValidationError({"code": [_("A code and a name are required.")]})
    if Site.objects.filter(code__iexact=code).exists():
        raise ValidationError({"code": [_("A site with this code already exists.")]})
    check_coordinates(fields.get("latitude"), fields.get("longitude"))
    unknown = set(fields) - set(SITE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown site fields: {sorted(unknown)}")
    site = Site(code=code, name=name.strip(), place=place, territory=territory_of(place), **fields)
    site.full_clean(exclude=["zone", "operator", "place", "territory"])
    site.save()
    audit.record_create(actor=actor, obj=site)
    transaction.on_commit(forget_cached_lists)
    return site


@transaction.atomic
def update_site(*, actor: Actor, site: Site, **fields) -> Site:
    """Edit a site; correcting its place (IPIS files Kolwezi-area sites under Mutshatsha) re-derives the territory."""
    access.require(actor, "sites.edit")
    unknown = set(fields) - set(SITE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown site fields: {sorted(unknown)}")
    before = audit.snapshot(site)
    for key, value in fields.items():
        setattr(site, key, value)
    check_coordinates(site.latitude, site.longitude)
    if "place" in fields and site.place_id != before["place"]:
        site.territory = territory_of(site.place)
        site.place_warning = ""
        site.place_corrected = True
    site.save()
    audit.record_update(actor=actor, obj=site, before=before)
    transaction.on_commit(forget_cached_lists)
    return site
