"""How far the registry's matcher is from the best its comparisons allow: the ceiling of a Fellegi–Sunter
model on Kinga's comparison levels, measured with the generator's truth (an oracle).

    python bench/registry_ceiling.py --records 100000 --errors literature --fields 4 [--seed 1]

Every pair blocking compares, plus every true pair it never compares (as if blocking were perfect), gets
Kinga's comparison levels (given, family, sex, birth date, place, caregiver; -1 missing). The best F1 that any
rule deciding by those levels alone can reach is found by sorting the cells (the distinct level vectors) by
their share of true pairs and taking the best prefix: a rule that knows the answers. A second ceiling adds
the frequency of each name (five buckets): an optimistic bound (tens of thousands of cells, each chosen with
the answers). Kinga's own weights are then ranked the same way (its best threshold, perfect blocking), so
the three figures say whether a miss comes from blocking, from the threshold, or from the data: where Kinga's
ranking equals the ceiling, no better weighing of these comparisons can do better, and where the ceiling
itself is under a target, the data hold no evidence that reaches it. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinga.settings.base")

FIELDS = ("given", "family", "sex", "date", "place", "caregiver")


def best_f1_by_cells(cells: np.ndarray, label: np.ndarray) -> dict:
    """The best F1 of a rule that accepts whole cells, knowing each cell's share of true pairs."""
    _, inverse = np.unique(cells, return_inverse=True)
    true = np.bincount(inverse, weights=label.astype(float))
    total = np.bincount(inverse).astype(float)
    order = np.argsort(-(true / total), kind="stable")
    true_cum, total_cum = np.cumsum(true[order]), np.cumsum(total[order])
    f1 = 2 * true_cum / (total_cum + label.sum())
    k = int(np.argmax(f1))
    return {
        "f1": round(float(f1[k]), 4),
        "precision": round(float(true_cum[k] / total_cum[k]), 4),
        "recall": round(float(true_cum[k] / label.sum()), 4),
        "cells": len(total),
    }


def frequency_bucket(codes: np.ndarray) -> np.ndarray:
    codes = np.where(codes < 0, codes.max() + 1, codes)
    frequency = np.bincount(codes)[codes]
    return np.searchsorted(np.quantile(frequency, [0.25, 0.5, 0.75, 0.9, 0.97]), frequency)


def measure(records: int, seed: int, errors: str, fields: int) -> dict:
    import django

    django.setup()
    from bench_registry import GENERATORS, write_dataset

    from kinga.registry.matching import find_pairs, scoring
    from kinga.registry.matching.blocking import candidate_codes, pairs_of_codes
    from kinga.registry.matching.csvfile import read_file
    from kinga.registry.synthetic import true_pairs

    data = GENERATORS[errors](records, seed=seed)
    truth = true_pairs(data)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "records.csv"
        write_dataset(path, data, fields=fields)
        del data
        frame = read_file(path.read_bytes()).frame()
    n = len(frame)
    index = {record_id: i for i, record_id in enumerate(frame.ids)}
    true_codes = np.array(sorted(min(index[a], index[b]) * n + max(index[a], index[b]) for a, b in truth))

    result = find_pairs(frame, learnt=True)
    found = np.minimum(result.a, result.b) * n + np.maximum(result.a, result.b)
    hits = int(np.isin(found, true_codes).sum())
    precision, recall = hits / max(len(found), 1), hits / len(true_codes)

    compared = np.concatenate([a * n + b for a, b in pairs_of_codes(candidate_codes(frame), n)])
    blocked = np.isin(compared, true_codes)
    never_compared = np.setdiff1d(true_codes, compared[blocked])
    codes = np.concatenate([compared, never_compared])
    label = np.concatenate([blocked, np.ones(len(never_compared), dtype=bool)])
    a, b = codes // n, codes % n
    levels = scoring.comparison_levels(frame, a, b)
    cells = np.zeros(len(a), dtype=np.int64)
    for name in FIELDS:
        cells = cells * 16 + (levels[name].astype(np.int64) + 1)
    with_frequency = (cells * 8 + frequency_bucket(frame.given_exact)[a]) * 8 + frequency_bucket(
        frame.family_exact
    )[a]

    weights = scoring.weights(frame, result.model, a, b)
    order = np.argsort(-weights, kind="stable")
    true_cum = np.cumsum(label[order])
    f1 = 2 * true_cum / (np.arange(1, len(order) + 1) + label.sum())
    k = int(np.argmax(f1))
    best_probability = float(scoring.probability(weights[order[k] : order[k] + 1], result.share)[0])

    true_by_cell, all_by_cell = {}, {}
    for cell, is_true in zip(cells.tolist(), label.tolist(), strict=True):
        all_by_cell[cell] = all_by_cell.get(cell, 0) + 1
        true_by_cell[cell] = true_by_cell.get(cell, 0) + is_true
    hopeless = sorted(
        (c for c in true_by_cell if true_by_cell[c] / all_by_cell[c] < 0.45), key=lambda c: -true_by_cell[c]
    )[:6]

    def describe(cell: int) -> dict:
        out = {}
        for name in reversed(FIELDS):
            out[name] = cell % 16 - 1
            cell //= 16
        return dict(reversed(out.items()))

    return {
        "records": records,
        "errors": errors,
        "fields": fields,
        "true_pairs": len(true_codes),
        "true_pairs_never_compared": len(never_compared),
        "kinga_at_threshold_0_5": {
            "f1": round(2 * precision * recall / (precision + recall), 4),
            "precision": round(precision, 4),
            "recall": round(recall, 4),
        },
        "kinga_best_threshold_perfect_blocking": {
            "f1": round(float(f1[k]), 4),
            "precision": round(float(true_cum[k] / (k + 1)), 4),
            "recall": round(float(true_cum[k] / label.sum()), 4),
            "probability_at_that_threshold": round(best_probability, 3),
        },
        "ceiling_on_levels": best_f1_by_cells(cells, label),
        "ceiling_on_levels_and_name_frequency": best_f1_by_cells(with_frequency, label),
        "true_pairs_in_cells_mostly_false": [
            {"levels": describe(c), "true": true_by_cell[c], "all": all_by_cell[c]} for c in hopeless
        ],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--errors", choices=("field", "literature"), default="literature")
    parser.add_argument("--fields", type=int, choices=(4, 6), default=6)
    args = parser.parse_args()
    print(json.dumps(measure(args.records, args.seed, args.errors, args.fields), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
