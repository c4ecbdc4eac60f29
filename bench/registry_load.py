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
    from kinga.core.synth_insert import insert
    from kinga.registry.synthetic import generate, place_names

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)  # the memo of counts lives there, as in production
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
    lowered = [(c.lower(), c) for c in canonical]
    # every distinct place name once, inserted together (one get_or_create per name cost minutes at 1 M)
    places: dict[str, Place] = {p.name: p for p in Place.objects.filter(parent__in=communes)}
    missing = []
    for name in dict.fromkeys(r.place for r in data):
        if name in places:
            continue
        low = name.lower()
        base = next((c for lc, c in lowered if lc in low), None)
        parent = commune_of.get(base or "", communes[hash(name) % 30])
        places[name] = Place(name=name, parent=parent, level=PlaceLevel.VILLAGE)
        missing.append(places[name])
    insert(Place, missing)

    def place(name: str) -> Place:
        return places[name]

    t0 = time.perf_counter()
    batch = 20_000
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
            # COPY (kinga.core.synth_insert): bulk_create's statement compilation dominated the load.
            # Encrypted fields still go through their own preparation, so names are encrypted as in production.
            insert(Child, children)
            if profiles_only:
                save_plain_profiles(chunk, children, place)
            else:
                save_new_profiles(children)
            with (
                connection.cursor() as wrapper,
                wrapper.cursor.copy("COPY bench_registry_ids FROM STDIN") as copy,
            ):
                for r, c in zip(chunk, children, strict=True):
                    copy.write_row((r.id, c.pk))
        print(
            f"registry load: {start + len(chunk)} records, {time.perf_counter() - t0:.0f} s", file=sys.stderr
        )
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_registry_ready (built_at timestamptz DEFAULT now())")
        # as autovacuum leaves a table after a large insert: the counts of names read the indexes alone
        cursor.execute("VACUUM ANALYZE")


def save_new_profiles(children) -> None:
    """The production profile computation (kinga.registry.profiles.child_profile_values) for children
    just inserted; rows go through COPY (save_profiles upserts, which a fresh load does not need)."""
    from kinga.registry.profiles import child_profile_values

    _insert_profiles([(child, *child_profile_values(child)) for child in children])


def save_plain_profiles(chunk, children, place) -> None:
    from kinga.registry.profiles import profile_values

    rows = []
    for r, child in zip(chunk, children, strict=True):
        values, variants = profile_values(
            given_name=r.given_name,
            family_name=r.family_name,
            sex=r.sex,
            date_of_birth=r.birth_date,
            place=place(r.place),
            caregiver=r.caregiver,
        )
        rows.append((child, values, variants))
    _insert_profiles(rows)


def _insert_profiles(rows) -> None:
    from kinga.core.synth_insert import insert
    from kinga.registry.models import MatchProfile, NameVariant

    profiles, variants = [], set()
    for child, values, child_variants in rows:
        profiles.append(MatchProfile(child_id=child.pk, **values))
        variants.update(child_variants)
    insert(MatchProfile, profiles)
    insert(NameVariant, [NameVariant(code=c, variant=v) for c, v in variants], ignore_conflicts=True)


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
