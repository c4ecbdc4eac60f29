"""Registry benchmark: batch duplicate search, Kinga side by side with splink 5, same records, same run.

    make bench BENCH_ARGS="--scale province --only registry"     (in the harness)
    python bench/bench_registry.py --records 100000 [--seed 1] [--engines splink kinga-file kinga-db]
        [--errors field|literature] [--fields 6|4]

The records come from a seeded synthetic registry: `field` errors (kinga/registry/synthetic.py) or `literature`
errors (kinga/registry/synthetic_corruption.py), parameters in docs/benchmarks.md; with `--fields 4` both engines
get given name, family name, birth date and place only. Each engine runs in its own process, one after the other, so that wall time and
peak memory (ru_maxrss) are its own; PostgreSQL's memory is reported apart (kinga-db only).
Precision, recall and F1 are computed on pairs against the generator's truth.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import django
import psycopg

from kinga.registry import synthetic, synthetic_corruption
from kinga.registry.synthetic import true_pairs

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RECORDS_BY_SCALE = {"demo": 10_000, "province": 100_000, "national": 1_000_000}


# Error models: "field" (synthetic.py, from our field notes) and "literature" (synthetic_corruption.py).
GENERATORS = {"field": synthetic.generate, "literature": synthetic_corruption.generate}


def write_dataset(path: Path, records, *, fields: int = 6) -> None:
    """Six fields (given, family, sex, birth date or age, place, caregiver) or four (given, family, birth date,
    place: sex, age and caregiver left blank for both engines)."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "given_name", "family_name", "sex", "birth_date", "age", "place", "caregiver"])
        six = fields == 6
        for r in records:
            age = getattr(r, "age", None)
            writer.writerow(
                [
                    r.id,
                    r.given_name,
                    r.family_name,
                    r.sex if six else "",
                    r.birth_date.isoformat() if r.birth_date else "",
                    "" if age is None or not six else age,
                    r.place,
                    r.caregiver if six else "",
                ]
            )


def evaluate(pairs_csv: Path, truth: set[tuple[str, str]]) -> dict:
    predicted = set()
    with open(pairs_csv, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            a, b = row["id_a"], row["id_b"]
            predicted.add((a, b) if a < b else (b, a))
    precision, recall, f1 = _prf(predicted, truth)
    clustered = cluster_pairs(predicted)
    c_precision, c_recall, c_f1 = _prf(clustered, truth)
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "predicted": len(predicted),
        "true": len(truth),
        # the pairs of the clusters the predicted pairs make (a record joins its pairs' records): what a
        # registry that merges along the pairs would hold
        "clustered_precision": c_precision,
        "clustered_recall": c_recall,
        "clustered_f1": c_f1,
    }


def _prf(predicted: set, truth: set) -> tuple[float, float, float]:
    tp = len(predicted & truth)
    precision = tp / len(predicted) if predicted else 0.0
    recall = tp / len(truth) if truth else 0.0
    return precision, recall, (2 * precision * recall / (precision + recall) if precision + recall else 0.0)


