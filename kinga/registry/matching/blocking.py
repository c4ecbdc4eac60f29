"""Blocking: which pairs of records are compared at all.

Every blocking key is made of integers only (dense ids of keyed phonetic codes, birth years), so the
database path blocks on blind indexes without decrypting anything.

Any one field may be wrong: each pass leans on different fields, so that a pair with one spoilt field still
shares a block in another pass.

Parents. Each phonetic code points to its most frequent neighbour within one edit (deletion-neighbourhood) when
that one is much more frequent: a one-letter slip in a name then meets the name it was meant to be, because the
slip is rarer than the name. "A name" below is a name's phonetic code as written or one of its parents, given or
family alike (swapped names meet).
1. Both names (unordered): catches a wrong birth date, place or caregiver.
2. One name × full birth date: the other name spoilt beyond one edit.
3. One name × place, 4. one name × the caregiver's whole name: the other name spoilt and the date missing or
   mistyped.
5. The birth date alone (day and month in either order): both names spoilt (nicknames, initials, reordered
   tokens); a common date is refined by sex, then place (`_frequency_aware_pairs`).
Block sizes are bounded by the keys' frequency, never by dropping pairs at random: a block of at most BLOCK_CAP
records is compared whole, whatever the birth years (a year typed ten years off does not part two records whose
names agree); a larger one, whose key is common, is joined on birth years within ±WINDOW. A pair's fate thus
depends on how common its own names, place or date are, not on how many unrelated records the file holds.
Small inputs (up to ALL_PAIRS_UP_TO pairs) are compared exhaustively.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from .frame import Frame, pairs_in_ranges

WINDOW = 2  # years: birth year ±1 mistakes and ages ±2 years
_YEAR_BASE = 1800
_YEAR_SLOTS = 4096


PARENT_RATIO = 4  # a code points to a neighbour at least this many times more frequent
PARENTS = 3
ALL_PAIRS_UP_TO = 2_000_000  # below this many pairs, compare them all
BLOCK_CAP = 60  # a block this small is compared whole, whatever the birth years; larger ones are refined
DATE_BLOCK_CAP = 20  # the birth date alone: many records share a day, this pass is for names both spoilt


def name_frequencies(frame: Frame) -> np.ndarray:
    names = np.concatenate([frame.given_phon, frame.family_phon])
    return np.bincount(names[names >= 0], minlength=frame.n_phon).astype(np.int64)


def name_parents(frame: Frame) -> np.ndarray:
    """For every phonetic id, up to PARENTS neighbours within one edit that are at least PARENT_RATIO
    times more frequent (a slip is much rarer than the name it spoils), most frequent first; -1 pads.
    One step only: chains would merge whole families of real names (Kabamba, Kibamba, Kubamba)."""
    n = frame.n_phon
    out = np.full((n, PARENTS), -1, dtype=np.int64)
    nb = frame.name_neighbours
    if n == 0 or not len(nb):
        return out
    freq = name_frequencies(frame)
    a, b = nb // n, nb % n
    x, y = np.concatenate([a, b]), np.concatenate([b, a])
    keep = freq[y] >= PARENT_RATIO * np.maximum(freq[x], 1)
    x, y = x[keep], y[keep]
    order = np.lexsort((-freq[y], x))
    x, y = x[order], y[order]
    position = np.arange(len(x)) - np.searchsorted(x, x, side="left")
    keep = position < PARENTS
    out[x[keep], position[keep]] = y[keep]
    return out


def _name_keys(frame: Frame, parents: np.ndarray) -> np.ndarray:
    """Unordered {given, family} keys of every record, each name as written or one of its parents."""
    n = frame.n_phon + 1
    options = []
    for phon in (frame.given_phon.astype(np.int64), frame.family_phon.astype(np.int64)):
        found = parents[np.maximum(phon, 0)]
        found[phon < 0] = -1
        options.append(np.column_stack([phon, found]))
    keys = []
    for i in range(PARENTS + 1):
        for j in range(PARENTS + 1):
            x, y = options[0][:, i], options[1][:, j]
            lo, hi = np.minimum(x, y) + 1, np.maximum(x, y) + 1
            key = lo * n + hi
            # a parent absent on one side, or no name at all: no key
            key[((i > 0) & (x < 0)) | ((j > 0) & (y < 0)) | ((x < 0) & (y < 0))] = -1
            keys.append(key)
    return np.stack(keys, axis=1)


JOIN_CHUNK = 4_000_000  # pairs materialised at once while joining (bounds the peak memory at 1 M records)


def _pair_codes(row: np.ndarray, hi: np.ndarray, n: int) -> np.ndarray:
    """Codes min*n+max of the pairs (row[i], row[j]) for i < j < hi[i], a slice of rows at a time:
    the indices of every pair at once would be several times the codes' size."""
    counts = np.maximum(hi - np.arange(1, len(row) + 1), 0)
    ends = np.cumsum(counts)
    out, start = [], 0
    while start < len(row):
        done = int(ends[start - 1]) if start else 0
        stop = max(int(np.searchsorted(ends, done + JOIN_CHUNK, side="right")), start + 1)
        first, j = pairs_in_ranges(np.arange(start, stop) + 1, hi[start:stop])
        a, b = row[first + start], row[j]
        out.append(np.minimum(a, b) * n + np.maximum(a, b))
        start = stop
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


