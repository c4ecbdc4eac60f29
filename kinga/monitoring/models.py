"""The plan's reports (issue 20, item 6): a quarterly or annual report, built in the background, kept, downloadable.

The file is kept in the database (`content`, a BinaryField), not under MEDIA_ROOT: a report is a few hundred
kilobytes, it is private (no web server may ever serve it from a public path: only the download view, which checks
the permission and writes the export to the audit log, hands it out), it goes into the same backups as its audit
trail, and it is written in the same UPDATE that marks the report done, so a half-written file is never offered.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    QUARTERLY = "quarterly", _("quarterly")
    ANNUAL = "annual", _("annual")


class ReportFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "XLSX"


class ReportLanguage(models.TextChoices):
    FR = "fr", _("French")
    EN = "en", _("English")


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("waiting")
    RUNNING = "running", _("being built")
    DONE = "done", _("ready")
    FAILED = "failed", _("failed")


class Report(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=ReportKind.choices)
    period = models.CharField(_("period"), max_length=8)  # kinga.core.periods ISO: 2026Q3, 2026
    territory = models.ForeignKey(  # a territory's report; null: the whole province
        "core.Place",
        verbose_name=_("territory"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    language = models.CharField(_("language"), max_length=2, choices=ReportLanguage.choices)
    format = models.CharField(_("format"), max_length=4, choices=ReportFormat.choices)
    status = models.CharField(
        _("status"), max_length=8, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    step = models.CharField(_("step"), max_length=40, blank=True)  # a step code, translated at display
    content = models.BinaryField(_("file"), null=True, blank=True, editable=False)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    error = models.TextField(_("reason of the failure"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="monitoring_report_progress"),
            models.CheckConstraint(
                condition=Q(kind="quarterly", period__regex=r"^[0-9]{4}Q[1-4]$")
                | Q(kind="annual", period__regex=r"^[0-9]{4}$"),
                name="monitoring_report_period_of_kind",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ReportKind.values)
                & Q(language__in=ReportLanguage.values)
                & Q(format__in=ReportFormat.values)
                & Q(status__in=ReportStatus.values),
                name="monitoring_report_choices",
            ),
            # A file only when done, and a done report has one; a failure says why.
            models.CheckConstraint(
                condition=(Q(status="done") & Q(content__isnull=False) & Q(finished_at__isnull=False))
                | (~Q(status="done") & Q(content__isnull=True)),
                name="monitoring_report_file_when_done",
            ),
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(error=""), name="monitoring_report_failure_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.format}"

    @property
    def filename(self) -> str:
        area = f"-{self.territory.pcode}" if self.territory_id else ""
        return f"kinga-rapport-{self.period}{area}-{self.language}.{self.format}"
