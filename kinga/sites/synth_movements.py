"""Synthetic movements of people around sites for `kinga synth`: over the last two years, about a third of the
sites counted each month by an inspection team or a community network (now and then by both, with different
counts: the summary keeps the higher), more arrivals where sites are busy, and a few relocations of households
away from mining titles each year. Bulk inserts (COPY on PostgreSQL), no audit rows."""

from __future__ import annotations

import datetime
import random

from kinga.core import clock
from kinga.core.models import Organisation, OrganisationType, Place, PlaceLevel
from kinga.core.synth import SynthContext, batched
from kinga.core.synth_insert import insert
from kinga.sites.models import MovementObservation, ObservationSource, Relocation, Site

MONTHS = 24
OBSERVED_SHARE = 0.33
SECOND_OBSERVER = 0.15
OBSERVERS = (
    OrganisationType.PROVINCIAL_GOVERNMENT,
    OrganisationType.NGO,
    OrganisationType.COMMUNITY_NETWORK,
    OrganisationType.UN_AGENCY,
    OrganisationType.IDAK,
)


def _months_back(today: datetime.date, n: int) -> datetime.date:
    y, m = divmod(today.year * 12 + today.month - 1 - n, 12)
    return datetime.date(y, m + 1, 1)


def _counts(rng, busy: int) -> dict[str, int]:
    families_arrived = rng.choice([0, 0, 1, 2, 3, 5, 8]) * busy
    families_departed = rng.choice([0, 0, 1, 2, 4]) * busy
    return {
        "families_arrived": families_arrived,
        "families_departed": families_departed,
        "children_arrived": sum(rng.randint(0, 3) for _ in range(families_arrived)),
        "children_departed": sum(rng.randint(0, 2) for _ in range(families_departed)),
    }


def generate(ctx: SynthContext) -> None:
    # Its own random stream: drawing from ctx.rng would change every later generator's data.
    rng = random.Random(f"{ctx.seed}-movements")
    sites = list(
        Site.objects.filter(code__startswith=f"KS{ctx.seed}-").values_list(
            "id", "territory_id", "place_id", "workers_count"
        )
    )
    if not sites:
        ctx.log("mouvements : aucun site, rien n'est généré")
        return
    if (
        MovementObservation.objects.filter(site_id=sites[0][0]).exists()
        or Relocation.objects.filter(site_id=sites[0][0]).exists()
    ):
        ctx.log("mouvements : déjà générés")
        return
    observers = list(
        Organisation.objects.filter(type__in=OBSERVERS).order_by("pk").values_list("pk", flat=True)
    )
    if not observers:
        ctx.log("mouvements : aucune organisation pour observer, rien n'est généré")
        return
    today = clock.today()
    months = [_months_back(today, n) for n in range(MONTHS)]
    rows = []
    for site_id, territory_id, _place, workers in sites:
        if rng.random() > OBSERVED_SHARE:
            continue
        busy = 1 + (workers or 0) // 500
        first, second = rng.sample(observers, 2) if len(observers) > 1 else (observers[0], None)
        for month in months:
            if rng.random() < 0.25:  # not every month is counted
                continue
            counts = _counts(rng, busy)
            source = rng.choice([ObservationSource.INSPECTION, ObservationSource.COMMUNITY_NETWORK])
            rows.append(
                MovementObservation(
                    site_id=site_id,
                    territory_id=territory_id,
                    month=month,
                    source=source,
                    organisation_id=first,
                    **counts,
                )
            )
            if second is not None and rng.random() < SECOND_OBSERVER:
                other = {k: max(0, v + rng.randint(-1, 1)) for k, v in counts.items()}
                if other["families_arrived"] == 0:
                    other["children_arrived"] = 0
                if other["families_departed"] == 0:
                    other["children_departed"] = 0
                rows.append(
                    MovementObservation(
                        site_id=site_id,
                        territory_id=territory_id,
                        month=month,
                        source=ObservationSource.OTHER if source == ObservationSource.INSPECTION else source,
                        organisation_id=second,
                        **other,
                    )
                )
    for batch in batched(rows, 20_000):
        insert(MovementObservation, batch)
    ctx.inserted("sites_movementobservation", len(rows))

    # Relocations: about one site in twenty a year sees homes moved off a mining title.
    settlements = list(
        Place.objects.filter(
            level__gte=PlaceLevel.COMMUNE,
            path__startswith=Place.objects.filter(pcode="CD72").values_list("path", flat=True).first() or "/",
        )
        .order_by("pk")
        .values_list("pk", "path")[:200]
    )
    relocations = []
    for site_id, territory_id, place_id, _workers in rng.sample(sites, max(1, len(sites) // 20)):
        month = rng.choice(months)
        households = rng.randint(5, 120)
        people = households * rng.randint(4, 7)
        destination = next(
            (
                pk
                for pk, path in rng.sample(settlements, len(settlements))
                if f"/{territory_id}/" in path and pk != place_id
            ),
            None,
        )
        relocations.append(
            Relocation(
                mining_title=f"PE {rng.randint(1000, 13000)}",
                site_id=site_id,
                from_place_id=place_id,
                territory_id=territory_id,
                destination_id=destination,
                month=month,
                households=households,
                people=people,
                children=people * rng.randint(35, 55) // 100,
                reference=rng.choice(
                    ["", "Plan d'aménagement du territoire", "Arrêté provincial (synthétique)"]
                ),
                organisation_id=rng.choice(observers),
            )
        )
    insert(Relocation, relocations)
    ctx.inserted("sites_relocation", len(relocations))
    ctx.log(f"mouvements : {len(rows)} comptages, {len(relocations)} relocalisations")
