"""`make bench`: benchmarks against PostgreSQL on a cached synthetic database.

Usage: python bench/run.py [--scale demo|province|national] [--seed N] [--only NAME ...] [--rebuild]

- BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/kinga_bench) names the server and the
  database prefix; the database used is <prefix>_<scale>_<seed>_<fingerprint>, where the fingerprint hashes
  the synthetic-data generators: a cached database is reused (and migrated forward) while they are unchanged.
- Checks free disk first; writes var/bench/results.json (a list of {"name","value","unit","scale","rows"})
  and prints a table.
- Each file bench/bench_<name>.py defines `run(ctx: BenchContext) -> None` and records figures with
  ctx.add(...) or ctx.time_requests(...). Run them one at a time on the machine (a lock serialises runs).
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import importlib.util
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# Free disk needed to build (or keep) each scale's database, in GB: a rough upper bound.
DISK_NEEDED_GB = {"demo": 1, "province": 8, "national": 60}


def fingerprint() -> str:
    digest = hashlib.sha256()
    # Only the generators: a database built by unchanged generators is reused and migrated forward (a new
    # index or column must not cost a national rebuild).
    for path in sorted((ROOT / "kinga").rglob("*.py")):
        if path.name.startswith("synth"):
            digest.update(path.relative_to(ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:8]


def database_url(base: str, scale: str, seed: int) -> str:
    parts = urlsplit(base)
    name = f"{parts.path.lstrip('/') or 'kinga_bench'}_{scale}_{seed}_{fingerprint()}"
    return urlunsplit(parts._replace(path=f"/{name}"))


def ensure_database(url: str, rebuild: bool) -> bool:
    """Create the database if needed; True when it must be filled."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and rebuild:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            return True
    with psycopg.connect(url) as conn:
        done = conn.execute("SELECT to_regclass('kinga_bench_ready')").fetchone()[0]
    return done is None


class BenchContext:
    def __init__(self, scale: str, seed: int):
        self.scale = scale
        self.seed = seed
        self.results: list[dict] = []

    def add(self, name: str, value: float, unit: str, rows: int | None = None) -> None:
        self.results.append(
            {"name": name, "value": round(value, 3), "unit": unit, "scale": self.scale, "rows": rows}
        )
        # Printed as it is measured: a long run stopped half-way keeps what it had measured.
        print(f"bench result: {name} = {round(value, 3)} {unit} ({self.scale}, rows {rows})", flush=True)

    def time_calls(
        self, name: str, fn, *, n: int = 200, rows: int | None = None, warmup: int = 5
    ) -> list[float]:
        """Call fn n times; record median and p95 in ms."""
        for _ in range(warmup):
            fn()
        timings = []
        for _ in range(n):
            t0 = time.perf_counter()
            fn()
            timings.append((time.perf_counter() - t0) * 1000)
        timings.sort()
        self.add(f"{name} median", statistics.median(timings), "ms", rows)
        self.add(f"{name} p95", timings[max(0, int(len(timings) * 0.95) - 1)], "ms", rows)
        return timings

    def time_requests(
        self, name: str, client, url: str, *, n: int = 200, rows: int | None = None, expect: int = 200
    ) -> list[float]:
        """Server time of a page through the Django test client (no network): median and p95."""

        def call():
            response = client.get(url)
            if response.status_code != expect:
                raise RuntimeError(f"{url} answered {response.status_code}, expected {expect}")

        return self.time_calls(name, call, n=n, rows=rows)

    def client_for_role(self, role: str):
        """A test client logged in as some member with this role (second factor enrolled)."""
        from kinga.core.models import Membership

        membership = Membership.objects.filter(role=role, is_active=True).select_related("user").first()
        if membership is None:
            raise RuntimeError(f"No member with role {role} in the bench database")
        return self.client_for(membership)

    def client_for(self, membership):
        """A test client logged in as this member, in this membership (second factor enrolled)."""
        from allauth.mfa.models import Authenticator
        from django.test import Client

        from kinga.core.testing import enrol_totp

        if not Authenticator.objects.filter(user=membership.user, type="totp").exists():
            enrol_totp(membership.user)
        client = Client()
        client.force_login(membership.user)
        session = client.session
        session["kinga_membership"] = membership.pk
        session.save()
        return client


