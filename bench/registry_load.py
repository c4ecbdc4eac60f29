"""Fill a PostgreSQL database with the synthetic registry, through the production code (children with
encrypted identities, their matching profiles), for the kinga-db engine of bench_registry.py.

    python bench/registry_load.py DATABASE_URL RECORDS SEED

The database is created and migrated when missing and reused while it holds a finished load
(table bench_registry_ids maps the generator's record ids to child ids, for scoring against the truth).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def ensure(url: str) -> bool:
    """Create the database if needed; True when it must be filled."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            return True
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT to_regclass('bench_registry_ready')").fetchone()[0] is None


def load(records: int, seed: int, *, profiles_only: bool = False) -> None:
    """profiles_only (for 1,000,000 records on a shared machine): children without encrypted names, their
    profiles computed by the production code (kinga.registry.profiles.profile_values) from the generator's
    plaintext in memory. The batch search reads exactly the same tables either way."""
    from django.core.management import call_command
    from django.db import connection, transaction

    from kinga.cases.models import Child
    from kinga.core.models import Organisation, Place, PlaceLevel
    from kinga.registry.profiles import save_profiles
    from kinga.registry.synthetic import generate, place_names

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_registry_ids")
        cursor.execute("CREATE TABLE bench_registry_ids (synthetic text PRIMARY KEY, child_id bigint)")
    country = Place.objects.filter(level=PlaceLevel.COUNTRY).first() or Place.objects.create(
        name="RDC (bench)", level=PlaceLevel.COUNTRY
    )
    org, _ = Organisation.objects.get_or_create(name="ONG bench registre", defaults={"acronym": "BENCHREG"})
    data = generate(records, seed=seed)
    # canonical places are villages grouped in communes; a place variant is another village of the commune
    canonical = place_names(600)
    communes = [
        Place.objects.get_or_create(
            name=f"Commune bench {i}", parent=country, defaults={"level": PlaceLevel.COMMUNE}
        )[0]
        for i in range(30)
    ]
    commune_of = {name: communes[i % 30] for i, name in enumerate(canonical)}
    places: dict[str, Place] = {}

    def place(name: str) -> Place:
        if name not in places:
            base = next((c for c in canonical if c.lower() in name.lower()), None)
            parent = commune_of.get(base or "", communes[hash(name) % 30])
            places[name] = Place.objects.get_or_create(
                name=name, parent=parent, defaults={"level": PlaceLevel.VILLAGE}
            )[0]
        return places[name]

    t0 = time.perf_counter()
    batch = 5000
    for start in range(0, len(data), batch):
        chunk = data[start : start + batch]
        with transaction.atomic():
            children = [
                Child(
                    given_name="" if profiles_only else r.given_name,
                    family_name="" if profiles_only else r.family_name,
                    sex=r.sex,
                    date_of_birth=r.birth_date,
                    caregivers=[{"name": r.caregiver, "relationship": ""}]
                    if r.caregiver and not profiles_only
                    else [],
                    residence=place(r.place),
                    registered_by_organisation=org,
                )
                for r in chunk
            ]
            Child.objects.bulk_create(children)
            if profiles_only:
                save_plain_profiles(chunk, children, place)
            else:
                save_profiles(children)
            with connection.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO bench_registry_ids VALUES (%s, %s)",
                    [(r.id, c.pk) for r, c in zip(chunk, children, strict=True)],
                )
        print(
            f"registry load: {start + len(chunk)} records, {time.perf_counter() - t0:.0f} s", file=sys.stderr
        )
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_registry_ready (built_at timestamptz DEFAULT now())")
        cursor.execute("ANALYZE")


def save_plain_profiles(chunk, children, place) -> None:
    from kinga.registry.models import MatchProfile, NameVariant
    from kinga.registry.profiles import profile_values

    profiles, variants = [], set()
    for r, child in zip(chunk, children, strict=True):
        values, rows = profile_values(
            given_name=r.given_name,
            family_name=r.family_name,
            sex=r.sex,
            date_of_birth=r.birth_date,
            place=place(r.place),
            caregiver=r.caregiver,
        )
        profiles.append(MatchProfile(child_id=child.pk, **values))
        variants.update(rows)
    MatchProfile.objects.bulk_create(profiles, batch_size=5000)
    NameVariant.objects.bulk_create(
        [NameVariant(code=c, variant=v) for c, v in variants], ignore_conflicts=True, batch_size=5000
    )


if __name__ == "__main__":
    url, records, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    profiles_only = "--profiles-only" in sys.argv
    if ensure(url):
        os.environ["DATABASE_URL"] = url
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinga.settings.base")
        import django

        django.setup()
        load(records, seed, profiles_only=profiles_only)
    print(url)
