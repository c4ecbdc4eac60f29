"""Synthetic mine sites, ZEA and inspections for `kinga synth` (bulk inserts, no audit rows)."""

from __future__ import annotations

import datetime

from kinga.core import clock
from kinga.core.models import Place, PlaceLevel
from kinga.core.synth import SynthContext, batched
from kinga.sites import status as engine
from kinga.sites.models import Inspection, Site, SiteType, Zone, ZoneStudy

MINERALS = [
    ["Cuivre", "Cobalt"],
    ["Cobalt"],
    ["Cuivre"],
    ["Cobalt", "Cuivre", "Manganèse"],
    ["Or"],
    ["Cassitérite"],
]
SITE_WORDS = [
    "Kasulo",
    "Mutoshi",
    "Kapata",
    "Shabara",
    "Tilwezembe",
    "Kolwezi",
    "Luilu",
    "Musonoi",
    "Kanina",
    "Mupanja",
    "Kawama",
    "Kakanda",
    "Fungurume",
    "Lupoto",
    "Mashamba",
    "Kamoto",
    "Dikuluwe",
    "Luita",
]
TASKS = ["Creuser", "Lavage", "Transport des minerais", "Tri", "Concassage"]
# Lualaba's territories, roughly centred (lat, lon): sites are scattered around them.
CENTRES = {
    "CD7201": (-10.72, 25.47),
    "CD7202": (-10.65, 24.45),
    "CD7203": (-9.95, 25.96),
    "CD7204": (-10.37, 23.45),
    "CD7205": (-10.70, 22.35),
    "CD7206": (-9.69, 22.90),
    "CD7207": (-8.35, 22.58),
}


def generate_sites(ctx: SynthContext) -> None:
    rng = ctx.rng
    territories = {p.pcode: p for p in Place.objects.filter(pcode__in=CENTRES, level=PlaceLevel.TERRITORY)}
    if not territories:
        ctx.log("sites : aucun territoire du Lualaba chargé, rien n'est généré")
        return
    today = clock.today()
    codes = list(territories)
    weights = [6 if c in ("CD7201", "CD7202") else 2 if c == "CD7203" else 1 for c in codes]
    n_zones = max(3, ctx.size("sites") // 100)
    zones = []
    stages = ["candidate", "located", "study", "viable", "not_viable", "equipped"]
    for i in range(n_zones):
        code = rng.choices(codes, weights)[0]
        lat, lon = CENTRES[code]
        stage = rng.choices(stages, [3, 3, 2, 2, 1, 2])[0]
        located = today - datetime.timedelta(days=rng.randint(200, 2500)) if stage != "candidate" else None
        zones.append(
            Zone(
                code=f"ZEA-S{ctx.seed}-{i + 1:04d}",
                name=f"ZEA {rng.choice(SITE_WORDS)} {i + 1}",
                place=territories[code],
                territory=territories[code],
                stage=stage,
                expired_title=f"PE {rng.randint(1000, 13000)}",
                area_ha=rng.randint(50, 2500) if stage != "candidate" else None,
                latitude=round(lat + rng.uniform(-0.3, 0.3), 6) if located else None,
                longitude=round(lon + rng.uniform(-0.3, 0.3), 6) if located else None,
                located_on=located,
                viability_decided_on=located + datetime.timedelta(days=180)
                if stage in ("viable", "not_viable", "equipped") and located
                else None,
                processing_units=rng.randint(1, 4) if stage == "equipped" else 0,
                equipped_on=located + datetime.timedelta(days=365)
                if stage == "equipped" and located
                else None,
            )
        )
    Zone.objects.bulk_create(zones, batch_size=2000)
    zones = list(Zone.objects.filter(code__startswith=f"ZEA-S{ctx.seed}-"))
    studies = [
        ZoneStudy(
            zone=z,
            title=f"Étude de minéralisation — {z.name}",
            author="CEEC",
            published_on=z.located_on + datetime.timedelta(days=90) if z.located_on else None,
            url="https://example.invalid/etude",
        )
        for z in zones
        if z.stage in ("study", "viable", "not_viable", "equipped")
    ]
    ZoneStudy.objects.bulk_create(studies, batch_size=2000)
    ctx.inserted("sites_zone", len(zones))
    ctx.inserted("sites_zonestudy", len(studies))

    sites = []
    for i in range(ctx.size("sites")):
        code = rng.choices(codes, weights)[0]
        lat, lon = CENTRES[code]
        zone = rng.choice(zones) if zones and rng.random() < 0.1 else None
        sites.append(
            Site(
                code=f"KS{ctx.seed}-{i + 1:06d}",
                name=f"{rng.choice(SITE_WORDS)} {i + 1}",
                place=territories[code],
                territory=territories[code],
                latitude=round(lat + rng.uniform(-0.45, 0.45), 6),
                longitude=round(lon + rng.uniform(-0.45, 0.45), 6),
                site_type=SiteType.ZEA
                if zone
                else rng.choice([SiteType.INFORMAL, SiteType.INFORMAL, SiteType.CONCESSION]),
                zone=zone,
                minerals=rng.choice(MINERALS),
                workers_count=rng.choice([None, 40, 120, 300, 800, 2500]),
                state_services=rng.choice([[], ["SAEMAPE"], ["SAEMAPE", "Division des mines"]]),
                source="kinga",
            )
        )
    for batch in batched(sites, 5000):
        Site.objects.bulk_create(batch, batch_size=5000)
    site_ids = list(Site.objects.filter(code__startswith=f"KS{ctx.seed}-").values_list("id", flat=True))
    ctx.inserted("sites_site", len(site_ids))

    n = ctx.size("inspections")
    rows = []
    for _ in range(n):
        children = rng.random() < 0.08
        boys = rng.randint(0, 4) if children else 0
        girls = rng.randint(0, 3) if children else 0
        rows.append(
            Inspection(
                site_id=rng.choice(site_ids),
                date=today - datetime.timedelta(days=rng.randint(0, 1100)),
                boys_under_15=boys,
                girls_under_15=girls,
                boys_15_17=rng.randint(0, 2) if children else 0,
                girls_15_17=0,
                children_seen=children,
                children_in_workings=children,
                children_tasks=", ".join(rng.sample(TASKS, 2)) if children else "",
                pregnant_women_working=rng.random() < 0.03,
                armed_group_present=rng.random() < 0.01,
                security_forces_present=rng.random() < 0.1,
                security_forces_interfering=rng.random() < 0.02,
                illegal_taxation=rng.random() < 0.05,
                safety=rng.choices(["none", "minor", "serious"], [90, 8, 2])[0],
                cooperative_registration=rng.choices(["present", "missing", ""], [80, 10, 10])[0],
                management_documents=rng.choices(["present", "missing", ""], [75, 15, 10])[0],
                production_records=rng.choices(["present", "missing", ""], [70, 15, 15])[0],
                workers_count=rng.randint(20, 900),
            )
        )
        if len(rows) >= 10000:
            Inspection.objects.bulk_create(rows, batch_size=10000)
            rows = []
    if rows:
        Inspection.objects.bulk_create(rows, batch_size=10000)
    ctx.inserted("sites_inspection", n)
    changed = engine.recompute(site_ids, publish=False)
    ctx.log(f"sites : {len(site_ids)} sites, {n} inspections, {len(zones)} ZEA, {changed} statuts calculés")
