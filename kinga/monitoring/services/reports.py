"""Request a report of the plan, and build it (the background task calls build_report)."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from kinga.core import access, audit, clock, periods, tasks
from kinga.core.access import Actor
from kinga.monitoring import reports
from kinga.monitoring.models import Report, ReportFormat, ReportKind, ReportLanguage, ReportStatus

PERMISSION = "monitoring.build_reports"
logger = logging.getLogger(__name__)


@transaction.atomic
def request_report(*, actor: Actor, period: str, fmt: str, language: str = "fr") -> Report:
    """A report queued for the period (2026Q3 or 2026), in PDF or XLSX, French or English; its build is a task.

    With the database task backend the task row is written in this transaction: a worker sees it only once the
    report exists. With the immediate backend (development, tests) the report is built before this returns."""
    access.require(actor, PERMISSION)
    errors: dict[str, list[str]] = {}
    parsed = None
    try:
        parsed = reports.parse_period(period)
    except ValidationError as error:
        errors["period"] = error.messages
    if fmt not in ReportFormat.values:
        errors["fmt"] = [_("Choose PDF or XLSX.")]
    if language not in ReportLanguage.values:
        errors["language"] = [_("Choose French or English.")]
    if errors:
        raise ValidationError(errors)
    report = Report.objects.create(
        kind=ReportKind.QUARTERLY if parsed.kind == periods.QUARTER else ReportKind.ANNUAL,
        period=parsed.iso,
        format=fmt,
        language=language,
        requested_by=actor.user,
    )
    audit.record_create(actor=actor, obj=report)
    from kinga.monitoring.tasks import build_report_task  # noqa: PLC0415  (tasks import this module)

    tasks.enqueue(build_report_task, report_id=report.pk)
    return report


def _progress(report: Report):
    def step(name: str) -> None:
        report.progress, report.step = reports.STEPS[name][0], name
        Report.objects.filter(pk=report.pk).update(progress=report.progress, step=name)

    return step


def build_report(*, report_id: int) -> Report:
    """Build a queued report's file and keep it; on any error, the report is marked failed with a reason in
    French (the error itself goes to the server's log) and keeps no file."""
    report = Report.objects.get(pk=report_id)
    if report.status not in (ReportStatus.QUEUED, ReportStatus.RUNNING):
        return report
    report.status, report.progress, report.step = ReportStatus.RUNNING, 1, "start"
    report.save(update_fields=["status", "progress", "step"])
    try:
        with translation.override(report.language):
            content = reports.build(
                reports.parse_period(report.period), report.format, progress=_progress(report)
            )
    except Exception:  # any failure ends the report, whatever its cause
        logger.exception("report %s failed at step %s", report.uuid, report.step)
        with translation.override("fr"):
            report.error = _(
                "The report could not be built (step: %(step)s). The error is in the server's log; "
                "request the report again, or tell the administrator if it fails again."
            ) % {"step": reports.step_label(reports.next_step(report.step))}
        report.status, report.finished_at = ReportStatus.FAILED, clock.now()
        report.save(update_fields=["status", "error", "finished_at"])
        return report
    report.content, report.size = content, len(content)
    report.status, report.progress, report.step, report.finished_at = ReportStatus.DONE, 100, "", clock.now()
    report.save(update_fields=["content", "size", "status", "progress", "step", "finished_at"])
    return report


def record_download(*, actor: Actor, report: Report) -> None:
    """A download is an export: in the audit log, with the period and the format."""
    audit.record_export(
        actor=actor,
        what="monitoring.report",
        rows=1,
        filters={"report": str(report.uuid), "period": report.period, "format": report.format},
    )


def record_file_export(*, actor: Actor, period: str, fmt: str, size: int) -> None:
    """A report built on the command line and written to a file: an export too."""
    audit.record_export(
        actor=actor,
        what="monitoring.report",
        rows=1,
        filters={"period": period, "format": fmt, "size": size, "command_line": True},
    )
