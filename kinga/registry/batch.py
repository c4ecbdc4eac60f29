"""The registry-wide duplicate search: profiles from the database → matcher → pairs (no write; the review
queue is filled by kinga.registry.services.fill_review_queue).

Only keyed integer codes leave the database; nothing is decrypted.
"""

from __future__ import annotations

import time

import numpy as np
from django.db import connection, transaction

from .matching import REVIEW_THRESHOLD, Frame, find_pairs
from .matching.learn import Learnt
from .matching.pipeline import Result
from .models import LearntParameters
from .profiles import PROFILE_COLUMNS, frame_of_columns

_FETCH = 50_000


def load_frame() -> Frame:
    """Every active profile as integer columns (missing codes as -1), fetched in chunks."""
    select = ", ".join(
        f"COALESCE({c}, -1)"
        if c not in ("child_id", "approximate")
        else "CASE WHEN approximate THEN 1 ELSE 0 END"
        if c == "approximate"
        else c
        for c in PROFILE_COLUMNS
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
    data = np.concatenate(chunks) if chunks else np.zeros((0, len(PROFILE_COLUMNS)), dtype=np.int64)
    return frame_of_columns({name: data[:, i] for i, name in enumerate(PROFILE_COLUMNS)}, variants)


def find_duplicates_in_database(*, threshold: float = REVIEW_THRESHOLD) -> tuple[Frame, Result, dict]:
    """The search alone (no write): the frame, the pairs at or above threshold, and timings."""
    t0 = time.perf_counter()
    frame = load_frame()
    t1 = time.perf_counter()
    result = find_pairs(frame, threshold=threshold, learnt=current_learnt() or False)
    t2 = time.perf_counter()
    frame.ids = frame.ids.astype(np.int64)
    return frame, result, {"load_seconds": t1 - t0, "match_seconds": t2 - t1}


def current_learnt() -> Learnt | None:
    """What the registry learnt last (`kinga registry learn`), or None: today's constants then."""
    row = LearntParameters.objects.order_by("-learnt_at", "-pk").first()
    return Learnt.from_json(row.parameters) if row else None
