"""The monitoring app's writes: the plan's reports."""

from kinga.monitoring.services.reports import (
    PERMISSION,
    build_report,
    record_download,
    record_file_export,
    request_report,
)

__all__ = ["PERMISSION", "build_report", "record_download", "record_file_export", "request_report"]
