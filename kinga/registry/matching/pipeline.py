"""The matching pipeline, the same for files and for the database: frame → blocking → scoring → pairs
→ clusters. Memory stays bounded: candidates are scored chunk by chunk and only pairs that can reach
the threshold are kept; the share of duplicates is estimated from a histogram of all weights.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import scoring
from .blocking import candidate_codes, pairs_of_codes
from .frame import Frame
from .learn import Learnt, learn
from .learn import apply as apply_learnt

# Recommended threshold for review queues: the score at which a pair is worth a supervisor's look.
REVIEW_THRESHOLD = 0.5
_BINS = np.linspace(-80, 80, 3201)


@dataclass
class Result:
    a: np.ndarray  # record indices, int64
    b: np.ndarray
    score: np.ndarray  # float64 in [0, 1]
    candidates: int  # pairs compared
    share: float  # λ: estimated chance that two records taken at random are one child
    model: scoring.Model
    learnt: Learnt | None = None


def _share_from_histogram(hist: np.ndarray, all_pairs: int) -> float:
    """EM for λ, the chance that two records taken at random are the same child.

    Weights are Bayes factors against random pairs, so λ is a share of ALL pairs; pairs that blocking
    never compared are taken as non-duplicates (their expected count of duplicates is negligible).
    """
    centres = (_BINS[:-1] + _BINS[1:]) / 2
    if all_pairs == 0:
        return 0.001
    bf = np.exp2(centres)
    share = min(float(hist.sum()) / all_pairs / 10, 0.5)
    for _ in range(200):
        post = share * bf / (share * bf + 1 - share)
        # Beta(1, 1000) prior: a small file says little about λ, a large one overrides it
        new = float(np.clip(((post * hist).sum() + 1) / (all_pairs + 1000), 1e-12, 0.5))
        if abs(new - share) <= 1e-6 * share:
            share = new
            break
        share = new
    return share


def _keep_floor(threshold: float, candidates: int, all_pairs: int) -> float:
    """The least weight a pair may need to reach `threshold` once λ is known: λ's estimate (see
    `_share_from_histogram`) is at most (compared + 1) / (all pairs + 1000)."""
    if not 0 < threshold < 1:
        return -80.0
    largest_share = min((candidates + 1) / (all_pairs + 1000), 0.5)
    # a thousandth of a bit below: the weights are float32
    return float(np.log2(threshold / (1 - threshold)) + np.log2((1 - largest_share) / largest_share)) - 1e-3


def find_pairs(
    frame: Frame,
    *,
    threshold: float = REVIEW_THRESHOLD,
    model: scoring.Model | None = None,
    chunk: int = 2_000_000,
    learnt: Learnt | bool = False,
) -> Result:
    """The pairs at or above threshold. `learnt`: m probabilities learnt before (a registry's), or True to learn
    them from this frame's own blocked pairs (a file never seen), or False for today's constants."""
    model = model or scoring.fit(frame)
    codes = candidate_codes(frame)
    if learnt is True:
        learnt = learn(frame, codes, model=model)
    if learnt:
        apply_learnt(learnt, model)
    # λ is known only once every pair is weighed, but it cannot exceed the share of all pairs that blocking
    # compared (the EM counts the others as two children): a pair under the threshold at that largest λ can
    # never pass, so it is not kept (with four fields, most compared pairs weigh more than zero: keeping all
    # of those held 30 M pairs at 1 M records).
    keep_floor = _keep_floor(threshold, len(codes), len(frame) * (len(frame) - 1) // 2)
    hist = np.zeros(len(_BINS) - 1, dtype=np.int64)
    kept_a, kept_b, kept_w = [], [], []
    compared = 0
    for a, b in pairs_of_codes(codes, len(frame), chunk=chunk):
        w = scoring.weights_of_many(frame, model, a, b)
        compared += len(a)
        hist += np.histogram(np.clip(w, -79.9, 79.9), bins=_BINS)[0]
        keep = w >= keep_floor
        kept_a.append(a[keep].astype(np.int32))
        kept_b.append(b[keep].astype(np.int32))
        kept_w.append(w[keep])
    share = _share_from_histogram(hist, len(frame) * (len(frame) - 1) // 2)
    model.match_share = share
    if kept_a:
        a = np.concatenate(kept_a).astype(np.int64)
        b = np.concatenate(kept_b).astype(np.int64)
        w = np.concatenate(kept_w)
    else:
        a = b = np.zeros(0, dtype=np.int64)
        w = np.zeros(0, dtype=np.float32)
    score = scoring.probability(w, share)
    keep = score >= threshold
    return Result(
        a=a[keep],
        b=b[keep],
        score=score[keep],
        candidates=compared,
        share=share,
        model=model,
        learnt=learnt or None,
    )


def clusters(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Connected components of the accepted pairs: a label per record (its smallest member index)."""
    label = np.arange(n, dtype=np.int64)
    if not len(a):
        return label
    while True:
        low = np.minimum(label[a], label[b])
        new = label.copy()
        np.minimum.at(new, a, low)
        np.minimum.at(new, b, low)
        new = new[new]  # pointer jumping
        if np.array_equal(new, label):
            return label
        label = new
