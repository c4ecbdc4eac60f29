"""Kinga's record matcher: one pipeline for files and for the database.

    records (plaintext, in memory) ─┐
                                    ├─ Frame (integers only) → blocking → scoring → pairs → clusters
    blind-index profiles (database) ┘

See normalise.py (what is compared), blocking.py (which pairs), scoring.py (how they weigh),
pipeline.py (putting it together) and csvfile.py (the evaluation entry point).
"""

from .frame import Frame
from .normalise import Record, make_record
from .pipeline import REVIEW_THRESHOLD, Result, clusters, find_pairs

__all__ = ["REVIEW_THRESHOLD", "Frame", "Record", "Result", "clusters", "find_pairs", "make_record"]