def cluster_pairs(pairs: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """Every pair within the connected components of `pairs` (union-find)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    members: dict[str, list[str]] = {}
    for x in list(parent):
        members.setdefault(find(x), []).append(x)
    out = set()
    for group in members.values():
        group.sort()
        out.update((group[i], group[j]) for i in range(len(group)) for j in range(i + 1, len(group)))
    return out


def postgres_memory_mb() -> float | None:
    """Resident memory of the PostgreSQL server processes (reported apart from Kinga's)."""
    total = 0
    found = False
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            comm = Path(f"/proc/{pid}/comm").read_text().strip()
            if comm not in ("postgres", "postmaster"):
                continue
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
                    found = True
        except OSError:
            continue
    return total / 1024 if found else None


def registry_database(base: str, records: int, seed: int, *, profiles_only: bool = False) -> str:
    """The database of the synthetic registry for kinga-db: built once per size, seed and code version."""

    digest = hashlib.sha256()
    # the tables the load writes and the code that computes them (not every app's migrations)
    for app in ("core", "cases", "registry"):
        for path in sorted((ROOT / "kinga" / app / "migrations").glob("*.py")):
            digest.update(path.read_bytes())
    for name in (
        "registry/profiles.py",
        "registry/matching/normalise.py",
        "registry/synthetic.py",
        "core/crypto.py",
    ):
        digest.update((ROOT / "kinga" / name).read_bytes())
    parts = urlsplit(base)
    kind = "profiles" if profiles_only else "registry"
    name = f"{parts.path.lstrip('/') or 'kinga_bench'}_{kind}_{records}_{seed}_{digest.hexdigest()[:8]}"
    url = urlunsplit(parts._replace(path=f"/{name}"))
    cmd = [sys.executable, str(ROOT / "bench" / "registry_load.py"), url, str(records), str(seed)]
    subprocess.run(cmd + (["--profiles-only"] if profiles_only else []), check=True)
    return url


def to_synthetic_ids(url: str, pairs_csv: Path) -> Path:
    """kinga-db answers with child ids: translate them to the generator's ids to score against the truth."""

    with psycopg.connect(url) as conn:
        mapping = {str(c): s for s, c in conn.execute("SELECT synthetic, child_id FROM bench_registry_ids")}
    out = pairs_csv.with_suffix(".synthetic.csv")
    with (
        open(pairs_csv, encoding="utf-8", newline="") as src,
        open(out, "w", encoding="utf-8", newline="") as dst,
    ):
        writer = csv.writer(dst)
        writer.writerow(["id_a", "id_b", "score"])
        for row in csv.DictReader(src):
            writer.writerow([mapping[row["id_a"]], mapping[row["id_b"]], row["score"]])
    return out


def run_engine(engine: str, source: str, out: Path, seed: int = 1) -> dict:
    os.environ["BENCH_SEED"] = str(seed)
    cmd = [sys.executable, str(ROOT / "bench" / "registry_engines.py"), engine, source, str(out)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{engine} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def compare(
    records: int,
    seed: int,
    engines: list[str],
    database_url: str | None = None,
    profiles_only: bool = False,
    errors: str = "field",
    fields: int = 6,
) -> list[dict]:

    data = GENERATORS[errors](records, seed=seed)
    truth = true_pairs(data)
    results = []
    with tempfile.TemporaryDirectory(prefix="kinga-registry-bench-") as tmp:
        dataset = Path(tmp) / "records.csv"
        write_dataset(dataset, data, fields=fields)
        del data
        for engine in engines:
            out = Path(tmp) / f"{engine}.csv"
            source = str(dataset)
            pg_before = None
            if engine in ("kinga-db", "kinga-suggest"):
                source = registry_database(database_url, records, seed, profiles_only=profiles_only)
                pg_before = postgres_memory_mb()
            figures = run_engine(engine, source, out, seed)
            if engine == "kinga-suggest":
                figures["records"] = records
                results.append(figures)
                print(json.dumps(figures), flush=True)
                continue
            if engine == "kinga-db":
                figures["postgres_rss_mb"] = postgres_memory_mb() or pg_before
                out = to_synthetic_ids(source, out)
            figures.update(evaluate(out, truth))
            figures.update(records=records, errors=errors, fields=fields)
            results.append(figures)
            print(json.dumps(figures), flush=True)
    return results


def run(ctx) -> None:
    """In the harness: the batch comparison and the suggestions at the scale's record count."""
    records = RECORDS_BY_SCALE.get(ctx.scale, 100_000)
    base = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kinga_bench")
    for figures in compare(records, ctx.seed, ["splink", "kinga-db", "kinga-suggest"], database_url=base):
        name = figures["engine"]
        if name == "kinga-suggest":
            ctx.add("registry suggestions at registration median", figures["median_ms"], "ms", records)
            ctx.add("registry suggestions at registration p95", figures["p95_ms"], "ms", records)
            ctx.add(
                "registry suggestions, another record of a child, p95",
                figures["other_record_p95_ms"],
                "ms",
                records,
            )
            continue
        ctx.add(f"registry batch {name} wall time", figures["seconds"], "s", records)
        ctx.add(f"registry batch {name} CPU time", figures.get("cpu_seconds", 0), "s", records)
        ctx.add(f"registry batch {name} peak memory", figures["peak_mb"], "MB", records)
        ctx.add(f"registry batch {name} F1", figures["f1"], "", records)
        ctx.add(f"registry batch {name} precision", figures["precision"], "", records)
        ctx.add(f"registry batch {name} recall", figures["recall"], "", records)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--engines", nargs="*", default=["splink", "kinga-file"])
    parser.add_argument("--errors", choices=sorted(GENERATORS), default="field", help="the error model")
    parser.add_argument("--fields", type=int, choices=(4, 6), default=6)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kinga_bench"),
    )
    parser.add_argument(
        "--profiles-only",
        action="store_true",
        help="kinga-db: load children without names, profiles from the generator's plaintext (fast, for 1M)",
    )
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinga.settings.base")

    django.setup()
    results = compare(
        args.records,
        args.seed,
        args.engines,
        database_url=args.database_url,
        profiles_only=args.profiles_only,
        errors=args.errors,
        fields=args.fields,
    )
    print(
        f"{'engine':<12}{'errors':>11}{'fields':>7}{'records':>10}{'wall s':>10}{'CPU s':>10}{'peak MB':>10}{'precision':>11}{'recall':>9}{'F1':>8}"
        f"{'clustered P/R/F1':>24}"
    )
    for r in results:
        if r["engine"] == "kinga-suggest":
            print(f"suggestions at registration: median {r['median_ms']:.0f} ms, p95 {r['p95_ms']:.0f} ms")
            for kind in ("typed_again", "other_record"):
                print(
                    f"  {kind}: median {r[kind + '_median_ms']:.0f} ms, p95 {r[kind + '_p95_ms']:.0f} ms, "
                    f"found {r[kind + '_found']} of 100"
                )
            continue
        print(
            f"{r['engine']:<12}{r['errors']:>11}{r['fields']:>7}{r['records']:>10}{r['seconds']:>10.1f}{r.get('cpu_seconds', 0):>10.1f}{r['peak_mb']:>10.0f}"
            f"{r['precision']:>11.4f}{r['recall']:>9.4f}{r['f1']:>8.4f}"
            f"{r['clustered_precision']:>10.4f}/{r['clustered_recall']:.4f}/{r['clustered_f1']:.4f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
