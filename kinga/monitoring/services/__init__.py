"""The monitoring app's writes: the plan's reports."""

from kinga.monitoring.services.reports import (
    PERMISSION,
    PRUNE_PERMISSION,
    build_report,
    kept_when_pruning,
    prune_reports,
    record_download,
    record_file_export,
    request_report,
)

__all__ = [
    "PERMISSION",
    "PRUNE_PERMISSION",
    "build_report",
    "kept_when_pruning",
    "prune_reports",
    "record_download",
    "record_file_export",
    "request_report",
]
