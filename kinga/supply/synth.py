"""Synthetic supply chain for `kinga synth`: mining cooperatives with their documents and members, monthly
production, buyer companies, and lots with their evacuation decisions consistent with each site's status."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db.models import Count

from kinga.core import clock
from kinga.core.models import Membership, Organisation, OrganisationType, Place, PlaceLevel, User
from kinga.core.roles import Role
from kinga.core.synth import SynthContext, batched
from kinga.core.synth_clone import register_clone
from kinga.households.models import Cooperative as CooperativeProfile
from kinga.sites.models import Site
from kinga.supply.models import (
    CooperativeDocument,
    DocumentType,
    EvacuationAuthorisation,
    Lot,
    Miner,
    Production,
)
from kinga.supply.services.cooperatives import DEFAULT_DOCUMENT_TYPES

COOP_WORDS = [
    "Umoja",
    "Tujenge",
    "Maendeleo",
    "Bumi",
    "Tumaini",
    "Amani",
    "Nguvu",
    "Kazi",
    "Upendo",
    "Mwangaza",
]
BUYER_WORDS = ["Comptoir", "Négoce", "Entité de traitement", "Fonderie", "Dépôt d'achat"]
MINERAL_MIX = ["cobalt"] * 6 + ["copper"] * 2 + ["copper_cobalt"] * 2
OUTCOME_OF = {"green": "authorised", "yellow": "warning"}


def _document_types() -> list[DocumentType]:
    existing = {t.code for t in DocumentType.objects.all()}
    DocumentType.objects.bulk_create(
        [
            DocumentType(code=code, name_fr=fr, name_en=en, default_validity_months=months, order=order)
            for code, fr, en, months, order in DEFAULT_DOCUMENT_TYPES
            if code not in existing
        ]
    )
    return list(DocumentType.objects.filter(is_active=True, is_required=True))


def _acronym(name: str) -> str:
    """Initials of the name's longer words and its number ("Coopérative minière Umoja 3 (7)" → "CMU3").

    The seed tag in brackets stays out: it is the same for every organisation of a run, so an acronym taken
    from it showed fifteen organisations as "(1)".
    """
    words = name.split(" (")[0].replace(",", " ").split()
    initials = "".join(w if w.isupper() else w[0] for w in words if len(w) > 3 and not w.isdigit())
    number = "".join(w for w in words if w.isdigit())
    return initials.upper() + number


def _organisations(ctx: SynthContext, kind: str, names: list[str]) -> list[Organisation]:
    existing = set(Organisation.objects.filter(name__in=names).values_list("name", flat=True))
    Organisation.objects.bulk_create(
        [Organisation(name=n, acronym=_acronym(n), type=kind) for n in names if n not in existing],
        batch_size=2000,
    )
    orgs = list(Organisation.objects.filter(name__in=names))
    ctx.inserted("core_organisation", len(orgs) - len(existing))
    return orgs


def _members(ctx: SynthContext, orgs: list[Organisation], role: str, per_org: int) -> None:
    unusable = make_password(None)
    users = [
        User(
            email=f"synth.supply.{org.pk}.{j}.{ctx.seed}@exemple.invalid",
            full_name=f"{ctx.given_name()} {ctx.family_name()}",
            password=unusable,
        )
        for org in orgs
        for j in range(per_org)
    ]
    User.objects.bulk_create(users, batch_size=2000, ignore_conflicts=True)
    by_email = dict(User.objects.filter(email__in=[u.email for u in users]).values_list("email", "pk"))
    Membership.objects.bulk_create(
        [
            Membership(
                user_id=by_email[f"synth.supply.{org.pk}.{j}.{ctx.seed}@exemple.invalid"],
                organisation=org,
                role=role,
            )
            for org in orgs
            for j in range(per_org)
        ],
        batch_size=2000,
        ignore_conflicts=True,
    )


def _override(inspector_id: int, coordinator_id: int, at) -> dict:
    return {
        "override_state": "approved",
        "override_requested_by_id": inspector_id,
        "override_requested_role": Role.SITE_INSPECTOR,
        "override_request_reason": "Lot extrait avant la constatation (données synthétiques).",
        "override_requested_at": at,
        "override_decided_by_id": coordinator_id,
        "override_decided_role": Role.COORDINATOR,
        "override_decision_reason": "Vérification faite sur place (données synthétiques).",
        "override_decided_at": at,
    }


def generate(ctx: SynthContext) -> None:
    rng = ctx.rng
    today = clock.today()
    n_coops, n_lots = ctx.size("cooperatives"), ctx.size("lots")
    sites = list(Site.objects.values_list("id", "status"))
    if not sites:
        ctx.log("supply : aucun site minier, rien n'est généré")
        return
    doc_types = _document_types()
    tag = f"{ctx.seed}"
    coops = _organisations(
        ctx,
        OrganisationType.COOPERATIVE,
        [f"Coopérative minière {rng.choice(COOP_WORDS)} {i} ({tag})" for i in range(1, n_coops + 1)],
    )
    # The households app keeps the cooperative's profile: these are mining cooperatives in Lualaba's territories.
    territories = list(Place.objects.filter(pcode__startswith="CD72", level=PlaceLevel.TERRITORY)) or list(
        Place.objects.filter(level=PlaceLevel.TERRITORY)[:10]
    )
    if territories:
        have = set(
            CooperativeProfile.objects.filter(organisation__in=coops).values_list(
                "organisation_id", flat=True
            )
        )
        profiles = []
        for coop in coops:
            if coop.pk in have:
                continue
            place = rng.choice(territories)
            profiles.append(
                CooperativeProfile(organisation=coop, kind="mining", place=place, place_path=place.path)
            )
        CooperativeProfile.objects.bulk_create(profiles, batch_size=2000)
        ctx.inserted("households_cooperative", len(profiles))
    n_buyers = max(3, n_coops // 40)
    buyers = _organisations(
        ctx,
        OrganisationType.COMPANY,
        [f"{BUYER_WORDS[i % len(BUYER_WORDS)]} Lualaba {i} ({tag})" for i in range(1, n_buyers + 1)],
    )
    _members(ctx, buyers, Role.COMPANY_OFFICER, 2)
    _members(ctx, coops[: max(1, n_coops // 10)], Role.ORG_MANAGER, 1)
    [mines] = _organisations(
        ctx,
        OrganisationType.PROVINCIAL_GOVERNMENT,
        [f"Division des mines, service des autorisations ({tag})"],
    )
    [idak] = _organisations(ctx, OrganisationType.IDAK, [f"IDAK, cellule de suivi ({tag})"])
    _members(ctx, [mines], Role.SITE_INSPECTOR, 1)
    _members(ctx, [idak], Role.COORDINATOR, 1)
    inspector_id = Membership.objects.filter(organisation=mines, role=Role.SITE_INSPECTOR).values_list(
        "user_id", flat=True
    )[0]
    coordinator_id = Membership.objects.filter(organisation=idak, role=Role.COORDINATOR).values_list(
        "user_id", flat=True
    )[0]

    # Each cooperative works 1 to 4 sites; a site may host several cooperatives.
    coop_sites = {c.pk: [rng.choice(sites) for _ in range(rng.randint(1, 4))] for c in coops}
    status_of = dict(sites)

    documents, miners, production = [], [], []
    for coop in coops:
        fate = rng.random()  # 80 % in order, 10 % one document expired, 10 % one missing
        skipped = rng.choice(doc_types) if fate > 0.9 else None
        expired = rng.choice(doc_types) if 0.8 < fate <= 0.9 else None
        for t in doc_types:
            if t is skipped:
                continue
            issued = today - datetime.timedelta(days=rng.randint(30, 330))
            until = None if t.default_validity_months is None else issued + datetime.timedelta(days=365)
            if t is expired:
                issued, until = today - datetime.timedelta(days=500), today - datetime.timedelta(days=135)
            documents.append(
                CooperativeDocument(
                    cooperative=coop,
                    document_type=t,
                    issued_on=issued,
                    valid_until=until,
                    reference=f"{t.code[:3].upper()}-{coop.pk}",
                )
            )
        for k in range(rng.randint(15, 80)):
            miners.append(
                Miner(
                    cooperative=coop,
                    member_number=f"{k + 1:04d}",
                    sex="F" if rng.random() < 0.22 else "M",
                    birth_year=today.year - rng.randint(18, 62),
                    joined_on=today - datetime.timedelta(days=rng.randint(30, 2000)),
                )
            )
        for site_id, _status in {s[0]: s for s in coop_sites[coop.pk]}.values():
            mineral = rng.choice(MINERAL_MIX)
            for m in range(12):
                month = (today.replace(day=1) - datetime.timedelta(days=31 * m)).replace(day=1)
                production.append(
                    Production(
                        site_id=site_id,
                        cooperative=coop,
                        mineral=mineral,
                        month=month,
                        tonnage=Decimal(rng.randint(5_000, 400_000)) / 1000,
                        grade_percent=Decimal(rng.randint(200, 2500)) / 100,
                    )
                )
    for rows, model in ((documents, CooperativeDocument), (miners, Miner), (production, Production)):
        for batch in batched(rows, 5000):
            model.objects.bulk_create(batch, ignore_conflicts=model is Production)
        ctx.inserted(model._meta.db_table, len(rows))

    decided_at = clock.now()
    inserted = 0
    for start in range(0, n_lots, 5000):
        lots, decisions = [], []
        for i in range(start, min(n_lots, start + 5000)):
            coop = coops[i % len(coops)]
            site_id, _ = rng.choice(coop_sites[coop.pk])
            status = status_of.get(site_id) or "blue"
            day = today - datetime.timedelta(days=rng.randint(0, 730))
            outcome = OUTCOME_OF.get(status, "refused")
            pending = rng.random() < 0.02
            override = outcome == "refused" and rng.random() < 0.08
            lot_status = (
                "pending"
                if pending
                else "overridden"
                if override
                else "refused"
                if outcome == "refused"
                else "authorised"
            )
            lots.append(
                Lot(
                    reference=f"LOT-S{ctx.seed}-{i:08d}",
                    site_id=site_id,
                    cooperative=coop,
                    mineral=rng.choice(MINERAL_MIX),
                    weight_kg=Decimal(rng.randint(200_00, 30_000_00)) / 100,
                    grade_percent=Decimal(rng.randint(200, 2500)) / 100,
                    date=day,
                    buyer=buyers[rng.randrange(len(buyers))],
                    status=lot_status,
                    site_status="" if pending else status,
                    decided_at=None if pending else decided_at,
                )
            )
        Lot.objects.bulk_create(lots, batch_size=5000)
        refs = {lot.reference: lot for lot in lots}
        ids = dict(Lot.objects.filter(reference__in=list(refs)).values_list("reference", "id"))
        for ref, lot in refs.items():
            if lot.status == "pending":
                continue
            decisions.append(
                EvacuationAuthorisation(
                    number=f"AE-S{ctx.seed}-{ref[-8:]}",
                    lot_id=ids[ref],
                    decided_at=decided_at,
                    decided_by_id=inspector_id,
                    decided_by_role=Role.SITE_INSPECTOR,
                    outcome=OUTCOME_OF.get(lot.site_status, "refused"),
                    site_status=lot.site_status,
                    reasons=[]
                    if lot.site_status in OUTCOME_OF
                    else [{"code": f"site_{lot.site_status}", "params": {}}],
                    **(
                        _override(inspector_id, coordinator_id, decided_at)
                        if lot.status == "overridden"
                        else {}
                    ),
                )
            )
        EvacuationAuthorisation.objects.bulk_create(decisions, batch_size=5000)
        inserted += len(lots)
        ctx.inserted("supply_lot", len(lots))
        ctx.inserted("supply_evacuationauthorisation", len(decisions))
    ctx.log(f"supply : {len(coops)} coopératives, {len(buyers)} acheteurs, {inserted} lots")


# National scale: the base generated above is multiplied in SQL (kinga.core.synth_clone).
register_clone(Lot, order=40, sizes=("lots",), expressions={"reference": "reference || '-' || k"})
register_clone(EvacuationAuthorisation, order=41, expressions={"number": "number || '-' || k"})


def demo_handover(*, accounts: dict, stdout=None) -> None:
    """The demo company takes over the purchases of the synthetic company that bought the most lots. Once only."""
    officer = accounts.get("entreprise")
    if officer is None or Lot.objects.filter(buyer=officer.organisation).exists():
        return
    busiest = Lot.objects.values("buyer_id").annotate(n=Count("id")).order_by("-n", "buyer_id").first()
    if busiest is None:
        return
    moved = Lot.objects.filter(buyer_id=busiest["buyer_id"]).update(buyer=officer.organisation)
    if stdout:
        stdout.write(f"supply : {moved} lots confiés au compte de démonstration {officer.user.email}")