def candidate_pairs(frame: Frame, *, chunk: int = 2_000_000) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Candidate pairs (a, b) as int64 record indices, a != b, each pair once, in chunks."""
    yield from pairs_of_codes(candidate_codes(frame), len(frame), chunk=chunk)


def pairs_of_codes(
    codes: np.ndarray, n: int, *, chunk: int = 2_000_000
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    for start in range(0, len(codes), chunk):
        part = codes[start : start + chunk]
        yield part // n, part % n


def candidate_codes(frame: Frame) -> np.ndarray:
    """The candidate pairs as sorted codes a*n+b (a < b), each pair once."""
    n = len(frame)
    if n < 2:
        return np.zeros(0, dtype=np.int64)
    if n * (n - 1) // 2 <= ALL_PAIRS_UP_TO:
        a, b = pairs_in_ranges(np.arange(n) + 1, np.full(n, n))
        return a * n + b
    parents = name_parents(frame)
    years = np.clip(frame.year.astype(np.int64) - _YEAR_BASE, 1, _YEAR_SLOTS - WINDOW - 1)
    years[frame.year == 0] = 0
    pair_codes = []

    # Pass 1: both names (as written or a parent, in either order).
    keys = _name_keys(frame, parents)
    rows = np.repeat(np.arange(n, dtype=np.int64), keys.shape[1])
    pair_codes.append(_bounded_pairs(keys.ravel(), rows, years, n))
    del keys, rows

    # Pass 2: one name × full birth date.
    full = (frame.month > 0) & (frame.day > 0) & ~frame.approximate
    date = ((frame.year.astype(np.int64) * 13 + frame.month) * 32 + frame.day) % (1 << 17)
    date_key = np.where(full, date, -1)
    pair_codes.append(_one_name_times(frame, parents, date_key, years, n, window=False))

    # Pass 3: one name × place; pass 4: one name × caregiver's whole name.
    place = frame.place1.astype(np.int64)
    pair_codes.append(_one_name_times(frame, parents, place, years, n))
    carer = _combine(frame.carer1, frame.carer2 + 1)  # the whole name: first token and second (or none)
    pair_codes.append(_one_name_times(frame, parents, carer, years, n))

    # Pass 5: the birth date alone (day and month in either order), refined where it is common.
    low = np.minimum(frame.month, frame.day).astype(np.int64)
    high = np.maximum(frame.month, frame.day).astype(np.int64)
    day_key = np.where(full, (frame.year.astype(np.int64) * 32 + low) * 32 + high, -1)
    sex = np.where(frame.sex > 0, frame.sex.astype(np.int64), -1)
    pair_codes.append(
        _frequency_aware_pairs(
            [
                day_key,
                _combine(day_key, sex),
                _combine(day_key, place),
                _combine(_combine(day_key, sex), place),
            ],
            n,
        )
    )

    codes = np.concatenate(pair_codes)
    del pair_codes
    codes.sort()  # in place: np.unique would hold a sorted copy next to the concatenation
    keep = np.ones(len(codes), dtype=bool)
    keep[1:] = codes[1:] != codes[:-1]
    keep &= codes // n != codes % n
    return codes[keep]


def _combine(key: np.ndarray, other: np.ndarray) -> np.ndarray:
    """One key of two (-1 when either is missing), as dense ids: combined keys never overflow. Both inputs are
    ids below 2**31 (dense ids, dates, sexes)."""
    out = np.full(len(key), -1, dtype=np.int64)
    ok = (key >= 0) & (other >= 0)
    if ok.any():
        _, inverse = np.unique(key[ok].astype(np.int64) * (1 << 31) + other[ok], return_inverse=True)
        out[ok] = inverse.reshape(-1)
    return out


def _one_name_times(
    frame: Frame, parents: np.ndarray, other: np.ndarray, years: np.ndarray, n: int, *, window: bool = True
) -> np.ndarray:
    """Pairs sharing one name (as written or a parent) and the `other` key: the passes that still hold a pair
    whose other name is spoilt beyond one edit."""
    keys, rows = [], []
    for phon in (frame.given_phon, frame.family_phon):
        ok = (phon >= 0) & (other >= 0)
        options = np.column_stack([phon[ok].astype(np.int64), parents[phon[ok]]])
        for code in options.T:
            present = code >= 0
            keys.append(np.stack([code[present], other[ok][present]], axis=1))
            rows.append(np.flatnonzero(ok)[present])
    if not keys:
        return np.zeros(0, dtype=np.int64)
    both, row = np.concatenate(keys), np.concatenate(rows)
    key = _combine(both[:, 0], both[:, 1])  # dense ids of one vocabulary for all the options
    if not window:
        uniq = np.unique(key * n + row)  # one row per (key, record), sorted by key
        key, row = uniq // n, uniq % n
        return np.unique(_pair_codes(row, np.searchsorted(key, key, side="right"), n))
    return _bounded_pairs(key, row, years, n)


def _bounded_pairs(key: np.ndarray, row: np.ndarray, years: np.ndarray, n: int) -> np.ndarray:
    """Pairs of rows sharing a key (-1: none): a block of at most BLOCK_CAP records is compared whole, whatever
    the birth years (a year typed ten years off does not part two records); a larger one, whose key is common,
    only within ±WINDOW birth years (a record without a year meets its whole block). The size of what is
    compared is bounded by the keys' frequency, never by dropping pairs at random."""
    ok = key >= 0
    _, dense = np.unique(key[ok], return_inverse=True)
    uniq = np.unique(dense.reshape(-1).astype(np.int64) * n + row[ok])  # one row per (key, record)
    del dense, ok
    key, row = uniq // n, uniq % n
    del uniq
    order = np.lexsort((years[row], key))
    key, row = key[order], row[order]
    y = years[row]
    block_start = np.searchsorted(key, key, side="left")
    block_end = np.searchsorted(key, key, side="right")
    rank = np.cumsum(np.r_[0, key[1:] != key[:-1]]).astype(np.int64)  # dense block number, in order
    combined = rank * _YEAR_SLOTS + y
    window_end = np.searchsorted(combined, combined + WINDOW, side="right")
    del combined
    small = block_end - block_start <= BLOCK_CAP
    hi = np.where(small | (y == 0), block_end, window_end)
    return np.unique(_pair_codes(row, hi, n))


def _frequency_aware_pairs(levels: list[np.ndarray], n: int, cap: int = DATE_BLOCK_CAP) -> np.ndarray:
    """Every record takes the coarsest key (levels from coarse to fine) whose block holds at most `cap`
    records; records of a block still larger at the finest level are left to the other passes."""
    chosen = np.full(n, -1, dtype=np.int64)
    undecided = np.ones(n, dtype=bool)
    for level, key in enumerate(levels):
        candidate = np.where(undecided, key, -1)
        present = candidate >= 0
        if not present.any():
            break
        _, inverse, counts = np.unique(candidate[present], return_inverse=True, return_counts=True)
        fits = np.zeros(n, dtype=bool)
        fits[np.flatnonzero(present)] = counts[inverse.reshape(-1)] <= cap
        chosen[fits] = candidate[fits] * len(levels) + level  # dense ids: no overflow
        undecided &= ~fits & (key >= 0)
    ok = chosen >= 0
    key, row = chosen[ok], np.flatnonzero(ok).astype(np.int64)
    order = np.argsort(key, kind="stable")
    key, row = key[order], row[order]
    return np.unique(_pair_codes(row, np.searchsorted(key, key, side="right"), n))
