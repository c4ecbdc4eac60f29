"""The registry-wide duplicate search: profiles from the database → matcher → pairs (no write; the review
queue is filled by kinga.registry.services.fill_review_queue).

Only keyed integer codes leave the database; nothing is decrypted.
"""

from __future__ import annotations

import time

import numpy as np
from django.db import connection, transaction

from .matching import REVIEW_THRESHOLD, Frame, find_pairs
from .matching.pipeline import Result

_COLUMNS = [
    "child_id",
    "given_exact",
    "given_phon",
    "family_exact",
    "family_phon",
    "sex",
    "birth_year",
    "birth_month",
    "birth_day",
    "approximate",
    "place1",
    "place2",
    "carer1",
    "carer2",
]
_FETCH = 50_000


def load_frame() -> Frame:
    """Every active profile as integer columns (missing codes as -1), fetched in chunks."""
    select = ", ".join(
        f"COALESCE({c}, -1)"
        if c not in ("child_id", "approximate")
        else "CASE WHEN approximate THEN 1 ELSE 0 END"
        if c == "approximate"
        else c
        for c in _COLUMNS
    )
    chunks = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SELECT {select} FROM registry_matchprofile WHERE active ORDER BY child_id")  # noqa: S608
        while True:
            rows = cursor.fetchmany(_FETCH)
            if not rows:
                break
            chunks.append(np.array(rows, dtype=np.int64))
        cursor.execute(
            "SELECT code, variant FROM registry_namevariant WHERE code IN "
            "(SELECT given_phon FROM registry_matchprofile WHERE active AND given_phon IS NOT NULL "
            "UNION SELECT family_phon FROM registry_matchprofile WHERE active AND family_phon IS NOT NULL)"
        )
        variants = np.array(cursor.fetchall() or np.zeros((0, 2)), dtype=np.int64).reshape(-1, 2)
    data = np.concatenate(chunks) if chunks else np.zeros((0, len(_COLUMNS)), dtype=np.int64)
    col = {name: data[:, i] for i, name in enumerate(_COLUMNS)}
    return Frame.from_codes(
        col.pop("child_id"),
        given_exact=col["given_exact"],
        given_phon=col["given_phon"],
        family_exact=col["family_exact"],
        family_phon=col["family_phon"],
        sex=col["sex"],
        year=col["birth_year"],
        month=col["birth_month"],
        day=col["birth_day"],
        approximate=col["approximate"].astype(bool),
        place1=col["place1"],
        place2=col["place2"],
        carer1=col["carer1"],
        carer2=col["carer2"],
        variant_code=variants[:, 0],
        variant_key=variants[:, 1],
    )


def find_duplicates_in_database(*, threshold: float = REVIEW_THRESHOLD) -> tuple[Frame, Result, dict]:
    """The search alone (no write): the frame, the pairs at or above threshold, and timings."""
    t0 = time.perf_counter()
    frame = load_frame()
    t1 = time.perf_counter()
    result = find_pairs(frame, threshold=threshold)
    t2 = time.perf_counter()
    frame.ids = frame.ids.astype(np.int64)
    return frame, result, {"load_seconds": t1 - t0, "match_seconds": t2 - t1}
