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
5. The caregiver's whole name × place: both names spoilt (an initial, a shortened form, a blank) and the date
   missing or estimated from an age.
6. The birth date alone (day and month in either order): both names spoilt (nicknames, initials, reordered
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
    """Sorted distinct codes min*n+max of the pairs (row[i], row[j]) for i < j < hi[i], a slice of rows at a
    time: the indices of every pair at once would be several times the codes' size. Each slice's codes are
    deduplicated before they are merged (a pair found under several keys is held once)."""
    counts = np.maximum(hi - np.arange(1, len(row) + 1), 0)
    ends = np.cumsum(counts)
    parts, start = [], 0
    while start < len(row):
        done = int(ends[start - 1]) if start else 0
        stop = max(int(np.searchsorted(ends, done + JOIN_CHUNK, side="right")), start + 1)
        first, j = pairs_in_ranges(np.arange(start, stop) + 1, hi[start:stop])
        a, b = row[first + start], row[j]
        del first, j
        part = (np.minimum(a, b) * n + np.maximum(a, b))[a != b]  # a record met under two of its own keys
        del a, b
        part.sort()
        parts.append(_distinct_sorted(part))
        start = stop
    return _merge_runs(parts)


_EMPTY = np.zeros(0, dtype=np.int64)
_COMPACT_CHUNK = 1 << 22


def _distinct_sorted(codes: np.ndarray) -> np.ndarray:
    """The distinct values of a sorted array, compacted in its own memory (np.unique would hold a copy)."""
    if len(codes) < 2:
        return codes
    written = 1
    for start in range(1, len(codes), _COMPACT_CHUNK):
        stop = min(start + _COMPACT_CHUNK, len(codes))
        values = codes[start:stop][codes[start:stop] != codes[start - 1 : stop - 1]]
        codes[written : written + len(values)] = values  # written <= start: never ahead of what is read
        written += len(values)
    return codes[:written]


def _merge_runs(runs: list[np.ndarray]) -> np.ndarray:
    """The sorted union of sorted arrays of distinct codes (emptied from the list as they are copied). Timsort
    ("stable") merges the runs without sorting them again; the union is compacted in place."""
    runs[:] = [r for r in runs if len(r)]
    if not runs:
        return _EMPTY
    if len(runs) == 1:
        return runs.pop()
    both = np.concatenate(runs)
    runs.clear()
    both.sort(kind="stable")
    return _distinct_sorted(both)


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
    # Each pass's pairs are merged into the candidates as soon as it finishes: the passes' outputs are never
    # all held at once.

    # Pass 1: both names (as written or a parent, in either order).
    keys = _name_keys(frame, parents)
    rows = np.repeat(np.arange(n, dtype=np.int64), keys.shape[1])
    found = [_bounded_pairs(keys.ravel(), rows, years, n)]
    del keys, rows

    # Pass 2: one name × full birth date.
    full = (frame.month > 0) & (frame.day > 0) & ~frame.approximate
    date = ((frame.year.astype(np.int64) * 13 + frame.month) * 32 + frame.day) % (1 << 17)
    date_key = np.where(full, date, -1)
    found.append(_one_name_times(frame, parents, date_key, years, n, window=False))
    found.append(_merge_runs(found))

    sex = np.where(frame.sex > 0, frame.sex.astype(np.int64), -1)

    # Pass 3: one name × place; pass 4: one name × caregiver's whole name.
    place = frame.place1.astype(np.int64)
    # Place is coarse (a common name in a big village): a large block is refined by sex, then birth year, and
    # what is still large is left to the other passes.
    key, row = _one_name_entries(frame, parents, place)
    by_sex = _combine(key, sex[row])
    by_year = _combine(by_sex, np.where(years > 0, years, -1)[row])
    found.append(_frequency_aware_pairs([key, by_sex, by_year], n, BLOCK_CAP, row))
    del key, row, by_sex, by_year
    found.append(_merge_runs(found))
    carer = _combine(frame.carer1, frame.carer2 + 1)  # the whole name: first token and second (or none)
    found.append(_one_name_times(frame, parents, carer, years, n))
    found.append(_merge_runs(found))

    # Pass 5: the caregiver's whole name × place: both names spoilt (an initial, a shortened form, a blank) and
    # the date missing or estimated from an age.
    found.append(_bounded_pairs(_combine(carer, place), np.arange(n, dtype=np.int64), years, n))
    found.append(_merge_runs(found))

    # Pass 6: the birth date alone (day and month in either order), refined where it is common.
    low = np.minimum(frame.month, frame.day).astype(np.int64)
    high = np.maximum(frame.month, frame.day).astype(np.int64)
    day_key = np.where(full, (frame.year.astype(np.int64) * 32 + low) * 32 + high, -1)
    found.append(
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
    return _merge_runs(found)


def _combine(key: np.ndarray, other: np.ndarray) -> np.ndarray:
    """One key of two (-1 when either is missing), as dense ids: combined keys never overflow. Both inputs are
    ids below 2**31 (dense ids, dates, sexes)."""
    out = np.full(len(key), -1, dtype=np.int64)
    ok = (key >= 0) & (other >= 0)
    if ok.any():
        _, inverse = np.unique(key[ok].astype(np.int64) * (1 << 31) + other[ok], return_inverse=True)
        out[ok] = inverse.reshape(-1)
    return out


def _one_name_entries(frame: Frame, parents: np.ndarray, other: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(key, record) entries of one name (as written, a parent, or one of its parts) × the `other` key: the
    passes that still hold a pair whose other name is spoilt beyond one edit. Keys are dense ids."""
    keys, rows = [], []
    for name in ("given", "family"):
        phon = getattr(frame, name + "_phon")
        ok = (phon >= 0) & (other >= 0)
        options = [phon[ok].astype(np.int64), *parents[phon[ok]].T]
        # a name of two parts also meets the names of one of its parts ("Jean Pierre", "Jean")
        for k in (1, 2):
            part = frame.parts.get(f"{name}_part{k}")
            if part is not None:
                part = part[ok].astype(np.int64)
                options.append(np.where(part == options[0], -1, part))
        for code in options:
            present = code >= 0
            keys.append(np.stack([code[present], other[ok][present]], axis=1))
            rows.append(np.flatnonzero(ok)[present])
    if not keys:
        return _EMPTY, _EMPTY
    both, row = np.concatenate(keys), np.concatenate(rows)
    return _combine(both[:, 0], both[:, 1]), row  # dense ids of one vocabulary for all the options


def _one_name_times(
    frame: Frame, parents: np.ndarray, other: np.ndarray, years: np.ndarray, n: int, *, window: bool = True
) -> np.ndarray:
    """Pairs sharing one name and the `other` key: blocks bounded as `_bounded_pairs` does, or (window False,
    for a key as fine as a full birth date) compared whole."""
    key, row = _one_name_entries(frame, parents, other)
    if not window:
        uniq = np.unique(key * n + row)  # one row per (key, record), sorted by key
        key, row = uniq // n, uniq % n
        return _pair_codes(row, np.searchsorted(key, key, side="right"), n)
    return _bounded_pairs(key, row, years, n)


def _bounded_pairs(key: np.ndarray, row: np.ndarray, years: np.ndarray, n: int) -> np.ndarray:
    """Pairs of rows sharing a key (-1: none): a block of at most BLOCK_CAP records is compared whole, whatever
    the birth years (a year typed ten years off does not part two records); a larger one, whose key is common,
    only within ±WINDOW birth years (a record without a year meets its whole block). The size of what is
    compared is bounded by the keys' frequency, never by dropping pairs at random."""
    ok = key >= 0
    _, dense = np.unique(key[ok], return_inverse=True)
    row = row[ok]
    del ok
    # one sort orders the (key, birth year, record) triples and drops a record met twice under one key
    block_year = dense.reshape(-1).astype(np.int64) * _YEAR_SLOTS + years[row]
    del dense
    triples = block_year * n + row
    del block_year, row
    triples.sort()
    triples = _distinct_sorted(triples)
    block_year, row = triples // n, triples % n
    del triples
    block = block_year // _YEAR_SLOTS
    starts = np.flatnonzero(np.r_[True, block[1:] != block[:-1]])
    sizes = np.diff(np.r_[starts, len(block)])
    del block
    block_end = np.repeat(starts + sizes, sizes)
    small = np.repeat(sizes <= BLOCK_CAP, sizes)
    window_end = np.searchsorted(block_year, block_year + WINDOW, side="right")
    no_year = block_year % _YEAR_SLOTS == 0
    del block_year
    hi = np.where(small | no_year, block_end, window_end)
    return _pair_codes(row, hi, n)


def _frequency_aware_pairs(
    levels: list[np.ndarray], n: int, cap: int = DATE_BLOCK_CAP, row: np.ndarray | None = None
) -> np.ndarray:
    """Every (key, record) entry — one per record unless `row` says whose each entry is — takes the coarsest
    key (levels from coarse to fine, dense ids) whose block holds at most `cap` entries; entries of a block
    still larger at the finest level are left to the other passes."""
    size = len(levels[0])
    chosen = np.full(size, -1, dtype=np.int64)
    undecided = np.ones(size, dtype=bool)
    for level, key in enumerate(levels):
        candidate = np.where(undecided, key, -1)
        present = candidate >= 0
        if not present.any():
            break
        _, inverse, counts = np.unique(candidate[present], return_inverse=True, return_counts=True)
        fits = np.zeros(size, dtype=bool)
        fits[np.flatnonzero(present)] = counts[inverse.reshape(-1)] <= cap
        chosen[fits] = candidate[fits] * len(levels) + level  # dense ids: no overflow
        undecided &= ~fits & (key >= 0)
    ok = chosen >= 0
    key = chosen[ok]
    row = np.flatnonzero(ok).astype(np.int64) if row is None else row[ok]
    order = np.argsort(key, kind="stable")
    key, row = key[order], row[order]
    return _pair_codes(row, np.searchsorted(key, key, side="right"), n)