def synth_rate(ctx: BenchContext, connection) -> None:
    """Synth rows per second, as measured when this bench database was built."""
    with connection.cursor() as cursor:
        try:
            cursor.execute("SELECT synth_rows, synth_seconds, built_at FROM kinga_bench_ready LIMIT 1")
            row = cursor.fetchone()
        except Exception:  # a database built before the figure was stored
            row = None
    if row and row[0] and row[1]:
        ctx.add("synth rows per second", row[0] / row[1], "rows/s", row[0])
        print(f"bench: synth {row[0]} rows in {row[1]:.0f} s when built ({row[2]:%Y-%m-%d %H:%M})")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--scale", default=os.environ.get("BENCH_SCALE", "province"), choices=sorted(DISK_NEEDED_GB)
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", nargs="*", default=[])
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--print-url", action="store_true", help="print the scale's database URL and stop")
    args = parser.parse_args()
    base = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kinga_bench")
    if args.print_url:
        print(database_url(base, args.scale, args.seed))
        return 0

    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    free_gb = shutil.disk_usage(ROOT).free / 1e9
    if free_gb < DISK_NEEDED_GB[args.scale]:
        print(
            f"bench: {free_gb:.1f} GB free, {args.scale} needs about {DISK_NEEDED_GB[args.scale]} GB: stopping"
        )
        return 2

    url = database_url(base, args.scale, args.seed)
    with open("/tmp/kinga-bench.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        must_fill = ensure_database(url, args.rebuild)
        os.environ["DATABASE_URL"] = url
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinga.settings.base")
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        ctx = BenchContext(args.scale, args.seed)
        if must_fill:
            call_command("migrate", verbosity=0)
            # Before synth: its writes start new generations of the memo (kinga.core.memo), kept in this table.
            call_command("createcachetable", verbosity=0)
            t0 = time.perf_counter()
            from io import StringIO

            out = StringIO()
            call_command("synth", scale=args.scale, seed=args.seed, stdout=out)
            elapsed = time.perf_counter() - t0
            print(out.getvalue())
            rows = sum(
                int(line.rsplit(":", 1)[1])
                for line in out.getvalue().splitlines()
                if line.startswith("  ") and line.rsplit(":", 1)[1].strip().isdigit()
            )
            with connection.cursor() as cursor:
                # The synth rate is measured once, when the database is built; later runs report it from here.
                cursor.execute(
                    "CREATE TABLE kinga_bench_ready (built_at timestamptz DEFAULT now(), "
                    "synth_rows bigint, synth_seconds double precision)"
                )
                cursor.execute(
                    "INSERT INTO kinga_bench_ready (synth_rows, synth_seconds) VALUES (%s, %s)",
                    [rows, elapsed],
                )
            connection.close()
            import psycopg

            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE")
        else:
            print(f"bench: reusing {urlsplit(url).path.lstrip('/')}")
            call_command("migrate", verbosity=0)
        # The shared cache is a database table (settings: dbcache); `migrate` does not create it.
        call_command("createcachetable", verbosity=0)
        synth_rate(ctx, connection)

        call_command("collectstatic", interactive=False, verbosity=0)
        for path in sorted((ROOT / "bench").glob("bench_*.py")):
            name = path.stem.removeprefix("bench_")
            if args.only and name not in args.only:
                continue
            spec = importlib.util.spec_from_file_location(f"bench_{name}", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            print(f"bench: {name}…", flush=True)
            module.run(ctx)

    previous = []
    results_path = ROOT / "var" / "bench" / "results.json"
    if results_path.exists() and args.only:
        previous = [
            r
            for r in json.loads(results_path.read_text())
            if r["name"] not in {x["name"] for x in ctx.results}
        ]
    results_path.write_text(json.dumps(previous + ctx.results, indent=2))
    width = max((len(r["name"]) for r in ctx.results), default=10)
    print(f"\n{'benchmark':<{width}}  {'value':>12}  unit      scale     rows")
    for r in ctx.results:
        print(f"{r['name']:<{width}}  {r['value']:>12}  {r['unit']:<8}  {r['scale']:<8}  {r['rows'] or ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
