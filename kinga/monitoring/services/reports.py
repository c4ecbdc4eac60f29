"""Request a report of the plan, and build it (the background task calls build_report)."""

from __future__ import annotations

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from kinga.core import access, audit, clock, periods, tasks
from kinga.core.access import Actor
from kinga.monitoring import reports, selectors
from kinga.monitoring.models import Report, ReportFormat, ReportKind, ReportLanguage, ReportStatus

PERMISSION = "monitoring.build_reports"
PRUNE_PERMISSION = "monitoring.prune_reports"
logger = logging.getLogger(__name__)


@transaction.atomic
def request_report(
    *, actor: Actor, period: str, fmt: str, language: str = "fr", territory: str = ""
) -> Report:
    """A report queued for the period (2026Q3 or 2026), in PDF or XLSX, French or English, of one territory (its
    ADM2 p-code; empty: the whole province); its build is a task.

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
    place = None
    try:
        place = selectors.territory_by_pcode(actor, territory)
    except ValidationError as error:
        errors["territory"] = error.messages
    if errors:
        raise ValidationError(errors)
    report = Report.objects.create(
        kind=ReportKind.QUARTERLY if parsed.kind == periods.QUARTER else ReportKind.ANNUAL,
        period=parsed.iso,
        territory=place,
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
    report = Report.objects.select_related("territory").get(pk=report_id)
    if report.status not in (ReportStatus.QUEUED, ReportStatus.RUNNING):
        return report
    report.status, report.progress, report.step = ReportStatus.RUNNING, 1, "start"
    report.save(update_fields=["status", "progress", "step"])
    try:
        with translation.override(report.language):
            content = reports.build(
                reports.parse_period(report.period),
                report.format,
                territory=report.territory,
                progress=_progress(report),
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


def kept_when_pruning() -> set[int]:
    """The reports a pruning never deletes: the newest report of each period (and territory), the newest done
    one too when a later request failed, and every report still being built."""
    kept: set[int] = set()
    seen_any: set[tuple] = set()
    seen_done: set[tuple] = set()
    rows = Report.objects.order_by("-created_at", "-id").values_list("id", "period", "territory_id", "status")
    for pk, period, territory_id, status in rows:
        key = (period, territory_id)
        if key not in seen_any:
            seen_any.add(key)
            kept.add(pk)
        if status == ReportStatus.DONE and key not in seen_done:
            seen_done.add(key)
            kept.add(pk)
        if status in (ReportStatus.QUEUED, ReportStatus.RUNNING):
            kept.add(pk)
    return kept


@transaction.atomic
def prune_reports(*, actor: Actor, older_than_days: int) -> int:
    """Deletes the reports requested more than `older_than_days` days ago, except those `kept_when_pruning`
    keeps; each deletion is in the audit log. Returns how many were deleted."""
    access.require(actor, PRUNE_PERMISSION)
    if older_than_days < 1:
        raise ValidationError({"older_than": [_("Give a number of days, 1 or more.")]})
    cutoff = clock.now() - datetime.timedelta(days=older_than_days)
    old = (
        Report.objects.filter(created_at__lt=cutoff)
        .exclude(pk__in=kept_when_pruning())
        .defer("content")
        .select_for_update()
    )
    deleted = 0
    for report in old:
        audit.record_delete(actor=actor, obj=report, note=f"older_than_days={older_than_days}")
        report.delete()
        deleted += 1
    return deleted
