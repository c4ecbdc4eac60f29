"""Pairwise scoring: a Fellegi–Sunter model with term-frequency adjustment, vectorised.

Each comparison puts a pair at a level (names: exact, same phonetic code, one edit apart, different;
birth date: exact, day and month swapped, year ±1, ...). A level weighs log2(m/u): m is the chance of
the level among true duplicates (set below, from how registrations go wrong in the field), u its chance
among unrelated records — estimated on the data by random sampling, and, for agreeing names and
places, replaced by the value's own frequency (agreeing on "Ilunga" says less than agreeing on "Kisimba").
Caregivers agreeing on the whole name weigh by that name's frequency among the other records, or, when
the caregiver carries the family name the pair shares, by how often such a caregiver has that other token
(two Kabamba children often have a "… Kabamba" caregiver: the family name already said so).
The weights are summed and turned into a probability with the share of duplicates among candidate
pairs, estimated by expectation–maximisation on the same candidates.
"""

from __future__ import annotations

import itertools
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from .frame import Frame, hashed_key
from .normalise import LEAD_LETTERS

# m: how often a true duplicate shows each level (documented in docs/guide/registre.md).
# Name levels: 6 exact, 5 same phonetic code, 4 one edit apart, 3 a name part in common (a second given name or a
# postnom added or dropped), 2 one written short (truncated, a shortened form: the shorter, of two letters or
# more, begins the other's first part), 1 an initial (one letter, the other's first), 0 different.
NAME_EXACT, NAME_PHONETIC, NAME_ONE_EDIT, NAME_PART, NAME_SHORT, NAME_INITIAL = 6, 5, 4, 3, 2, 1
M_NAME = {6: 0.61, 5: 0.215, 4: 0.115, 3: 0.01, 2: 0.005, 1: 0.005, 0: 0.04}
M_SWAPPED = 0.1  # share of duplicates registered with given and family names swapped
M_SEX = {1: 0.98, 0: 0.02}
# Birth date levels, from the strongest (how registrations get a child's date wrong):
#   9 exact, 8 day and month swapped, 7 year off by one (same day and month), 6 year typo (same day and month,
#   one digit of the year wrong or two adjacent digits transposed: 2014/2004, 2012/2021), 5 day typo (same year
#   and month, one digit of the day wrong or its digits transposed: 12/21, 5/15), 4 same year and month (a day
#   missing or damaged on one side, or further off), 3 same year, 2 within one year, 1 within two years,
#   0 further. A date estimated from an age, or damaged, is compared only by the parts it has, at levels of its own:
#   12 same year, 11 within one year, 10 within two years (an age gives the year within one: "10 years old" in
#   2026 is born in 2015 or 2016). Among duplicates, two estimates a year apart are the rule; two full dates a
#   year apart on different days are not: one level for both would learn a mixture that fits neither.
DATE_ESTIMATED_SAME_YEAR, DATE_ESTIMATED_WITHIN_1, DATE_ESTIMATED_WITHIN_2 = 12, 11, 10
#   The estimated levels' prior is added to the others, not taken from them: the constants of full dates stay as
#   they were set (the registry and each file learn both from their own pairs).
M_DATE = {
    **{9: 0.68, 8: 0.03, 7: 0.13, 6: 0.03, 5: 0.01, 4: 0.005, 3: 0.015, 2: 0.05, 1: 0.03, 0: 0.02},
    **{12: 0.025, 11: 0.025, 10: 0.005},
}
M_PLACE = {2: 0.78, 1: 0.12, 0: 0.10}  # same place, one token in common, different
M_CARER = {2: 0.7, 1: 0.2, 0: 0.10}  # same caregiver name, one token in common, different
# u defaults, used as a prior when the data are too small to sample from.
U_NAME = {3: 0.002, 2: 0.002, 1: 0.05, 0: 0.94}  # the levels below one edit (sampled; these are priors)
U_ONE_EDIT = 0.003
U_SEX = {1: 0.5, 0: 0.5}
U_DATE = {
    **{9: 0.0002, 8: 0.0001, 7: 0.0004, 6: 0.0002, 5: 0.0006, 4: 0.004, 3: 0.06, 2: 0.12, 1: 0.12, 0: 0.69},
    **{12: 0.0036, 11: 0.007, 10: 0.007},  # some 5 % of pairs with an estimated date, years spread over 14
}
U_PLACE = {1: 0.01, 0: 0.95}
U_CARER = {1: 0.02, 0: 0.95}
_PRIOR_PAIRS = 200  # weight of the defaults against sampled pairs
_SAMPLE = 400_000


