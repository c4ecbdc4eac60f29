"""The two engines of the registry benchmark, each run in its own process (peak memory is per process).

    python bench/registry_engines.py splink DATA.csv OUT.csv
    python bench/registry_engines.py kinga-file DATA.csv OUT.csv
    python bench/registry_engines.py kinga-db DATABASE_URL OUT.csv

Each prints one JSON line: {"engine", "seconds", "peak_mb", "pairs", ...}. The time starts once the
records are in memory (splink: a pandas DataFrame, not counted, as the issue asks) or, for Kinga's
database path, at the start of the production batch path (which reads the database itself).
"""

from __future__ import annotations

import csv
import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """User + system CPU time of this process, all threads (the machine is shared: wall time varies)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_splink(data: str, out: str) -> dict:
    """splink 5 configured as its documentation recommends, on the same file and the same fields as Kinga
    (a field blank in every row — the four-field mode — is left out of its model):
    - blocking rules that each tolerate a wrong field: both names, names swapped, and each name with the birth
      date, the place or the caregiver, and the birth date with the place;
    - comparisons: NameComparison with term frequencies on each name, DateOfBirthComparison (invalid dates as
      null), exact sex, Jaro–Winkler on place (term frequencies) and on caregiver;
    - λ by deterministic rules (names and birth date, recall 0.7), u by random sampling (10 M pairs), m by EM on
      two small blocks — both names and the place (trains date, sex, caregiver), then the birth date and the
      place (trains the names) — each session training the fields it does not block on;
    - the same threshold as Kinga: match probability 0.5."""
    import logging

    import pandas as pd
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    df = pd.read_csv(data, dtype=str, keep_default_na=False)
    df = df.rename(columns={"id": "unique_id"})
    for col in ("given_name", "family_name", "place", "caregiver"):
        df[col] = df[col].str.lower().str.strip()
    df = df.replace("", None)
    present = {c for c in ("sex", "caregiver") if df[c].notna().any()}
    df = df[["unique_id", "given_name", "family_name", "birth_date", "place", *sorted(present)]]
    loaded = peak_mb()
    started = time.perf_counter()
    cpu = cpu_seconds()
    blocking = [
        block_on("given_name", "family_name"),
        "l.given_name = r.family_name and l.family_name = r.given_name",
        block_on("given_name", "birth_date"),
        block_on("family_name", "birth_date"),
        block_on("given_name", "place"),
        block_on("family_name", "place"),
        block_on("birth_date", "place"),
    ]
    comparisons = [
        cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
        cl.NameComparison("family_name").configure(term_frequency_adjustments=True),
        cl.DateOfBirthComparison("birth_date", input_is_string=True, invalid_dates_as_null=True),
        cl.JaroWinklerAtThresholds("place").configure(term_frequency_adjustments=True),
    ]
    if "sex" in present:
        comparisons.append(cl.ExactMatch("sex"))
    if "caregiver" in present:
        blocking += [block_on("given_name", "caregiver"), block_on("family_name", "caregiver")]
        comparisons.append(cl.JaroWinklerAtThresholds("caregiver"))
    settings = SettingsCreator(
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=blocking,
        comparisons=comparisons,
        retain_intermediate_calculation_columns=False,
    )
    db_api = DuckDBAPI()
    linker = Linker(db_api.register(df), settings, log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "family_name", "birth_date")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("given_name", "family_name", "place")
    )
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth_date", "place"))
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    pairs = predictions.as_pandas_dataframe()[["unique_id_l", "unique_id_r", "match_probability"]]
    seconds = time.perf_counter() - started
    pairs.to_csv(out, index=False, header=["id_a", "id_b", "score"])
    return {
        "engine": "splink",
        "cpu_seconds": cpu_seconds() - cpu,
        "seconds": seconds,
        "peak_mb": peak_mb(),
        "loaded_mb": loaded,
        "pairs": len(pairs),
    }


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinga.settings.base")
    import django

    django.setup()


def run_kinga_file(data: str, out: str) -> dict:
    _django()
    from kinga.registry.matching import find_pairs
    from kinga.registry.matching.csvfile import read_file

    started = time.perf_counter()
    cpu = cpu_seconds()
    read_result = read_file(Path(data).read_bytes())  # as `kinga registry match`: the bytes, then a stream
    read = time.perf_counter() - started
    frame = read_result.frame()
    del read_result
    encoded = time.perf_counter() - started
    result = find_pairs(frame, learnt=True)  # as `kinga registry match`: m learnt from the file itself
    seconds = time.perf_counter() - started
    _write(out, frame.ids, result)
    return {
        "engine": "kinga-file",
        "cpu_seconds": cpu_seconds() - cpu,
        "seconds": seconds,
        "read_seconds": read,
        "encode_seconds": encoded - read,
        "peak_mb": peak_mb(),
        "pairs": len(result.a),
        "candidates": result.candidates,
    }


def run_kinga_db(url: str, out: str) -> dict:
    os.environ["DATABASE_URL"] = url
    _django()
    from kinga.registry import batch

    started = time.perf_counter()
    cpu = cpu_seconds()
    frame, result, timings = batch.find_duplicates_in_database()
    seconds = time.perf_counter() - started
    _write(out, frame.ids, result)
    return {
        "engine": "kinga-db",
        "cpu_seconds": cpu_seconds() - cpu,
        "seconds": seconds,
        "peak_mb": peak_mb(),
        "pairs": len(result.a),
        "candidates": result.candidates,
        **timings,
    }


def run_kinga_suggest(url: str, out: str) -> dict:
    """Suggestions at registration against the registry: 100 registered children's identities looked up
    as if typed in a new registration form (place left out: the form's place is a Place of the registry)."""
    os.environ["DATABASE_URL"] = url
    _django()
    import random
    import statistics

    from django.db import connection

    from kinga.core.actors import system_actor
    from kinga.registry.suggestions import suggest
    from kinga.registry.synthetic import generate

    actor = system_actor()
    # identities of registered children, from the generator (the same seed and size as the load), as if
    # typed again in a registration form
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM bench_registry_ids")
        records = cursor.fetchone()[0]
    data = generate(records, seed=int(os.environ.get("BENCH_SEED", "1")))
    sample = random.Random(5).sample(data, 110)
    del data
    timings, found = [], 0
    for i, r in enumerate(sample):
        started = time.perf_counter()
        result = suggest(
            actor=actor,
            given_name=r.given_name,
            family_name=r.family_name,
            sex=r.sex,
            date_of_birth=r.birth_date,
            caregiver=r.caregiver,
        )
        if i >= 10:  # the first calls warm the connection and caches
            timings.append((time.perf_counter() - started) * 1000)
            found += bool(result)
    timings.sort()
    return {
        "engine": "kinga-suggest",
        "median_ms": statistics.median(timings),
        "p95_ms": timings[int(len(timings) * 0.95) - 1],
        "calls": len(timings),
        "with_matches": found,
        "peak_mb": peak_mb(),
    }


def _write(out, ids, result) -> None:
    with open(out, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id_a", "id_b", "score"])
        for a, b, s in zip(result.a.tolist(), result.b.tolist(), result.score.tolist(), strict=True):
            writer.writerow([ids[a], ids[b], f"{s:.4f}"])


if __name__ == "__main__":
    engine, source, target = sys.argv[1:4]
    runner = {
        "splink": run_splink,
        "kinga-file": run_kinga_file,
        "kinga-db": run_kinga_db,
        "kinga-suggest": run_kinga_suggest,
    }[engine]
    print(json.dumps(runner(source, target)), flush=True)
