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

    # like for like with Kinga's CSV path, whose figures include reading the file: the time from the file too
    from_file, cpu_from_file = time.perf_counter(), cpu_seconds()
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
        "cpu_seconds_from_file": cpu_seconds() - cpu_from_file,
        "seconds_from_file": time.perf_counter() - from_file,
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
    read_cpu = cpu_seconds() - cpu
    frame = read_result.frame()
    del read_result
    encoded = time.perf_counter() - started
    result = find_pairs(frame, learnt=True)  # as `kinga registry match`: m learnt from the file itself
    seconds = time.perf_counter() - started
    _write(out, frame.ids, result)
    return {
        "engine": "kinga-file",
        "cpu_seconds": cpu_seconds() - cpu,
        "read_cpu_seconds": read_cpu,
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
    """Suggestions at registration against the registry, the full `suggest()` with display, two kinds of lookup
    (place left out: the form's place is a Place of the registry):
    - typed again: 100 registered children's identities looked up as if typed in a new registration form;
    - another record: 100 records of children registered more than once (with the generator's errors: an
      initial, a part more, a slip, a swapped order, a year off...), looked up with their own child excluded:
      the registry holds the child's other records, which the suggestions should show.
    Each kind after 10 warm-up calls; median and p95 per kind and over both."""
    os.environ["DATABASE_URL"] = url
    _django()
    import random
    import statistics

    from django.db import connection

    from kinga.core.actors import system_actor
    from kinga.registry.suggestions import suggest
    from kinga.registry.synthetic import generate

    actor = system_actor()
    with connection.cursor() as cursor:
        cursor.execute("SELECT synthetic, child_id FROM bench_registry_ids")
        child_of = dict(cursor.fetchall())
    data = generate(len(child_of), seed=int(os.environ.get("BENCH_SEED", "1")))
    by_child: dict[int, list] = {}
    for r in data:
        by_child.setdefault(r.child, []).append(r)
    rng = random.Random(5)
    typed_again = rng.sample(data, 110)
    duplicated = [r for r in data if len(by_child[r.child]) > 1]
    other_record = rng.sample(duplicated, 110)
    del data, duplicated

    def lookup(r, *, exclude: bool):
        return suggest(
            actor=actor,
            exclude_child_id=child_of[r.id] if exclude else None,
            given_name=r.given_name,
            family_name=r.family_name,
            sex=r.sex,
            date_of_birth=r.birth_date,
            caregiver=r.caregiver,
        )

    figures: dict = {"engine": "kinga-suggest"}
    every = []
    for kind, sample, exclude in (("typed_again", typed_again, False), ("other_record", other_record, True)):
        timings, found = [], 0
        for i, r in enumerate(sample):
            started = time.perf_counter()
            result = lookup(r, exclude=exclude)
            elapsed = (time.perf_counter() - started) * 1000
            if i < 10:  # the first calls warm the connection and caches
                continue
            timings.append(elapsed)
            if exclude:  # one of the child's other records among the suggestions
                others = {child_of[o.id] for o in by_child[r.child] if o.id != r.id}
                found += bool(others & {m.child_id for m in result})
            else:
                found += bool(result)
        every += timings
        timings.sort()
        figures[f"{kind}_median_ms"] = statistics.median(timings)
        figures[f"{kind}_p95_ms"] = timings[int(len(timings) * 0.95) - 1]
        figures[f"{kind}_found"] = found
    every.sort()
    figures.update(
        median_ms=statistics.median(every),
        p95_ms=every[int(len(every) * 0.95) - 1],
        calls=len(every),
        with_matches=figures["typed_again_found"],
        peak_mb=peak_mb(),
    )
    return figures


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
