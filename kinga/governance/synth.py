"""Synthetic governance records for `kinga synth`: equipment handed over to the mines police, the mines division and
SAESSCAM across the territories, social infrastructures built or restored (most in service), and the advocacy for
the children's court in Kolwezi with its steps (each an advocacy action of the community records) — more tracks at
larger scales. Bulk inserts, no audit rows (synthetic data is not user activity); the territory of each record is
set here since bulk inserts skip save()."""

from __future__ import annotations

import datetime
from decimal import Decimal

from kinga.community.models import AdvocacyAction, AdvocacyTarget
from kinga.core import clock
from kinga.core.models import Organisation, OrganisationType, Place, PlaceLevel
from kinga.core.synth import SynthContext, batched
from kinga.governance.models import (
    AdvocacyStep,
    AdvocacyTrack,
    EquipmentCategory,
    EquipmentDonation,
    InfrastructureKind,
    InfrastructureWork,
    Milestone,
    SocialInfrastructure,
    TrackOutcome,
)

SIZES = {
    "demo": {"donations": 40, "infrastructures": 25, "tracks": 1},
    "province": {"donations": 400, "infrastructures": 250, "tracks": 3},
    "national": {"donations": 4_000, "infrastructures": 2_500, "tracks": 10},
}
STATE_SERVICES = [
    "Police des mines et hydrocarbures (PMH)",
    "Division provinciale des mines",
    "SAESSCAM",
    "Division provinciale des affaires sociales (DIVAS)",
]
# Donors the province's registry does not hold, as handover reports name them.
OUTSIDE_DONORS = [
    "Ambassade du Canada",
    "Fondation pour l'enfance du Katanga",
    "Union européenne — programme justice",
    "Coopération belge (Enabel)",
]
EQUIPMENT = [
    (EquipmentCategory.VEHICLE, "Motos tout-terrain", (1, 6), 2_500),
    (EquipmentCategory.IT, "Ordinateurs portables et imprimante", (2, 10), 900),
    (EquipmentCategory.COMMUNICATION, "Radios portatives", (4, 20), 250),
    (EquipmentCategory.FURNITURE, "Bureaux et chaises", (4, 20), 120),
    (EquipmentCategory.PROTECTIVE, "Uniformes et gilets", (10, 60), 45),
    (EquipmentCategory.INFRASTRUCTURE, "Poste de contrôle réhabilité", (1, 1), 18_000),
]
INFRASTRUCTURES = [
    (InfrastructureKind.SCHOOL, "École primaire", (20_000, 120_000)),
    (InfrastructureKind.HEALTH, "Centre de santé", (30_000, 150_000)),
    (InfrastructureKind.WATER, "Forage d'eau potable", (8_000, 25_000)),
    (InfrastructureKind.SOCIAL_CENTRE, "Centre social", (15_000, 60_000)),
]
COURT_STEPS = [
    (
        Milestone.LETTER,
        AdvocacyTarget.GOVERNMENT,
        "Mémorandum au Gouverneur sur l'installation du tribunal pour enfants",
    ),
    (Milestone.MEETING, AdvocacyTarget.JUSTICE, "Rencontre avec le président du tribunal de grande instance"),
    (Milestone.WORKSHOP, AdvocacyTarget.LEGISLATOR, "Atelier avec les députés provinciaux"),
    (Milestone.MEETING, AdvocacyTarget.JUSTICE, "Audience au ministère de la Justice"),
    (
        Milestone.COMMITMENT,
        AdvocacyTarget.GOVERNMENT,
        "Engagement du gouvernement provincial à fournir un bâtiment",
    ),
    (Milestone.DECISION, AdvocacyTarget.JUSTICE, "Arrêté de création du tribunal pour enfants de Kolwezi"),
    (Milestone.INSTALLATION, AdvocacyTarget.JUSTICE, "Installation des juges pour enfants"),
]


def _org(ctx: SynthContext, name: str, kind: str) -> Organisation:
    org, created = Organisation.objects.get_or_create(
        name=name, defaults={"type": kind, "acronym": name[:12]}
    )
    if created:
        ctx.inserted("core_organisation", 1)
    return org


def _places() -> list[tuple[int, int]]:
    """(place id, territory id) of the territories and the places just below them."""
    territories = list(Place.objects.filter(level=PlaceLevel.TERRITORY).values_list("pk", flat=True))
    rows = [(pk, pk) for pk in territories]
    for pk in territories:
        rows += [(c, pk) for c in Place.objects.filter(parent_id=pk).values_list("pk", flat=True)[:5]]
    return rows


def _day(rng, today: datetime.date, low: int, high: int) -> datetime.date:
    return today - datetime.timedelta(days=rng.randint(low, high))