def _name_levels(frame: Frame, field_a: str, a, field_b: str, b):
    """Levels of record a's name `field_a` ("given" or "family") against record b's `field_b`."""
    n = frame.n_phon
    ex_a, ph_a = getattr(frame, field_a + "_exact")[a], getattr(frame, field_a + "_phon")[a]
    ex_b, ph_b = getattr(frame, field_b + "_exact")[b], getattr(frame, field_b + "_phon")[b]
    missing = (ph_a < 0) | (ph_b < 0)
    level = np.zeros(len(ph_a), dtype=np.int8)
    nb = frame.name_neighbours
    if len(nb):
        # only names of two phonetic classes can be one edit apart (the search is a third of the scoring)
        differ = np.flatnonzero(~missing & (ph_a != ph_b))
        pa, pb = ph_a[differ], ph_b[differ]
        key = np.minimum(pa, pb).astype(np.int64) * n + np.maximum(pa, pb)
        bitmap, shift = frame.neighbour_bitmap
        maybe = np.flatnonzero(bitmap[hashed_key(key, shift)])
        key = key[maybe]
        pos = np.minimum(np.searchsorted(nb, key), len(nb) - 1)
        level[differ[maybe[nb[pos] == key]]] = NAME_ONE_EDIT
    level[ph_a == ph_b] = NAME_PHONETIC
    level[(ex_a == ex_b) & (ex_a >= 0)] = NAME_EXACT
    level[missing] = -1
    parts = frame.parts
    if parts:
        rest = np.flatnonzero(level == 0)
        level[rest] = _part_levels(parts, field_a, a[rest], field_b, b[rest])
    return level


def _part_levels(parts: dict[str, np.ndarray], field_a: str, a, field_b: str, b) -> np.ndarray:
    """Levels of names that differ as wholes: a part in common, one written short, an initial, or different."""
    level = np.zeros(len(a), dtype=np.int8)
    if not len(a):
        return level
    len_a, len_b = parts[field_a + "_lead_len"][a], parts[field_b + "_lead_len"][b]
    shorter = np.minimum(len_a, len_b).astype(np.int64)
    column = np.clip(shorter - 1, 0, LEAD_LETTERS - 1)
    lead_a = parts[field_a + "_lead"][a, column]
    same_lead = (
        (len_a != len_b) & (shorter >= 1) & (shorter <= LEAD_LETTERS) & (lead_a >= 0)
        & (lead_a == parts[field_b + "_lead"][b, column])
    )  # fmt: skip
    level[same_lead & (shorter == 1)] = NAME_INITIAL
    level[same_lead & (shorter >= 2)] = NAME_SHORT
    p1a, p2a = parts[field_a + "_part1"][a], parts[field_a + "_part2"][a]
    p1b, p2b = parts[field_b + "_part1"][b], parts[field_b + "_part2"][b]
    common = ((p1a >= 0) & ((p1a == p1b) | (p1a == p2b))) | ((p2a >= 0) & ((p2a == p1b) | (p2a == p2b)))
    level[common] = NAME_PART
    return level


