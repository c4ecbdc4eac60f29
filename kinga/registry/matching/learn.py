"""What the registry learns about its own errors: m probabilities per field and level, by
expectation–maximisation on the blocked pairs (as splink and Fellegi–Sunter's classic recipe do).

u — how often two unrelated records show a level — is measured by random sampling (scoring.fit); m — how often
two records of one child show it — cannot be, because nobody has labelled the duplicates. EM estimates it from
the candidate pairs: a pair's chance of being one child given its levels (E), then m as the levels' shares
among those chances (M), until both settle. Today's constants (scoring.M_*) are the prior: each weighs as
PRIOR_PAIRS duplicate pairs, so a small registry keeps them and a large one overrides them where its errors
differ. Term frequencies stay as they are (names and places weigh by their own rarity when they agree).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import scoring
from .frame import Frame

FIELDS = ("given", "family", "sex", "date", "place", "caregiver")
PRIOR_PAIRS = 200  # weight of today's constants, in duplicate pairs
SAMPLE_PAIRS = 1_000_000  # blocked pairs EM learns from (a random sample when there are more)
U_SAMPLE = 400_000
U_PRIOR_PAIRS = 200  # weight of the default u against the sampled pairs


def prior_m() -> dict[str, dict[int, float]]:
    return {
        "given": dict(scoring.M_NAME),
        "family": dict(scoring.M_NAME),
        "sex": dict(scoring.M_SEX),
        "date": dict(scoring.M_DATE),
        "place": dict(scoring.M_PLACE),
        "caregiver": dict(scoring.M_CARER),
    }


PRIOR_U = {
    "given": {6: 0.002, 5: 0.001, 4: 0.003, 3: 0.002, 2: 0.002, 1: 0.05, 0: 0.94},
    "family": {6: 0.002, 5: 0.001, 4: 0.003, 3: 0.002, 2: 0.002, 1: 0.05, 0: 0.94},
    "sex": dict(scoring.U_SEX),
    "date": dict(scoring.U_DATE),
    "place": {2: 0.04, 1: 0.01, 0: 0.95},
    "caregiver": {2: 0.001, 1: 0.02, 0: 0.979},
}


@dataclass
class Learnt:
    """The outcome of learning on one registry (or one file)."""

    m: dict[str, dict[int, float]]
    u: dict[str, dict[int, float]]
    match_share: float  # estimated share of duplicates among the blocked pairs
    pairs: int  # blocked pairs learnt from
    records: int
    iterations: int
    converged: bool
    extras: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "m": {f: {str(k): v for k, v in levels.items()} for f, levels in self.m.items()},
            "u": {f: {str(k): v for k, v in levels.items()} for f, levels in self.u.items()},
            "match_share": self.match_share,
            "pairs": self.pairs,
            "records": self.records,
            "iterations": self.iterations,
            "converged": self.converged,
        }

    @classmethod
    def from_json(cls, data: dict) -> Learnt:
        data = upgrade(data)

        def levels(d):
            return {f: {int(k): float(v) for k, v in lv.items()} for f, lv in d.items()}

        return cls(
            m=levels(data["m"]),
            u=levels(data["u"]),
            match_share=float(data["match_share"]),
            pairs=int(data["pairs"]),
            records=int(data["records"]),
            iterations=int(data["iterations"]),
            converged=bool(data["converged"]),
        )


# Before names had part, shortened and initial levels (issue 17), their levels were 3 exact, 2 phonetic, 1 one
# edit, 0 different.
_OLD_NAME_LEVELS = {"3": "6", "2": "5", "1": "4", "0": "0"}


def upgrade(data: dict) -> dict:
    """Parameters learnt under older levels, read under today's: each old level under its new number, the new
    levels at their prior (learning again replaces them)."""
    out = {**data, "m": dict(data["m"]), "u": dict(data["u"])}
    # Before estimated dates had levels of their own (issue 17), they shared the levels of dates a year apart.
    for kind, prior in (("m", prior_m()), ("u", PRIOR_U)):
        if "date" in out[kind]:
            missing = {str(k): v for k, v in prior["date"].items() if str(k) not in out[kind]["date"]}
            out[kind]["date"] = {**out[kind]["date"], **missing}
    if "6" in data["m"].get("given", {"6": None}):
        return out
    for kind, prior in (("m", prior_m()), ("u", PRIOR_U)):
        for name in ("given", "family"):
            old = data[kind].get(name, {})
            new = {str(k): v for k, v in prior[name].items()}
            new.update({_OLD_NAME_LEVELS[k]: v for k, v in old.items() if k in _OLD_NAME_LEVELS})
            out[kind][name] = new
    return out


def _shares(levels: np.ndarray, weights: np.ndarray, prior: dict[int, float], strength: float) -> dict:
    seen = levels >= 0
    total = float(weights[seen].sum())
    counts = np.bincount(levels[seen].astype(np.int64), weights=weights[seen], minlength=max(prior) + 1)
    return {k: max((float(counts[k]) + strength * p) / (total + strength), 1e-6) for k, p in prior.items()}


def _missing_share(levels: np.ndarray, weights: np.ndarray, prior: float, strength: float) -> float:
    """The weighted share of pairs with the field absent on one side, drawn towards `prior`."""
    total = float(weights.sum()) + strength
    if total <= 0:
        return prior
    return (float(weights[levels < 0].sum()) + strength * prior) / total


def apply(learnt: Learnt, model: scoring.Model) -> None:
    """A model weighs with what a registry learnt: m of every level, and what a field's absence says
    (parameters learnt before absence was learnt leave it saying nothing)."""
    model.m = learnt.m
    model.u_missing = {f: learnt.u[f][-1] for f in scoring.MISSING_LEARNT if -1 in learnt.u.get(f, {})}


def _random_pairs(n: int, size: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    a, b = rng.integers(0, n, size), rng.integers(0, n, size)
    keep = a != b
    return a[keep], b[keep]


def learn(
    frame: Frame,
    codes: np.ndarray,
    *,
    model: scoring.Model | None = None,
    seed: int = 20171,
    iterations: int = 20,
) -> Learnt:
    """m by EM on the blocked pairs `codes` (a*n+b), u by random sampling; today's constants as the prior.

    The E step weighs each pair with the whole model (term frequencies included) and the share of duplicates
    among the blocked pairs estimated for those weights; the M step sets each field's m to its levels' shares
    among the pairs, weighted by their chance of being one child."""
    n = len(frame)
    rng = np.random.default_rng(seed)
    prior = prior_m()
    model = model or scoring.fit(frame)
    if n >= 2:
        ua, ub = _random_pairs(n, min(U_SAMPLE, n * (n - 1) // 2), rng)
    else:
        ua = ub = np.zeros(0, dtype=np.int64)
    random_levels = scoring.comparison_levels(frame, ua, ub)
    u = {f: _shares(random_levels[f], np.ones(len(ua)), PRIOR_U[f], U_PRIOR_PAIRS) for f in FIELDS}
    for f in scoring.MISSING_LEARNT:
        u[f][-1] = _missing_share(random_levels[f], np.ones(len(ua)), 0.0, 0.0)
    scale = max(len(codes), 1) / max(min(len(codes), SAMPLE_PAIRS), 1)  # blocked pairs per sampled one
    if len(codes) > SAMPLE_PAIRS:
        codes = rng.choice(codes, SAMPLE_PAIRS, replace=False)
    a, b = codes // max(n, 1), codes % max(n, 1)
    levels = scoring.comparison_levels(frame, a, b)
    model.m = {f: dict(prior[f]) for f in FIELDS}
    # a field's absence starts as saying nothing (m = u), as it weighed before it was learnt
    model.u_missing = {f: u[f][-1] for f in scoring.MISSING_LEARNT}
    for f in scoring.MISSING_LEARNT:
        model.m[f][-1] = u[f][-1]
    share, converged, done = 1e-6, False, 0
    while done < iterations:
        done += 1
        w = scoring.weights_of_many(frame, model, a, b)
        share = _share_of_all_pairs(w, scale, n * (n - 1) // 2, share)
        post = scoring.probability(w, share)
        new_m = {f: _shares(levels[f], post, prior[f], PRIOR_PAIRS) for f in FIELDS}
        for f in scoring.MISSING_LEARNT:
            new_m[f][-1] = _missing_share(levels[f], post, u[f][-1], PRIOR_PAIRS)
        change = max(abs(new_m[f][k] - model.m[f][k]) for f in FIELDS for k in new_m[f])
        model.m = new_m
        if change < 1e-3:
            converged = True
            break
    return Learnt(
        m=model.m, u=u, match_share=share, pairs=len(a), records=n, iterations=done, converged=converged
    )


def _share_of_all_pairs(log2_bf: np.ndarray, scale: float, all_pairs: int, start: float) -> float:
    """λ, the chance that two records taken at random are one child (the weights are Bayes factors against
    random pairs; pairs never blocked count as different children), as kinga.registry.matching.pipeline
    estimates it, with the same Beta(1, 1000) prior."""
    if not all_pairs or not len(log2_bf):
        return start
    bf = np.exp2(np.clip(log2_bf.astype(np.float64), -60, 60))
    share = start
    for _ in range(200):
        post = share * bf / (share * bf + 1 - share)
        new = float(np.clip((post.sum() * scale + 1) / (all_pairs + 1000), 1e-12, 0.5))
        if abs(new - share) <= 1e-6 * share:
            return new
        share = new
    return share
