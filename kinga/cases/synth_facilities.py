"""Synthetic register of care facilities for `kinga synth`: every CRS, CAP, transit house and play space of the
directory registered, with a status history (planned, under works, operating; a few suspended or closed) and one
to three works (rehabilitation, construction, equipment) with their cost and funder. Bulk inserts: the register
has a few hundred facilities even at national scale (occupancy is read from the referrals already generated)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from kinga.core import clock
from kinga.core.models import Organisation, OrganisationType
from kinga.core.synth import SynthContext

from .models import (
    CARE_FACILITY_TYPES,
    Facility,
    FacilityStatus,
    FacilityStatusChange,
    FacilityWork,
    Service,
    WorkKind,
)

WORKS = {
    WorkKind.REHABILITATION: ("Réhabilitation des salles et des toilettes", (8_000, 45_000)),
    WorkKind.CONSTRUCTION: ("Construction d'un bâtiment de deux salles", (25_000, 90_000)),
    WorkKind.EQUIPMENT: ("Bancs, tableaux, lits et matériel de jeux", (2_000, 15_000)),
}


def generate(ctx: SynthContext) -> None:
    rng = ctx.rng
    today = clock.today()
    services = list(
        Service.objects.filter(service_type__in=CARE_FACILITY_TYPES, facility__isnull=True).order_by("pk")
    )
    if not services:
        ctx.log("structures de prise en charge : rien à inscrire")
        return
    funders = list(
        Organisation.objects.filter(
            type__in=[
                OrganisationType.PARTNER,
                OrganisationType.COMPANY,
                OrganisationType.PROVINCIAL_GOVERNMENT,
            ]
        ).values_list("pk", flat=True)[:50]
    ) or list(Organisation.objects.values_list("pk", flat=True)[:50])
    plans = []
    for service in services:
        start = today - datetime.timedelta(days=rng.randint(400, 1000))
        history = [(FacilityStatus.PLANNED, start)]
        works_on = start + datetime.timedelta(days=rng.randint(30, 90))
        history.append((FacilityStatus.WORKS, works_on))
        opened = works_on + datetime.timedelta(days=rng.randint(60, 240))
        history.append((FacilityStatus.OPERATING, opened))
        roll = rng.random()
        if roll < 0.08:
            history.append((FacilityStatus.SUSPENDED, opened + datetime.timedelta(days=rng.randint(60, 200))))
        elif roll < 0.12:
            history.append((FacilityStatus.CLOSED, opened + datetime.timedelta(days=rng.randint(60, 200))))
        history = [(s, d) for s, d in history if d <= today]
        plans.append((service, history, works_on, opened))
    Facility.objects.bulk_create(
        [Facility(service=s, status=h[-1][0], status_since=h[-1][1]) for s, h, _w, _o in plans],
        batch_size=2000,
    )
    ids = dict(Facility.objects.filter(service__in=services).values_list("service_id", "pk"))
    changes, works = [], []
    for service, history, works_on, opened in plans:
        fid = ids[service.pk]
        changes += [FacilityStatusChange(facility_id=fid, status=s, since=d) for s, d in history]
        for kind in rng.sample(list(WORKS), rng.randint(1, 3)):
            text, (low, high) = WORKS[kind]
            works.append(
                FacilityWork(
                    facility_id=fid,
                    kind=kind,
                    description=text,
                    started_on=min(works_on, today),
                    completed_on=opened if opened <= today and rng.random() < 0.85 else None,
                    cost_usd=Decimal(rng.randrange(low, high, 100)),
                    funded_by_id=rng.choice(funders),
                    reference=f"MARCHE-{service.pk}-{kind[:3].upper()}",
                )
            )
    FacilityStatusChange.objects.bulk_create(changes, batch_size=5000)
    FacilityWork.objects.bulk_create(works, batch_size=5000)
    ctx.inserted("cases_facility", len(plans))
    ctx.inserted("cases_facilitystatuschange", len(changes))
    ctx.inserted("cases_facilitywork", len(works))
    ctx.log(f"structures de prise en charge : {len(plans)} inscrites, {len(works)} travaux")
