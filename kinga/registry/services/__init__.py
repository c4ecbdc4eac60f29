"""The writes of the registry: the review queue's intake (review_queue.py) and the reviewers' decisions on a
pair — dismiss, merge, unmerge (merges.py); what the matcher learns from the registry (learning.py)."""

from .learning import learn_parameters
from .merges import (
    LINKS_KEY,
    MERGE_FIELDS,
    confirm_pair,
    default_choices,
    dismiss_pair,
    field_display,
    field_label,
    unmerge,
)
from .review_queue import fill_review_queue, record_registration_matches, request_same_child

__all__ = [
    "LINKS_KEY",
    "MERGE_FIELDS",
    "confirm_pair",
    "default_choices",
    "dismiss_pair",
    "field_display",
    "field_label",
    "fill_review_queue",
    "learn_parameters",
    "record_registration_matches",
    "request_same_child",
    "unmerge",
]