def _digits(values: np.ndarray, width: int) -> list[np.ndarray]:
    return [(values.astype(np.int64) // 10**k) % 10 for k in range(width)]


def digit_slip(a: np.ndarray, b: np.ndarray, width: int) -> np.ndarray:
    """Numbers written with one digit wrong, or two adjacent digits transposed (over `width` digits): the
    typist's slips, as opposed to numbers merely close."""
    da, db = _digits(a, width), _digits(b, width)
    differ = np.stack([x != y for x, y in zip(da, db, strict=True)])
    count = differ.sum(axis=0)
    slip = count == 1
    for k in range(width - 1):
        others = count == 2
        swapped = (da[k] == db[k + 1]) & (da[k + 1] == db[k]) & differ[k] & differ[k + 1]
        slip |= others & swapped
    return slip & (a != b)


def date_levels(frame: Frame, a, b) -> np.ndarray:
    ya, yb = frame.year[a].astype(np.int16), frame.year[b].astype(np.int16)
    ma, mb, da, db = frame.month[a], frame.month[b], frame.day[a], frame.day[b]
    # a date from an age, or damaged, has no trustworthy day: only its other parts are compared
    full = ~(frame.approximate[a] | frame.approximate[b]) & (da > 0) & (db > 0) & (ma > 0) & (mb > 0)
    dy = np.abs(ya - yb)
    same_md = (ma == mb) & (da == db)
    level = np.zeros(len(a), dtype=np.int8)
    level[dy <= 2] = 1
    level[dy <= 1] = 2
    level[dy == 0] = 3
    level[(dy == 0) & (ma == mb) & (ma > 0)] = 4
    # digit slips are looked for only where the rest of the date agrees (most pairs' digits need no reading)
    day_slip = np.flatnonzero(full & (dy == 0) & (ma == mb))
    level[day_slip[digit_slip(da[day_slip], db[day_slip], 2)]] = 5
    year_slip = np.flatnonzero(full & same_md)
    level[year_slip[digit_slip(ya[year_slip], yb[year_slip], 4)]] = 6
    level[full & (dy == 1) & same_md] = 7
    level[full & (dy == 0) & (ma == db) & (da == mb) & ~same_md] = 8
    level[full & (dy == 0) & same_md] = 9
    estimated = (frame.approximate[a] | frame.approximate[b]) & (level <= 3) & (level >= 1)
    level[estimated] += DATE_ESTIMATED_WITHIN_2 - 1  # 3, 2, 1 → 12, 11, 10
    level[(ya == 0) | (yb == 0)] = -1
    return level


def _token_levels(x1a, x2a, x1b, x2b):
    missing = (x1a < 0) | (x1b < 0)
    overlap = (x1a == x1b) | (x1a == x2b) & (x2b >= 0) | (x2a == x1b) & (x2a >= 0) | (x2a == x2b) & (x2a >= 0)
    level = overlap.astype(np.int8)
    level[(x1a == x1b) & (x2a == x2b)] = 2
    level[missing] = -1
    return level


def _sex_levels(frame: Frame, a, b):
    sa, sb = frame.sex[a], frame.sex[b]
    level = (sa == sb).astype(np.int8)
    level[(sa == 0) | (sb == 0)] = -1
    return level


def _smoothed(levels: np.ndarray, default: dict[int, float], keys) -> dict[int, float]:
    levels = levels[levels >= 0]
    total = len(levels)
    counts = np.bincount(levels.astype(np.int64), minlength=max(keys) + 1) if total else None
    out = {}
    for k in keys:
        prior = default.get(k, 1e-4)
        observed = int(counts[k]) if total else 0
        out[k] = max((observed + _PRIOR_PAIRS * prior) / (total + _PRIOR_PAIRS), 1e-7)
    return out


@dataclass
class Model:
    """u probabilities and term frequencies of one frame; m is fixed above."""

    u_name: dict[int, float]
    u_sex: dict[int, float]
    u_date: dict[int, float]
    u_place: dict[int, float]
    u_carer: dict[int, float]
    tf_exact: np.ndarray  # frequency of each exact-name id among records
    tf_phon: np.ndarray
    tf_place: np.ndarray
    tf_carer: np.ndarray
    tf_neighbours: np.ndarray  # for each phonetic id, the frequency of the names one edit away
    # Caregivers: how many records share each record's caregiver's whole name; and, because a caregiver
    # often carries the child's family name (then agreeing on it says little more than the family name
    # did), the share of such "kin" caregivers and how often each other token goes with them.
    carer_count: np.ndarray | None = None  # per record
    kin_other_count: np.ndarray | None = None  # per record: kin caregivers with the same other token
    kin_share: float = 0.5
    kin_records: int = 0
    u_carer_in_family: dict[int, float] = field(default_factory=lambda: dict(U_CARER))
    match_share: float = 0.01  # share of duplicates among candidate pairs (set by estimate_share)
    extras: dict = field(default_factory=dict)
    # m per field and level: today's constants, or what the registry learnt (kinga.registry.matching.learn)
    m: dict[str, dict[int, float]] = field(default_factory=lambda: default_m())
    # How often a field is missing on one side of a random pair (learnt with m: kinga.registry.matching.learn).
    # A field absent on one side weighs nothing unless the registry learnt that absence says something (m[f][-1]
    # against this): where copies of one child lose their birth date more often than records do at random,
    # a missing date is itself a little evidence, and EM on the registry's own pairs measures how much.
    u_missing: dict[str, float] = field(default_factory=dict)


def default_m() -> dict[str, dict[int, float]]:
    return {
        "given": dict(M_NAME),
        "family": dict(M_NAME),
        "sex": dict(M_SEX),
        "date": dict(M_DATE),
        "place": dict(M_PLACE),
        "caregiver": dict(M_CARER),
    }


# Term frequencies are smoothed towards a typical value's frequency, as if TF_PRIOR_RECORDS more
# records had been seen: in a file of ten rows, every name would otherwise look common.
TF_PRIOR_RECORDS = 2000
TF_TYPICAL = {"name": 0.005, "place": 0.02}


def _frequencies(n_records: int, size: int, *columns, typical: float = TF_TYPICAL["name"]) -> np.ndarray:
    values = np.concatenate([c[c >= 0] for c in columns]) if columns else np.zeros(0, np.int64)
    counts = np.bincount(values, minlength=size).astype(np.float64)
    return (counts + TF_PRIOR_RECORDS * typical) / (n_records + TF_PRIOR_RECORDS)


def fit(frame: Frame, *, seed: int = 20171) -> Model:
    """u by random sampling of record pairs (as splink does), term frequencies by counting."""
    n = len(frame)
    rng = np.random.default_rng(seed)
    if n >= 2:
        size = min(_SAMPLE, n * (n - 1) // 2)
        a = rng.integers(0, n, size)
        b = rng.integers(0, n, size)
        keep = a != b
        a, b = a[keep], b[keep]
    else:
        a = b = np.zeros(0, dtype=np.int64)
    names = _name_levels(frame, "given", a, "given", b)
    n_exact = int(max(frame.given_exact.max(initial=-1), frame.family_exact.max(initial=-1))) + 1
    return Model(
        u_name=_smoothed(np.where(names >= NAME_ONE_EDIT, -1, names), U_NAME, tuple(U_NAME)),
        u_sex=_smoothed(_sex_levels(frame, a, b), U_SEX, (0, 1)),
        u_date=_smoothed(date_levels(frame, a, b), U_DATE, tuple(M_DATE)),
        u_place=_smoothed(
            np.where(_place_levels(frame, a, b) == 2, -1, _place_levels(frame, a, b)), U_PLACE, (0, 1)
        ),
        u_carer=_smoothed(
            np.where(_carer_levels(frame, a, b) == 2, -1, _carer_levels(frame, a, b)), U_CARER, (0, 1)
        ),
        tf_exact=_frequencies(n, n_exact, frame.given_exact, frame.family_exact),
        tf_phon=_frequencies(n, frame.n_phon, frame.given_phon, frame.family_phon),
        tf_place=_frequencies(
            n, int(frame.place1.max(initial=-1)) + 1, frame.place1, typical=TF_TYPICAL["place"]
        ),
        tf_carer=_frequencies(n, frame.n_phon, frame.carer1),
        tf_neighbours=_neighbour_frequencies(frame, n),
        **_carer_frequencies(frame, rng),
    )


CARER_TYPICAL = 0.001  # a typical caregiver's whole name (two tokens) among records


def _carer_frequencies(frame: Frame, rng: np.random.Generator) -> dict:
    """Counts behind the caregiver's agreement weight (see carer_agreement_u), and the u of the
    caregiver levels among pairs of the same family name (sampled as the overall u is)."""
    size = np.int64(frame.n_phon + 1)
    c1, c2 = frame.carer1.astype(np.int64), frame.carer2.astype(np.int64)
    family = frame.family_phon.astype(np.int64)
    _, combo, counts = np.unique((c1 + 1) * size + c2 + 1, return_inverse=True, return_counts=True)
    kin = (family >= 0) & ((c1 == family) | (c2 == family))
    other = np.where(c1 == family, c2, c1) + 1  # 0: the caregiver has no other token
    other_counts = np.bincount(other[kin], minlength=int(size))
    a, b = _same_family_sample(frame, rng)
    levels = _carer_levels(frame, a, b)
    return {
        "carer_count": counts[combo.reshape(-1)],
        "kin_other_count": np.where(kin, other_counts[other], 0),
        "kin_share": float(kin.sum() + 1) / float((c1 >= 0).sum() + 2),
        "kin_records": int(kin.sum()),
        "u_carer_in_family": _smoothed(np.where(levels == 2, -1, levels), U_CARER, (0, 1)),
    }


def carer_agreement_u(model: Model, n_records: int, a: np.ndarray, same_family: np.ndarray) -> np.ndarray:
    """u of two records agreeing on the caregiver's whole name (record a's): the share of OTHER records
    with that name (the pair's own two records are no evidence that the name is common), smoothed towards
    a typical name. When the pair agrees on the family name and the caregiver carries it, the name is
    expected: u is then the share of kin caregivers times how often their other token occurs among them."""
    others = np.maximum(model.carer_count[a] - 2, 0)
    overall = (others + TF_PRIOR_RECORDS * CARER_TYPICAL) / (n_records + TF_PRIOR_RECORDS)
    kin = same_family & (model.kin_other_count[a] > 0)
    token = (np.maximum(model.kin_other_count[a] - 2, 0) + TF_PRIOR_RECORDS * TF_TYPICAL["name"]) / (
        model.kin_records + TF_PRIOR_RECORDS
    )
    return np.where(kin, np.maximum(model.kin_share * token, overall), overall)


def _same_family_sample(frame: Frame, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Random pairs of distinct records with the same family name (phonetic code)."""
    family = frame.family_phon.astype(np.int64)
    order = np.argsort(family, kind="stable")
    order = order[family[order] >= 0]
    if len(order) < 2:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    sorted_family = family[order]
    start = np.searchsorted(sorted_family, sorted_family, side="left")
    end = np.searchsorted(sorted_family, sorted_family, side="right")
    size = min(_SAMPLE, len(order) * (len(order) - 1) // 2)  # a registration's frame has a few rows
    pick = rng.integers(0, len(order), size)
    partner = start[pick] + (rng.random(size) * (end[pick] - start[pick])).astype(np.int64)
    a, b = order[pick], order[partner]
    keep = a != b
    return a[keep], b[keep]


def _neighbour_frequencies(frame: Frame, n_records: int) -> np.ndarray:
    """How often a name one edit away from each name occurs: agreeing within one edit on a name with
    many close neighbours (Kabamba, Kibamba, Kubamba…) says little."""
    size = frame.n_phon
    names = np.concatenate([frame.given_phon, frame.family_phon])
    freq = np.bincount(names[names >= 0], minlength=size).astype(np.float64)
    nb = frame.name_neighbours
    a, b = nb // max(size, 1), nb % max(size, 1)
    mass = np.bincount(np.concatenate([a, b]), weights=np.concatenate([freq[b], freq[a]]), minlength=size)
    return (mass + TF_PRIOR_RECORDS * U_ONE_EDIT) / (n_records + TF_PRIOR_RECORDS)


def _place_levels(frame: Frame, a, b):
    """Same place, partly (a token in common, or the places one typed letter apart), different."""
    level = _token_levels(frame.place1[a], frame.place2[a], frame.place1[b], frame.place2[b])
    nb = frame.place_neighbours
    if len(nb):
        pa, pb = frame.place1[a].astype(np.int64), frame.place1[b].astype(np.int64)
        key = np.minimum(pa, pb) * frame.n_place + np.maximum(pa, pb)
        pos = np.minimum(np.searchsorted(nb, key), len(nb) - 1)
        level[(level == 0) & (nb[pos] == key)] = 1
    return level


def _carer_levels(frame: Frame, a, b):
    return _token_levels(frame.carer1[a], frame.carer2[a], frame.carer1[b], frame.carer2[b])


def comparison_levels(frame: Frame, a: np.ndarray, b: np.ndarray) -> dict[str, np.ndarray]:
    """Every field's level for each pair (-1 missing); names in the orientation that agrees best (swapped
    names are one error, not two)."""
    straight_g = _name_levels(frame, "given", a, "given", b)
    straight_f = _name_levels(frame, "family", a, "family", b)
    swap_g = _name_levels(frame, "given", a, "family", b)
    swap_f = _name_levels(frame, "family", a, "given", b)
    swapped = swap_g.astype(np.int16) + swap_f > straight_g.astype(np.int16) + straight_f
    return {
        "given": np.where(swapped, swap_g, straight_g),
        "family": np.where(swapped, swap_f, straight_f),
        "sex": _sex_levels(frame, a, b),
        "date": date_levels(frame, a, b),
        "place": _place_levels(frame, a, b),
        "caregiver": _carer_levels(frame, a, b),
    }


def _name_weight(model: Model, level, ex, ph, ex_other, ph_other, m: dict[int, float]):
    """A name's weight. Where the two names differ, how often unrelated records differ so is read from the
    commoner name's side: a misspelling's neighbourhood holds every record of the name it came from, so
    reading it from the misspelt side would call « Kabamba » against « Kabanba » as ordinary as two children
    of the commonest name (once measured, a miss of about four bits on every misspelt pair)."""
    w = np.zeros(len(level), dtype=np.float32)
    sel = level == NAME_EXACT
    w[sel] = np.log2(m[NAME_EXACT] / model.tf_exact[ex[sel]])
    sel = level == NAME_PHONETIC
    # one sound, two spellings: the records of that sound other than the commoner spelling's
    commoner = np.maximum(model.tf_exact[ex[sel]], model.tf_exact[np.maximum(ex_other[sel], 0)])
    u_phonetic = np.maximum(model.tf_phon[ph[sel]] - commoner, U_ONE_EDIT / 20)
    w[sel] = np.log2(m[NAME_PHONETIC] / u_phonetic)
    sel = level == NAME_ONE_EDIT
    u_edit = np.maximum(
        np.minimum(model.tf_neighbours[ph[sel]], model.tf_neighbours[ph_other[sel]]), U_ONE_EDIT / 20
    )
    w[sel] = np.log2(m[NAME_ONE_EDIT] / u_edit)
    for k in range(NAME_PART + 1):
        w[level == k] = np.log2(m[k] / model.u_name[k])
    return w


def _lookup(weights: dict[int, float], level) -> np.ndarray:
    table = np.zeros(max(weights) + 2, dtype=np.float32)  # last slot: missing (-1) weighs 0
    for k, v in weights.items():
        table[k] = v
    return table[level]


def weights(frame: Frame, model: Model, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """log2 Bayes factor of every pair (a[i], b[i])."""
    orientations = []
    for swapped in (False, True):
        giv_b, fam_b = ("family", "given") if swapped else ("given", "family")
        giv_ph_b, fam_ph_b = getattr(frame, giv_b + "_phon"), getattr(frame, fam_b + "_phon")
        giv_ex_b, fam_ex_b = getattr(frame, giv_b + "_exact"), getattr(frame, fam_b + "_exact")
        lg = _name_levels(frame, "given", a, giv_b, b)
        lf = _name_levels(frame, "family", a, fam_b, b)
        w = _name_weight(
            model, lg, frame.given_exact[a], frame.given_phon[a], giv_ex_b[b], giv_ph_b[b], model.m["given"]
        )
        w += _name_weight(
            model,
            lf,
            frame.family_exact[a],
            frame.family_phon[a],
            fam_ex_b[b],
            fam_ph_b[b],
            model.m["family"],
        )
        orientations.append(w)
    straight, swapped = orientations
    total = np.maximum(straight + np.log2(1 - M_SWAPPED), swapped + np.log2(M_SWAPPED))
    m = model.m
    levels = _sex_levels(frame, a, b)
    total += _lookup({k: np.log2(m["sex"][k] / model.u_sex[k]) for k in (0, 1)}, levels)
    total += missing_weight(model, "sex", levels)
    levels = date_levels(frame, a, b)
    total += _lookup({k: np.log2(m["date"][k] / model.u_date[k]) for k in M_DATE}, levels)
    total += missing_weight(model, "date", levels)
    levels = _place_levels(frame, a, b)
    w = _lookup({k: np.log2(m["place"][k] / model.u_place[k]) for k in (0, 1)}, levels)
    agree = levels == 2
    w[agree] = np.log2(m["place"][2] / model.tf_place[frame.place1[a][agree]])
    total += w
    total += missing_weight(model, "place", levels)
    total += carer_weight(frame, model, a, b)
    return total


MISSING_LEARNT = ("sex", "date", "place", "caregiver")


def missing_weight(model: Model, name: str, levels: np.ndarray) -> np.ndarray | float:
    """What a field's absence (level -1) says, once learnt: log2 m/u of being absent on one side, and for
    the pairs where it is present the matching share of what remains (the levels' m and u are shares among
    pairs where both sides have the field). Nothing when the absence was not learnt."""
    m_missing, u_missing = model.m.get(name, {}).get(-1), model.u_missing.get(name)
    if m_missing is None or u_missing is None:
        return 0.0
    m_missing = min(max(m_missing, 1e-6), 1 - 1e-6)
    u_missing = min(max(u_missing, 1e-6), 1 - 1e-6)
    return np.where(
        levels < 0, np.log2(m_missing / u_missing), np.log2((1 - m_missing) / (1 - u_missing))
    ).astype(np.float32)


# Pairs weighed by one thread at a time up to this many; beyond, the pairs are cut into one slice per core: the
# weighing is NumPy on large arrays, which lets go of the interpreter lock, so two cores weigh in about half the
# time (measured: 5.2 → 2.7 s for 8 M pairs on two cores, the same weights).
THREADED_FROM = 200_000
MAX_THREADS = 4


def weighing_threads() -> int:
    # the cores this process may use (a container's share, not the host's); macOS has no affinity call
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(cores, MAX_THREADS))


def weights_of_many(frame: Frame, model: Model, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """`weights` of many pairs, a slice per core, in the pairs' order."""
    threads = weighing_threads()
    if threads == 1 or len(a) < THREADED_FROM:
        return weights(frame, model, a, b)
    bounds = np.linspace(0, len(a), threads + 1).astype(np.int64)
    slices = [(a[i:j], b[i:j]) for i, j in itertools.pairwise(bounds)]
    with ThreadPoolExecutor(threads) as pool:
        parts = list(pool.map(lambda pair: weights(frame, model, *pair), slices))
    return np.concatenate(parts)


def carer_weight(frame: Frame, model: Model, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Caregivers agreeing on the whole name weigh by how rare that name is — among the records of the
    child's family name when the pair agrees on it (then a caregiver sharing it is expected)."""
    levels = _carer_levels(frame, a, b)
    fam_a = frame.family_phon[a]
    same_family = (fam_a >= 0) & ((fam_a == frame.family_phon[b]) | (fam_a == frame.given_phon[b]))
    u = {k: np.where(same_family, model.u_carer_in_family[k], model.u_carer[k]) for k in (0, 1)}
    w = np.zeros(len(a), dtype=np.float32)
    m = model.m["caregiver"]
    for k in (0, 1):
        sel = levels == k
        w[sel] = np.log2(m[k] / u[k][sel])
    agree = levels == 2
    if model.carer_count is None:
        w[agree] = np.log2(m[2] / model.tf_carer[frame.carer1[a][agree]])
    else:
        w[agree] = np.log2(m[2] / carer_agreement_u(model, len(frame), a[agree], same_family[agree]))
    return w + missing_weight(model, "caregiver", levels)


def estimate_share(bayes_log2: np.ndarray, *, iterations: int = 30) -> float:
    """EM for the share of duplicates among candidate pairs, with the weights held fixed."""
    if not len(bayes_log2):
        return 0.01
    bf = np.exp2(np.clip(bayes_log2.astype(np.float64), -60, 60))
    share = 0.01
    for _ in range(iterations):
        post = share * bf / (share * bf + 1 - share)
        new = float(np.clip(post.mean(), 1e-7, 0.5))
        if abs(new - share) < 1e-9:
            break
        share = new
    return share


def probability(bayes_log2: np.ndarray, share: float) -> np.ndarray:
    prior = np.log2(share / (1 - share))
    return 1.0 / (1.0 + np.exp2(-np.clip(bayes_log2 + prior, -60, 60)))


LEVEL_NAMES = {
    "name": {
        6: "exact",
        5: "phonetic",
        4: "one_edit",
        3: "part_in_common",
        2: "written_short",
        1: "initial",
        0: "different",
        -1: "missing",
    },
    "date": {
        12: "estimated_same_year",
        11: "estimated_within_1_year",
        10: "estimated_within_2_years",
        9: "exact",
        8: "day_month_swapped",
        7: "year_off_by_one",
        6: "year_typo",
        5: "day_typo",
        4: "same_month",
        3: "same_year",
        2: "within_1_year",
        1: "within_2_years",
        0: "different",
        -1: "missing",
    },
    "token": {2: "same", 1: "partly", 0: "different", -1: "missing"},
    "sex": {1: "same", 0: "different", -1: "missing"},
}


def explain(frame: Frame, a: int, b: int) -> dict[str, str]:
    """How one pair compares, field by field (for reviewers: never a value, only the levels)."""
    ia, ib = np.array([a]), np.array([b])
    straight_g = int(_name_levels(frame, "given", ia, "given", ib)[0])
    fam = _name_levels(frame, "family", ia, "family", ib)
    swap_g = int(_name_levels(frame, "given", ia, "family", ib)[0])
    swap_f = int(_name_levels(frame, "family", ia, "given", ib)[0])
    swapped = swap_g + swap_f > straight_g + int(fam[0])
    g, f = (swap_g, swap_f) if swapped else (straight_g, int(fam[0]))
    return {
        "given_name": LEVEL_NAMES["name"][g],
        "family_name": LEVEL_NAMES["name"][f],
        "names_swapped": "yes" if swapped else "no",
        "sex": LEVEL_NAMES["sex"][int(_sex_levels(frame, ia, ib)[0])],
        "birth_date": LEVEL_NAMES["date"][int(date_levels(frame, ia, ib)[0])],
        "place": LEVEL_NAMES["token"][int(_place_levels(frame, ia, ib)[0])],
        "caregiver": LEVEL_NAMES["token"][int(_carer_levels(frame, ia, ib)[0])],
    }
