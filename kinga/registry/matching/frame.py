"""The matcher's columnar frame: every record as small integers, whatever its source.

A frame is built either from plaintext records (files, the record being registered) or from the
registry's blind-index profiles (keyed 63-bit hashes read from the database). Both paths end in
`Frame.from_codes`, which factorises the codes into dense ids; the rest of the pipeline (blocking,
scoring, clustering) sees only integers, so it is the same for files and for the database and never
handles a name in clear.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from .normalise import LEAD_LETTERS, Record, deletion_variants

MISSING = -1


def _factorise(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Dense ids shared by several columns of codes (MISSING stays -1), and the code of each id."""
    stacked = np.concatenate([np.asarray(c, dtype=np.int64) for c in columns])
    present = stacked != MISSING
    dense = np.full(stacked.shape, -1, dtype=np.int32)
    top = int(stacked.max(initial=-1))
    if 0 <= top < max(4 * len(stacked), 1 << 20) and stacked.min(initial=0) >= MISSING:
        # small codes (a file's vocabulary ids): a table of the codes in use instead of a sort
        used = np.zeros(top + 1, dtype=bool)
        used[stacked[present]] = True
        values = np.flatnonzero(used)
        rank = np.cumsum(used, dtype=np.int64) - 1
        dense[present] = rank[stacked[present]].astype(np.int32)
    else:  # hashes (the database's blind indexes)
        values, inverse = np.unique(stacked[present], return_inverse=True)
        dense[present] = inverse.reshape(-1).astype(np.int32)
    out, start = [], 0
    for c in columns:
        out.append(dense[start : start + len(c)])
        start += len(c)
    return out, values


