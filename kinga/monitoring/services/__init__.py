"""The monitoring app's writes: the plan's reports."""

from kinga.monitoring.services.reports import build_report, record_download, request_report

__all__ = ["build_report", "record_download", "request_report"]
