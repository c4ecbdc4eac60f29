"""Reference data of the core: DRC places with p-codes and the organisations the plan names.

Loading is idempotent and never overwrites what users changed: existing records are left as they are.
"""

from __future__ import annotations

import csv
from importlib import resources

import yaml
from django.db import transaction

from kinga.core import services
from kinga.core.access import Actor
from kinga.core.models import Organisation, OrganisationAlias, Place, PlaceLevel

LUALABA_SHORT_CODES = {
    "CD7201": "KZI",
    "CD7202": "MUT",
    "CD7203": "LUB",
    "CD7204": "KSJ",
    "CD7205": "DIL",
    "CD7206": "SAN",
    "CD7207": "KAP",
}
# Kolwezi's communes have no public p-code: named places under the town.
KOLWEZI_COMMUNES = ("Dilala", "Manika")


def _data(name: str):
    return resources.files("kinga.core") / "data" / name


@transaction.atomic
def load_places(*, actor: Actor | None = None, stdout=None) -> int:
    created = 0
    country, made = Place.objects.get_or_create(
        pcode="COD", defaults={"name": "République démocratique du Congo", "level": PlaceLevel.COUNTRY}
    )
    if made or not country.path:
        country.path = f"/{country.pk}/"
        Place.objects.filter(pk=country.pk).update(path=country.path)
        created += made
    with _data("cod_pcodes_adm1_adm2.csv").open(encoding="utf-8") as handle:
        rows = sorted(csv.DictReader(handle), key=lambda r: int(r["Admin Level"]))
    by_pcode = {p.pcode: p for p in Place.objects.filter(pcode__isnull=False)}
    for row in rows:
        pcode = row["P-Code"].strip()
        if pcode in by_pcode:
            continue
        parent = by_pcode.get(row["Parent P-Code"].strip())
        if parent is None:
            continue
        place = Place.objects.create(
            pcode=pcode,
            name=row["Name"].strip(),
            level=int(row["Admin Level"]),
            parent=parent,
            short_code=LUALABA_SHORT_CODES.get(pcode, ""),
        )
        place.path = f"{parent.path}{place.pk}/"
        Place.objects.filter(pk=place.pk).update(path=place.path)
        by_pcode[pcode] = place
        created += 1
    kolwezi = by_pcode.get("CD7201")
    if kolwezi is not None:
        for name in KOLWEZI_COMMUNES:
            commune, made = Place.objects.get_or_create(
                parent=kolwezi, name=name, defaults={"level": PlaceLevel.COMMUNE}
            )
            if made:
                commune.path = f"{kolwezi.path}{commune.pk}/"
                Place.objects.filter(pk=commune.pk).update(path=commune.path)
                created += 1
    if stdout:
        stdout.write(f"lieux : {created} créé(s), {Place.objects.count()} en tout")
    return created


@transaction.atomic
def load_organisations(*, actor: Actor | None = None, stdout=None) -> int:
    created = 0
    entries = yaml.safe_load(_data("organisations.yaml").read_text(encoding="utf-8"))
    lualaba = Place.objects.filter(pcode="CD72").first()
    for entry in entries:
        organisation = Organisation.objects.filter(name=entry["name"]).first()
        if organisation is None:
            organisation = Organisation.objects.create(
                name=entry["name"], acronym=entry.get("acronym", ""), type=entry["type"], is_reference=True
            )
            if lualaba is not None:
                organisation.areas.add(lualaba)
            created += 1
        for alias in [entry["name"], entry.get("acronym", ""), *entry.get("aliases", [])]:
            if (
                alias
                and not OrganisationAlias.objects.filter(organisation=organisation, alias=alias).exists()
            ):
                services.add_alias(organisation, alias)
    if stdout:
        stdout.write(f"organisations : {created} créée(s), {Organisation.objects.count()} en tout")
    return created