def pairs_in_ranges(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For every i, the pairs (i, j) with lo[i] <= j < hi[i] — the vectorised inner loop of every join."""
    counts = np.maximum(hi - lo, 0).astype(np.int64)
    total = int(counts.sum())
    if total == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    first = np.repeat(np.arange(len(lo), dtype=np.int64), counts)
    offsets = np.repeat(lo.astype(np.int64) - (np.cumsum(counts) - counts), counts)
    return first, offsets + np.arange(total, dtype=np.int64)


def neighbour_pairs(code_ids: np.ndarray, variant_ids: np.ndarray, size: int) -> np.ndarray:
    """Sorted keys a*K+b (a<b) of the code pairs that share a deletion variant (within one edit)."""
    if len(code_ids) == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((code_ids, variant_ids))
    codes, variants = code_ids[order].astype(np.int64), variant_ids[order]
    ends = np.searchsorted(variants, variants, side="right")
    i, j = pairs_in_ranges(np.arange(len(codes)) + 1, ends)
    a, b = codes[i], codes[j]
    keep = a != b
    a, b = np.minimum(a[keep], b[keep]), np.maximum(a[keep], b[keep])
    return np.unique(a * size + b)


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def hashed_key(keys: np.ndarray, shift: int) -> np.ndarray:
    """Fibonacci hashing of pair keys into `64 - shift` bits (the product wraps around, as intended)."""
    return (keys.astype(np.uint64) * _GOLDEN) >> np.uint64(shift)


@dataclass
class Frame:
    ids: np.ndarray  # record ids (str) — the only non-integer column
    given_exact: np.ndarray  # int32 dense ids, -1 missing
    given_phon: np.ndarray
    family_exact: np.ndarray
    family_phon: np.ndarray
    sex: np.ndarray  # int8: 0 unknown, 1 M, 2 F
    year: np.ndarray  # int16: 0 unknown
    month: np.ndarray  # int8
    day: np.ndarray  # int8
    approximate: np.ndarray  # bool
    place1: np.ndarray  # int32 dense ids of place tokens
    place2: np.ndarray
    carer1: np.ndarray  # int32 dense ids of caregiver tokens (same id space as names' phonetic codes)
    carer2: np.ndarray
    n_phon: int  # size of the phonetic id space
    name_neighbours: np.ndarray  # sorted a*n_phon+b of phonetic ids within one edit
    # sorted a*n_place+b of place token ids within one edit: typed places only (files); the database's places
    # are chosen from a list, so none there
    place_neighbours: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    n_place: int = 0
    # Name parts (files, and the database's profiles: kinga.registry.profiles.name_parts_of_columns): the phonetic
    # ids of the first two tokens of each name, the ids of the first token's leading 1..LEAD_LETTERS letters, and that
    # token's length (LEAD_LETTERS + 1 for any longer one; 0 unknown).
    parts: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)

    @cached_property
    def neighbour_bitmap(self) -> tuple[np.ndarray, int]:
        """A bitmap of the hashed keys of `name_neighbours` and its shift: most pairs of names compared are not
        one edit apart, and one look-up in this table rules nearly all of them out before the exact search."""
        bits = int(min(max(np.ceil(np.log2(max(len(self.name_neighbours), 1) * 32)), 12), 26))
        shift = 64 - bits
        bitmap = np.zeros(1 << bits, dtype=bool)
        bitmap[hashed_key(self.name_neighbours, shift)] = True
        return bitmap, shift

    @classmethod
    def from_codes(
        cls,
        ids: Sequence | np.ndarray,
        *,
        given_exact,
        given_phon,
        family_exact,
        family_phon,
        sex,
        year,
        month,
        day,
        approximate,
        place1,
        place2,
        carer1,
        carer2,
        variant_code,
        variant_key,
        place_variant_code=None,
        place_variant_key=None,
        name_parts: dict[str, np.ndarray] | None = None,
    ) -> Frame:
        """Build from int64 codes (hashes or ids; -1 for missing) and the (code, deletion variant) table.
        `name_parts` (optional): for "given" and "family", "{name}_part1"/"_part2" (codes in the phonetic
        names' space), "{name}_lead" (n × LEAD_LETTERS codes of the leading letters) and "{name}_lead_len"."""
        n = len(given_phon)
        name_parts = name_parts or {}
        part_names = [f"{f}_part{k}" for f in ("given", "family") for k in (1, 2)]
        part_codes = [np.asarray(name_parts.get(k, np.full(n, MISSING)), dtype=np.int64) for k in part_names]
        (ge, fe), _ = _factorise(given_exact, family_exact)
        (gp, fp, c1, c2, vc, *parts), _phon_values = _factorise(
            given_phon, family_phon, carer1, carer2, variant_code, *part_codes
        )
        dense_parts = dict(zip(part_names, parts, strict=True))
        leads = [
            np.asarray(name_parts.get(f"{f}_lead", np.full((n, LEAD_LETTERS), MISSING)))
            for f in ("given", "family")
        ]
        (gl, fl), _ = _factorise(*(x.reshape(-1) for x in leads))
        dense_parts["given_lead"] = gl.reshape(n, LEAD_LETTERS)
        dense_parts["family_lead"] = fl.reshape(n, LEAD_LETTERS)
        for f in ("given", "family"):
            dense_parts[f"{f}_lead_len"] = np.asarray(
                name_parts.get(f"{f}_lead_len", np.zeros(n)), dtype=np.int8
            )
        place_codes = [place1, place2] + ([place_variant_code] if place_variant_code is not None else [])
        (p1, p2, *pvc), _place_values = _factorise(*place_codes)
        n_phon = len(_phon_values)
        place_neighbours = np.zeros(0, dtype=np.int64)
        if pvc and len(pvc[0]):
            (pvk,), _ = _factorise(place_variant_key)
            known = pvc[0] >= 0
            place_neighbours = neighbour_pairs(pvc[0][known], pvk[known], len(_place_values))
        (vk,), _ = _factorise(variant_key)
        known = vc >= 0
        neighbours = neighbour_pairs(vc[known], vk[known], n_phon)
        return cls(
            ids=np.asarray(ids, dtype=object),
            given_exact=ge,
            given_phon=gp,
            family_exact=fe,
            family_phon=fp,
            sex=np.asarray(sex, dtype=np.int8),
            year=np.asarray(year, dtype=np.int16),
            month=np.asarray(month, dtype=np.int8),
            day=np.asarray(day, dtype=np.int8),
            approximate=np.asarray(approximate, dtype=bool),
            place1=p1,
            place2=p2,
            carer1=c1,
            carer2=c2,
            n_phon=n_phon,
            name_neighbours=neighbours,
            place_neighbours=place_neighbours,
            n_place=len(_place_values),
            parts=dense_parts,
        )

    @classmethod
    def from_records(cls, records: Iterable[Record]) -> Frame:
        """The file path: plaintext codes become ids through in-memory dictionaries (never written)."""
        builder = FrameBuilder()
        for r in records:
            builder.add(r)
        return builder.build()


_COLUMNS = (
    "given_exact",
    "given_phon",
    "family_exact",
    "family_phon",
    "sex",
    "year",
    "month",
    "day",
    "approximate",
    "place1",
    "place2",
    "carer1",
    "carer2",
)
_PART_COLUMNS = tuple(
    f"{name}_{what}" for name in ("given", "family") for what in ("part1", "part2", "lead", "lead_len")
)


class FrameBuilder:
    """A frame built one record at a time, so that a file is never held as rows: each record leaves only its
    integer codes, in compact arrays (4 bytes a value, not a Python object), and the vocabulary of distinct
    codes, which a million records of a few thousand names keep small."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.vocab: dict[str, int] = {}
        self.columns = {name: array("i") for name in _COLUMNS + _PART_COLUMNS}
        self.name_phon: set[str] = set()
        self.place_phon: set[str] = set()
        self.lead_codes: dict[str, list[int]] = {}

    def __len__(self) -> int:
        return len(self.ids)

    def code(self, text: str) -> int:
        if not text:
            return MISSING
        found = self.vocab.get(text)
        if found is None:
            found = self.vocab[text] = len(self.vocab)
        return found

    def add(self, r: Record) -> None:
        code, cols = self.code, self.columns
        self.ids.append(r.id)
        # exact codes live in their own namespace so that they never collide with phonetic ones
        cols["given_exact"].append(code("=" + r.given_exact) if r.given_exact else MISSING)
        cols["family_exact"].append(code("=" + r.family_exact) if r.family_exact else MISSING)
        cols["given_phon"].append(code(r.given_phon))
        cols["family_phon"].append(code(r.family_phon))
        if r.given_phon:
            self.name_phon.add(r.given_phon)
        if r.family_phon:
            self.name_phon.add(r.family_phon)
        cols["sex"].append(r.sex)
        cols["year"].append(r.year)
        cols["month"].append(r.month)
        cols["day"].append(r.day)
        cols["approximate"].append(r.approximate)
        self.place_phon.update(r.place)
        cols["place1"].append(code("@" + r.place[0]) if r.place else MISSING)
        cols["place2"].append(code("@" + r.place[1]) if len(r.place) > 1 else MISSING)
        cols["carer1"].append(code(r.caregiver[0]) if r.caregiver else MISSING)
        cols["carer2"].append(code(r.caregiver[1]) if len(r.caregiver) > 1 else MISSING)
        for name, parts, lead in (
            ("given", r.given_parts, r.given_lead),
            ("family", r.family_parts, r.family_lead),
        ):
            cols[name + "_part1"].append(code(parts[0]) if parts else MISSING)
            cols[name + "_part2"].append(code(parts[1]) if len(parts) > 1 else MISSING)
            found = self.lead_codes.get(lead)
            if found is None:
                found = self.lead_codes[lead] = [
                    code("^" + lead[:k]) if len(lead) >= k else MISSING for k in range(1, LEAD_LETTERS + 1)
                ]
            cols[name + "_lead"].extend(found)
            cols[name + "_lead_len"].append(len(lead))

    def build(self) -> Frame:
        code, vocab = self.code, self.vocab
        variant_code, variant_key = array("q"), array("q")
        for phon in self.name_phon:
            for variant in deletion_variants(phon):
                variant_code.append(vocab[phon])
                variant_key.append(code("~" + variant))
        place_variant_code, place_variant_key = array("q"), array("q")
        for phon in self.place_phon:
            for variant in deletion_variants(phon):
                place_variant_code.append(vocab["@" + phon])
                place_variant_key.append(code("~" + variant))
        arrays = {k: np.frombuffer(v, dtype=np.int32) for k, v in self.columns.items()}
        self.columns = {}
        parts = {k: arrays.pop(k) for k in _PART_COLUMNS}
        for name in ("given", "family"):
            parts[name + "_lead"] = parts[name + "_lead"].reshape(-1, LEAD_LETTERS)
        return Frame.from_codes(
            self.ids,
            variant_code=np.frombuffer(variant_code, dtype=np.int64),
            variant_key=np.frombuffer(variant_key, dtype=np.int64),
            place_variant_code=np.frombuffer(place_variant_code, dtype=np.int64),
            place_variant_key=np.frombuffer(place_variant_key, dtype=np.int64),
            name_parts=parts,
            **arrays,
        )
