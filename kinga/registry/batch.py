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
    """Every active profile as integer columns (missing codes as -1)."""
    # every column a bigint (CAST: PostgreSQL's binary COPY then has one row layout; SQLite reads it too)
    select = ", ".join(
        f"CAST(COALESCE({c}, -1) AS bigint)"
        if c not in ("child_id", "approximate")
        else "CAST(CASE WHEN approximate THEN 1 ELSE 0 END AS bigint)"
        if c == "approximate"
        else f"CAST({c} AS bigint)"
        for c in PROFILE_COLUMNS
    )
    query = f"SELECT {select} FROM registry_matchprofile WHERE active ORDER BY child_id"  # noqa: S608
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            data = _copy_binary(cursor, query, len(PROFILE_COLUMNS))
        else:
            data = _fetch_rows(cursor, query, len(PROFILE_COLUMNS))
        cursor.execute(
            "SELECT code, variant FROM registry_namevariant WHERE code IN "
            "(SELECT given_phon FROM registry_matchprofile WHERE active AND given_phon IS NOT NULL "
            "UNION SELECT family_phon FROM registry_matchprofile WHERE active AND family_phon IS NOT NULL)"
        )
        variants = np.array(cursor.fetchall() or np.zeros((0, 2)), dtype=np.int64).reshape(-1, 2)
    return frame_of_columns({name: data[i] for i, name in enumerate(PROFILE_COLUMNS)}, variants)


def _fetch_rows(cursor, query: str, width: int) -> list[np.ndarray]:
    chunks = []
    cursor.execute(query)
    while rows := cursor.fetchmany(_FETCH):
        chunks.append(np.array(rows, dtype=np.int64))
    data = np.concatenate(chunks) if chunks else np.zeros((0, width), dtype=np.int64)
    return [data[:, i] for i in range(width)]


_COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"


def _copy_binary(cursor, query: str, width: int) -> list[np.ndarray]:
    """The rows through COPY in PostgreSQL's binary format, read by NumPy: every value is a non-null bigint, so
    every row has the same layout (a field count, then a length and eight bytes per field). Fetched as Python
    tuples, a million profiles of 32 columns took 24 s; the bytes are parsed in one pass."""
    raw = bytearray()
    with cursor.cursor.copy(f"COPY ({query}) TO STDOUT (FORMAT binary)") as copy:
        for block in copy:
            raw += block
    if not raw.startswith(_COPY_SIGNATURE):
        raise ValueError("unexpected COPY header")
    start = (
        len(_COPY_SIGNATURE) + 8 + int.from_bytes(raw[len(_COPY_SIGNATURE) + 4 : len(_COPY_SIGNATURE) + 8])
    )
    row = np.dtype(
        [
            ("fields", ">i2"),
            *((name, t) for i in range(width) for name, t in ((f"len{i}", ">i4"), (f"v{i}", ">i8"))),
        ]
    )
    count = (len(raw) - start - 2) // row.itemsize  # the trailer: a field count of -1
    rows = np.frombuffer(raw, dtype=row, count=count, offset=start)
    if count and not (
        (rows["fields"] == width).all() and all((rows[f"len{i}"] == 8).all() for i in range(width))
    ):
        raise ValueError("unexpected COPY row layout")
    out = [rows[f"v{i}"].astype(np.int64) for i in range(width)]
    del rows, raw
    return out


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
