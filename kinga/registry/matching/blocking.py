"""Blocking: which pairs of records are compared at all.

Every blocking key is made of integers only (dense ids of keyed phonetic codes, birth years), so the
database path blocks on blind indexes without decrypting anything.

1. Parents. Each phonetic code points to its most frequent neighbour within one edit
   (deletion-neighbourhood) when that one is much more frequent: a one-letter slip in a name then
   meets the name it was meant to be, because the slip is rarer than the name.
2. Name blocks = the unordered pair {given, family}, each as written or its parent (swapped names fall
   in the same block); inside a block, records are joined on birth year within ±WINDOW years (a record
   without a year meets every record of its block). Common names are thus split by year.
3. Date blocks = (either name, as written or its parent) × full birth date: they catch pairs whose
   other name is further than one edit.
4. Caregiver blocks = (either name, as written) × the caregiver's whole name, joined on birth year
   within ±WINDOW like name blocks: they catch pairs whose other name is further than one edit and
   whose birth date is missing or mistyped (no date block then).
5. Same-name blocks = the unordered pair {given, family} as written, WITHOUT the year window, for the
   name pairs that are not common (at most SAME_NAMES_BLOCK records): a birth year typed ten years off
   (2012/2021) does not keep apart two records whose names agree. Common name pairs are left to the
   year-windowed blocks: the size of a block is bounded by the names' frequency, never by dropping pairs
   at random, and a pair's fate does not depend on how many unrelated records the file holds.
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
SAME_NAMES_BLOCK = 60  # records sharing both names, compared whatever their birth years (pass 5)


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


def _join_in_blocks(key: np.ndarray, row: np.ndarray, years: np.ndarray, n: int) -> np.ndarray:
    """Codes of the pairs of rows sharing a key with birth years within ±WINDOW (a missing year meets
    all)."""
    order = np.lexsort((years[row], key))
    key, row = key[order], row[order]
    y = years[row]
    combined = key * _YEAR_SLOTS + y
    block_end = np.searchsorted(key, key, side="right")
    window_end = np.searchsorted(combined, combined + WINDOW, side="right")
    del combined
    return _pair_codes(row, np.where(y == 0, block_end, window_end), n)


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
    n = len(frame)
    if n < 2:
        return
    if n * (n - 1) // 2 <= ALL_PAIRS_UP_TO:
        a, b = pairs_in_ranges(np.arange(n) + 1, np.full(n, n))
        for start in range(0, len(a), chunk):
            yield a[start : start + chunk], b[start : start + chunk]
        return
    parents = name_parents(frame)
    years = np.clip(frame.year.astype(np.int64) - _YEAR_BASE, 1, _YEAR_SLOTS - WINDOW - 1)
    years[frame.year == 0] = 0
    pair_codes = []

    keys = _name_keys(frame, parents)
    pair_codes.append(_same_names_pairs(keys[:, 0], n))
    rows = np.repeat(np.arange(n, dtype=np.int64), keys.shape[1])
    flat = keys.ravel()
    ok = flat >= 0
    uniq = np.unique(flat[ok] * n + rows[ok])  # one row per (key, record)
    del keys, rows, flat, ok
    pair_codes.append(np.unique(_join_in_blocks(uniq // n, uniq % n, years, n)))
    del uniq

    # Date blocks: (either name, as written or its parent) × full birth date.
    full = (frame.month > 0) & (frame.day > 0) & ~frame.approximate
    date = ((frame.year.astype(np.int64) * 13 + frame.month) * 32 + frame.day) % (1 << 17)
    dkeys, drows = [], []
    for phon in (frame.given_phon, frame.family_phon):
        ok = full & (phon >= 0)
        codes = np.column_stack([phon[ok].astype(np.int64), parents[phon[ok]]])
        for code in codes.T:
            present = code >= 0
            dkeys.append(code[present] * (1 << 17) + date[ok][present])
            drows.append(np.flatnonzero(ok)[present])
    if dkeys:
        uniq = np.unique(np.concatenate(dkeys) * n + np.concatenate(drows))
        key, row = uniq // n, uniq % n
        pair_codes.append(np.unique(_pair_codes(row, np.searchsorted(key, key, side="right"), n)))
        del uniq, key, row
    pair_codes.extend(_caregiver_block_pairs(frame, years))
    codes = np.concatenate(pair_codes)
    del pair_codes
    codes.sort()  # in place: np.unique would hold a sorted copy next to the concatenation
    keep = np.ones(len(codes), dtype=bool)
    keep[1:] = codes[1:] != codes[:-1]
    keep &= codes // n != codes % n
    codes = codes[keep]
    del keep
    for start in range(0, len(codes), chunk):
        part = codes[start : start + chunk]
        yield part // n, part % n


def _same_names_pairs(written: np.ndarray, n: int) -> np.ndarray:
    """Pass 5: every pair of the blocks of both names as written, whatever the birth years, in the blocks of at
    most SAME_NAMES_BLOCK records."""
    ok = written >= 0
    key, row = written[ok], np.flatnonzero(ok).astype(np.int64)
    order = np.argsort(key, kind="stable")
    key, row = key[order], row[order]
    first = np.searchsorted(key, key, side="left")
    end = np.searchsorted(key, key, side="right")
    # A block too common to compare whole gives no pair here (hi = the next row: none).
    hi = np.where(end - first <= SAME_NAMES_BLOCK, end, np.arange(1, len(key) + 1))
    return np.unique(_pair_codes(row, hi, n))


def _caregiver_block_pairs(frame: Frame, years: np.ndarray) -> list[np.ndarray]:
    n = len(frame)
    carer = frame.carer1 >= 0
    if not carer.any():
        return []
    keys, rows = [], []
    size = np.int64(frame.n_phon + 1)
    whole = (frame.carer1.astype(np.int64) + 1) * size + frame.carer2.astype(np.int64) + 1
    for phon in (frame.given_phon, frame.family_phon):
        ok = carer & (phon >= 0)
        keys.append(np.column_stack([phon[ok].astype(np.int64), whole[ok]]))
        rows.append(np.flatnonzero(ok))
    if not sum(len(r) for r in rows):
        return []
    _, key = np.unique(np.concatenate(keys), axis=0, return_inverse=True)
    uniq = np.unique(key.reshape(-1).astype(np.int64) * n + np.concatenate(rows))
    return [np.unique(_join_in_blocks(uniq // n, uniq % n, years, n))]