def generate(ctx: SynthContext) -> None:
    rng, today = ctx.rng, clock.today()
    if EquipmentDonation.objects.exists() and not ctx.append:
        ctx.log("gouvernance : déjà généré")
        return
    places = _places()
    if not places:
        ctx.log("gouvernance : aucun territoire, rien n'est généré")
        return
    sizes = SIZES.get(ctx.scale, SIZES["demo"])
    state = [_org(ctx, name, OrganisationType.PROVINCIAL_GOVERNMENT) for name in STATE_SERVICES]
    donors = list(
        Organisation.objects.filter(
            type__in=[OrganisationType.PARTNER, OrganisationType.COMPANY, OrganisationType.NGO]
        ).values_list("pk", flat=True)[:40]
    ) or [_org(ctx, "Partenaire de la gouvernance minière", OrganisationType.PARTNER).pk]

    def donations():
        for k in range(sizes["donations"]):
            category, text, (low, high), unit = rng.choice(EQUIPMENT)
            quantity = rng.randint(low, high)
            place, territory = rng.choice(places)
            recipient, given_on = rng.choice(state[:3]), _day(rng, today, 0, 1000)
            cost = Decimal(quantity * unit * rng.randint(80, 120) // 100)
            donor, outside = rng.choice(donors), k % 10 == 9
            yield EquipmentDonation(
                description=text,
                category=category,
                quantity=quantity,
                recipient=recipient,
                place_id=place,
                territory_id=territory,
                given_on=given_on,
                cost_usd=cost,
                # One donation in ten from a donor the registry does not hold, named. Chosen by position, and the
                # registry's donor still drawn: the stream's later values stay what they were.
                donor_id=None if outside else donor,
                donor_name=OUTSIDE_DONORS[k // 10 % len(OUTSIDE_DONORS)] if outside else "",
                reference=f"PV-{rng.randrange(10**5, 10**6)}",
            )

    def infrastructures():
        for k in range(sizes["infrastructures"]):
            kind, text, (low, high) = rng.choice(INFRASTRUCTURES)
            place, territory = rng.choice(places)
            started = _day(rng, today, 60, 1000)
            served = started + datetime.timedelta(days=rng.randint(60, 400))
            yield SocialInfrastructure(
                name=f"{text} n° {k + 1}",
                kind=kind,
                work=rng.choice(InfrastructureWork.values),
                place_id=place,
                territory_id=territory,
                organisation=rng.choice(state),
                funded_by_id=rng.choice(donors),
                cost_usd=Decimal(rng.randrange(low, high, 500)),
                works_started_on=started,
                in_service_on=served if served <= today and rng.random() < 0.8 else None,
            )

    n = 0
    for batch in batched(donations(), 2000):
        EquipmentDonation.objects.bulk_create(batch)
        n += len(batch)
    ctx.inserted("governance_equipmentdonation", n)
    n = 0
    for batch in batched(infrastructures(), 2000):
        SocialInfrastructure.objects.bulk_create(batch)
        n += len(batch)
    ctx.inserted("governance_socialinfrastructure", n)
    _tracks(ctx, sizes["tracks"], state, places, today)


def _tracks(ctx: SynthContext, count: int, state: list[Organisation], places, today: datetime.date) -> None:
    rng = ctx.rng
    kolwezi = Place.objects.filter(pcode="CD7201").first()
    lead = _org(ctx, "Coalition pour le tribunal pour enfants de Kolwezi", OrganisationType.NGO)
    actions, steps = [], []
    for k in range(count):
        if k == 0 and kolwezi is not None:
            place, territory, title = kolwezi.pk, kolwezi.pk, "Tribunal pour enfants à Kolwezi"
        else:
            place, territory = rng.choice(places)
            title = f"Chambre pour enfants au tribunal de paix n° {k}"
        started = _day(rng, today, 700, 1000)
        done = rng.randint(3, len(COURT_STEPS))
        achieved = done == len(COURT_STEPS)
        track = AdvocacyTrack.objects.create(
            title=title,
            goal="Que les enfants sortis des mines soient jugés et protégés par une juridiction pour enfants",
            organisation=lead,
            place_id=place,
            territory_id=territory,
            started_on=started,
        )
        day = started
        for milestone, target, subject in COURT_STEPS[:done]:
            day = min(day + datetime.timedelta(days=rng.randint(30, 90)), today)
            action = AdvocacyAction(
                date=day,
                target=target,
                subject=subject,
                place_id=place,
                territory_id=territory,
                organisation=lead,
            )
            actions.append(action)
            steps.append((track, action, milestone))
        if achieved:
            AdvocacyTrack.objects.filter(pk=track.pk).update(
                outcome=TrackOutcome.ACHIEVED, outcome_on=day, outcome_note="Tribunal installé"
            )
    AdvocacyAction.objects.bulk_create(actions)
    AdvocacyStep.objects.bulk_create([AdvocacyStep(track=t, action=a, milestone=m) for t, a, m in steps])
    ctx.inserted("governance_advocacytrack", count)
    ctx.inserted("community_advocacyaction", len(actions))
    ctx.inserted("governance_advocacystep", len(steps))
    ctx.log(f"gouvernance : {count} plaidoyer(s) suivis, {len(steps)} étapes")
