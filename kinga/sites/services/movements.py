"""Writes of the movements of people around sites: an organisation's counts for a site and a month (arrivals and
departures of families and of children) and the relocations of households away from mining titles. Counts only:
nothing here takes a name. Each write checks the permission, is atomic and goes to the audit trail."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kinga.core import access, audit, clock
from kinga.core.access import Actor
from kinga.core.models import Place
from kinga.sites.models import MovementObservation, ObservationSource, Relocation, Site
from kinga.sites.models_movements import COUNTS

RECORD = "sites.record_movements"


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _month(month: datetime.date, field: str = "month") -> datetime.date:
    month = first_of_month(month)
    if month > first_of_month(clock.today()):
        raise ValidationError({field: [_("The month cannot be in the future.")]})
    return month


def _organisation(actor: Actor):
    if actor.organisation_id is None:
        raise PermissionDenied(_("Only a member of an organisation records movements."))
    return actor.organisation


def _counts(counts: dict[str, int | None]) -> dict[str, int | None]:
    unknown = set(counts) - set(COUNTS)
    if unknown:
        raise TypeError(f"Unknown counts: {sorted(unknown)}")
    values = {name: counts.get(name) for name in COUNTS}
    for name, value in values.items():
        if value is not None and value < 0:
            raise ValidationError({name: [_("A count cannot be negative.")]})
    if all(value is None for value in values.values()):
        raise ValidationError({"families_arrived": [_("Give at least one count (0 when nobody moved).")]})
    for who in ("arrived", "departed"):
        families, children = values[f"families_{who}"], values[f"children_{who}"]
        if families == 0 and children:
            raise ValidationError(
                {f"children_{who}": [_("Children moved, so at least one family did: check the families.")]}
            )
    return values


@transaction.atomic
def record_observation(
    *, actor: Actor, site: Site, month: datetime.date, source: str, **counts: int | None
) -> MovementObservation:
    """The counts an organisation saw at a site in a month; one record per site, month and organisation (a
    second visit in the month corrects the first, see correct_observation)."""
    access.require(actor, RECORD)
    organisation = _organisation(actor)
    if source not in ObservationSource.values:
        raise ValidationError({"source": [_("Unknown source.")]})
    month = _month(month)
    values = _counts(counts)
    if MovementObservation.objects.filter(site=site, month=month, organisation=organisation).exists():
        raise ValidationError(
            {
                "month": [
                    _("Your organisation has already given this site's counts for this month: correct them.")
                ]
            }
        )
    observation = MovementObservation(
        site=site,
        territory_id=site.territory_id,
        month=month,
        source=source,
        organisation=organisation,
        recorded_by=actor.user,
        **values,
    )
    observation.full_clean()
    observation.save()
    audit.record_create(actor=actor, obj=observation)
    return observation


@transaction.atomic
def correct_observation(
    *, actor: Actor, observation: MovementObservation, source: str, **counts: int | None
) -> MovementObservation:
    """New counts for the same site and month, by the organisation that gave them (the old ones stay in the
    audit trail)."""
    access.require(actor, RECORD)
    if observation.organisation_id != actor.organisation_id:
        raise PermissionDenied(_("Only the organisation that gave these counts corrects them."))
    if source not in ObservationSource.values:
        raise ValidationError({"source": [_("Unknown source.")]})
    values = _counts(counts)
    before = audit.snapshot(observation)
    observation.source = source
    for name, value in values.items():
        setattr(observation, name, value)
    observation.full_clean()
    observation.save(update_fields=["source", *COUNTS])
    audit.record_update(actor=actor, obj=observation, before=before)
    return observation


@transaction.atomic
def record_relocation(
    *,
    actor: Actor,
    mining_title: str,
    from_place: Place,
    month: datetime.date,
    households: int,
    site: Site | None = None,
    destination: Place | None = None,
    people: int | None = None,
    children: int | None = None,
    reference: str = "",
) -> Relocation:
    """Households moved away from a mining title to a new settlement."""
    access.require(actor, RECORD)
    organisation = _organisation(actor)
    if not mining_title.strip():
        raise ValidationError({"mining_title": [_("This field is required.")]})
    month = _month(month)
    if households is None or households <= 0:
        raise ValidationError({"households": [_("Give the number of households relocated.")]})
    if people is not None and people < households:
        raise ValidationError({"people": [_("Fewer people than households: check the counts.")]})
    if children is not None and people is not None and children > people:
        raise ValidationError({"children": [_("More children than people: check the counts.")]})
    if destination is not None and destination.pk == from_place.pk:
        raise ValidationError({"destination": [_("The new settlement is another place than the one left.")]})
    relocation = Relocation(
        mining_title=" ".join(mining_title.split()),
        site=site,
        from_place=from_place,
        territory=from_place.territory,
        destination=destination,
        month=month,
        households=households,
        people=people,
        children=children,
        reference=reference.strip(),
        organisation=organisation,
        recorded_by=actor.user,
    )
    relocation.full_clean()
    relocation.save()
    audit.record_create(actor=actor, obj=relocation)
    return relocation
