"""The matcher's columnar frame: every record as small integers, whatever its source.

A frame is built either from plaintext records (files, the record being registered) or from the
registry's blind-index profiles (keyed 63-bit hashes read from the database). Both paths end in
`Frame.from_codes`, which factorises the codes into dense ids; the rest of the pipeline (blocking,
scoring, clustering) sees only integers, so it is the same for files and for the database and never
handles a name in clear.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .normalise import Record, deletion_variants

MISSING = -1


def _factorise(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Dense ids shared by several columns of codes (MISSING stays -1), and the code of each id."""
    stacked = np.concatenate([np.asarray(c, dtype=np.int64) for c in columns])
    present = stacked != MISSING
    values, inverse = np.unique(stacked[present], return_inverse=True)
    dense = np.full(stacked.shape, -1, dtype=np.int32)
    dense[present] = inverse.astype(np.int32)
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

    def __len__(self) -> int:
        return len(self.ids)

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
    ) -> Frame:
        """Build from int64 codes (hashes or ids; -1 for missing) and the (code, deletion variant) table."""
        (ge, fe), _ = _factorise(given_exact, family_exact)
        (gp, fp, c1, c2, vc), _phon_values = _factorise(given_phon, family_phon, carer1, carer2, variant_code)
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
        )

    @classmethod
    def from_records(cls, records: Iterable[Record]) -> Frame:
        """The file path: plaintext codes become ids through in-memory dictionaries (never written)."""
        vocab: dict[str, int] = {}

        def code(text: str) -> int:
            if not text:
                return MISSING
            found = vocab.get(text)
            if found is None:
                found = vocab[text] = len(vocab)
            return found

        cols: dict[str, list] = {
            k: []
            for k in [
                "ids",
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
            ]
        }
        name_phon: set[str] = set()
        place_phon: set[str] = set()
        for r in records:
            cols["ids"].append(r.id)
            # exact codes live in their own namespace so that they never collide with phonetic ones
            cols["given_exact"].append(code("=" + r.given_exact) if r.given_exact else MISSING)
            cols["family_exact"].append(code("=" + r.family_exact) if r.family_exact else MISSING)
            cols["given_phon"].append(code(r.given_phon))
            cols["family_phon"].append(code(r.family_phon))
            name_phon.update(c for c in (r.given_phon, r.family_phon) if c)
            cols["sex"].append(r.sex)
            cols["year"].append(r.year)
            cols["month"].append(r.month)
            cols["day"].append(r.day)
            cols["approximate"].append(r.approximate)
            place_phon.update(r.place)
            cols["place1"].append(code("@" + r.place[0]) if r.place else MISSING)
            cols["place2"].append(code("@" + r.place[1]) if len(r.place) > 1 else MISSING)
            cols["carer1"].append(code(r.caregiver[0]) if r.caregiver else MISSING)
            cols["carer2"].append(code(r.caregiver[1]) if len(r.caregiver) > 1 else MISSING)
        variant_code, variant_key = [], []
        for phon in name_phon:
            for variant in deletion_variants(phon):
                variant_code.append(vocab[phon])
                variant_key.append(code("~" + variant))
        place_variant_code, place_variant_key = [], []
        for phon in place_phon:
            for variant in deletion_variants(phon):
                place_variant_code.append(vocab["@" + phon])
                place_variant_key.append(code("~" + variant))
        ids = cols.pop("ids")
        arrays = {k: np.asarray(v, dtype=np.int64) for k, v in cols.items()}
        return cls.from_codes(
            ids,
            variant_code=np.asarray(variant_code, dtype=np.int64),
            variant_key=np.asarray(variant_key, dtype=np.int64),
            place_variant_code=np.asarray(place_variant_code, dtype=np.int64),
            place_variant_key=np.asarray(place_variant_key, dtype=np.int64),
            **arrays,
        )
