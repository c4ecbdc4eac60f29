"""Synthetic agreements and commitments for `kinga synth`: about one agreement per mining cooperative with a buying
company, most clauses of the list, over the last three years; two to four verification visits each (children
found now and then), a breach with what followed after most visits that found one (purchases suspended for the
worst); and six lines of cahier des charges per company, some done with their evidence, some late. Bulk inserts
(COPY on PostgreSQL), no audit rows."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from kinga.core import clock
from kinga.core.models import Organisation, OrganisationType, Place, PlaceLevel
from kinga.core.synth import SynthContext
from kinga.core.synth_insert import insert
from kinga.sites.models import Site
from kinga.supply.models import (
    AgreementStatus,
    Breach,
    BreachResponse,
    Clause,
    CommitmentStatus,
    CommitmentTheme,
    Finding,
    SocialCommitment,
    SourcingAgreement,
    VerificationVisit,
)

COMMITMENTS = [
    (
        CommitmentTheme.SCHOOLING,
        "Construction de six salles de classe",
        "Des places à l'école pour les enfants retirés des sites.",
    ),
    (
        CommitmentTheme.SCHOOLING,
        "Prise en charge des frais scolaires de 300 enfants",
        "Les enfants des creuseurs vont à l'école au lieu de la mine.",
    ),
    (
        CommitmentTheme.CHILD_PROTECTION,
        "Équipement d'un centre de transit",
        "Un lieu d'accueil pour les enfants trouvés au travail.",
    ),
    (
        CommitmentTheme.LIVELIHOODS,
        "Appui aux activités génératrices de revenus des femmes",
        "Les ménages n'ont plus besoin du travail de leurs enfants.",
    ),
    (
        CommitmentTheme.HEALTH,
        "Réhabilitation du centre de santé",
        "Les enfants malnutris et blessés sont soignés.",
    ),
    (
        CommitmentTheme.INFRASTRUCTURE,
        "Forage d'eau potable près du lotissement",
        "Les enfants ne portent plus l'eau du lavage des minerais.",
    ),
]


def _clauses(rng) -> list[str]:
    return [c for c in Clause.values if c == Clause.NO_CHILD_LABOUR or rng.random() < 0.6]


def generate(ctx: SynthContext) -> None:
    # Its own random stream: drawing from ctx.rng would change every later generator's data.
    rng = random.Random(f"{ctx.seed}-partners")
    tag = f"ACC-{ctx.seed}-"
    if SourcingAgreement.objects.filter(reference__startswith=tag).exists():
        ctx.log("accords : déjà générés")
        return
    companies = list(
        Organisation.objects.filter(type=OrganisationType.COMPANY).order_by("pk").values_list("pk", flat=True)
    )
    coops = list(
        Organisation.objects.filter(type=OrganisationType.COOPERATIVE)
        .exclude(cooperative__kind="agro_pastoral")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    site_ids = list(Site.objects.order_by("pk").values_list("pk", flat=True)[:5000])
    if not companies or not coops:
        ctx.log("accords : aucune entreprise ou coopérative, rien n'est généré")
        return
    observers = (
        list(
            Organisation.objects.filter(
                type__in=[OrganisationType.PROVINCIAL_GOVERNMENT, OrganisationType.NGO]
            )
            .order_by("pk")
            .values_list("pk", flat=True)[:50]
        )
        or companies
    )
    today = clock.today()
    agreements, links = [], []
    for i, coop in enumerate(coops, start=1):
        signed = today - datetime.timedelta(days=rng.randint(60, 1000))
        agreements.append(
            SourcingAgreement(
                reference=f"{tag}{i:05d}",
                buyer_id=rng.choice(companies),
                cooperative_id=coop,
                signed_on=signed,
                starts_on=signed + datetime.timedelta(days=rng.randint(0, 30)),
                ends_on=None if rng.random() < 0.7 else signed + datetime.timedelta(days=730),
                clauses=_clauses(rng),
                other_clauses=rng.choice(
                    ["", "Les parties se réunissent chaque trimestre avec la société civile."]
                ),
            )
        )
    insert(SourcingAgreement, agreements)
    through = SourcingAgreement.sites.through
    for a in agreements:
        for site in rng.sample(site_ids, min(len(site_ids), rng.randint(1, 3))):
            links.append(through(sourcingagreement_id=a.pk, site_id=site))
    insert(through, links)
    sites_of: dict[int, list[int]] = {}
    for link in links:
        sites_of.setdefault(link.sourcingagreement_id, []).append(link.site_id)

    visits = []
    for a in agreements:
        span = max(1, (today - a.starts_on).days)
        for _ in range(rng.randint(2, 4)):
            finding = rng.choices([Finding.COMPLIANT, Finding.MINOR, Finding.BREACH], [7, 2, 1])[0]
            visits.append(
                VerificationVisit(
                    agreement_id=a.pk,
                    site_id=rng.choice(sites_of[a.pk]) if sites_of.get(a.pk) else None,
                    date=a.starts_on + datetime.timedelta(days=rng.randint(0, span)),
                    visited_by_id=rng.choice(observers),
                    finding=finding,
                    children_found=rng.randint(1, 6) if finding == Finding.BREACH else 0,
                    notes="",
                )
            )
    insert(VerificationVisit, visits)
    breaches, suspended = [], set()
    for v in visits:
        if v.finding != Finding.BREACH:
            continue
        response = rng.choice(
            [
                BreachResponse.WARNING,
                BreachResponse.CHILDREN_REFERRED,
                BreachResponse.CORRECTIVE_PLAN,
                BreachResponse.PURCHASES_SUSPENDED,
            ]
        )
        response_on = min(today, v.date + datetime.timedelta(days=rng.randint(1, 20)))
        if response == BreachResponse.PURCHASES_SUSPENDED:
            suspended.add(v.agreement_id)
        breaches.append(
            Breach(
                agreement_id=v.agreement_id,
                visit_id=v.pk,
                noticed_on=v.date,
                clause=Clause.NO_CHILD_LABOUR,
                description="Enfants trouvés au lavage des minerais lors de la visite.",
                children_involved=v.children_found,
                response=response,
                response_on=response_on,
                resolved_on=min(today, response_on + datetime.timedelta(days=60))
                if rng.random() < 0.6
                else None,
            )
        )
    insert(Breach, breaches)
    if suspended:
        SourcingAgreement.objects.filter(pk__in=suspended).update(status=AgreementStatus.SUSPENDED)

    places = list(
        Place.objects.filter(level=PlaceLevel.TERRITORY, pcode__startswith="CD72").values_list(
            "pk", flat=True
        )
    )
    lines = []
    for company in companies:
        for theme, text, why in COMMITMENTS:
            deadline = today + datetime.timedelta(days=rng.randint(-500, 400))
            status = rng.choice([CommitmentStatus.PLANNED, CommitmentStatus.ONGOING, CommitmentStatus.DONE])
            done = status == CommitmentStatus.DONE
            lines.append(
                SocialCommitment(
                    company_id=company,
                    commitment=text,
                    theme=theme,
                    child_protection=why,
                    place_id=rng.choice(places) if places else None,
                    amount_usd=Decimal(rng.randrange(20_000, 600_000, 1000)),
                    deadline=deadline,
                    status=status,
                    done_on=min(today, deadline) if done else None,
                    evidence_note="Procès-verbal de remise signé par le chef de quartier." if done else "",
                )
            )
    insert(SocialCommitment, lines)
    for table, rows in (
        ("supply_sourcingagreement", agreements),
        ("supply_verificationvisit", visits),
        ("supply_breach", breaches),
        ("supply_socialcommitment", lines),
    ):
        ctx.inserted(table, len(rows))
    ctx.log(
        f"accords : {len(agreements)} accords, {len(visits)} visites, {len(breaches)} manquements, {len(lines)} engagements"
    )
