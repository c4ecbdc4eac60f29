"""The plan's reports: requested, built in the background with progress, kept, downloaded (counts only)."""

import io
import re
from unittest import mock

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from kinga.core.models import AuditEvent
from kinga.core.testing import actor_of, client_for
from kinga.monitoring import reports, services
from kinga.monitoring.models import Report, ReportStatus


def sheet_values(content: bytes, name: str) -> dict:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return {row[0]: row[1:] for row in book[name].iter_rows(values_only=True) if row and row[0] is not None}


def test_a_quarterly_xlsx_report_holds_the_periods_figures_as_numbers(province, plan):
    report = services.request_report(
        actor=actor_of(province.coordinator), period="2026Q3", fmt="xlsx", language="fr"
    )
    report.refresh_from_db()
    assert (
        report.status == ReportStatus.DONE and report.progress == 100 and report.size == len(report.content)
    )
    assert report.kind == "quarterly"
    content = bytes(report.content)
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    assert book.sheetnames == [
        "Couverture",
        "Chiffres",
        "Indicateurs",
        "Cohortes",
        "Rechutes",
        "Budget",
        "4W",
        "Coût par résultat",
    ]
    figures = sheet_values(content, "Chiffres")
    assert figures["Enfants identifiés"] == (5,)
    assert figures["Enfants sortis des mines (sortie réussie)"] == (2,)
    assert figures["Alertes reçues"] == (3,)
    cover = sheet_values(content, "Couverture")
    assert cover["Période"] == ("Trimestre 3 2026 (à ce jour)",)  # today is 2026-08-15
    budget = sheet_values(content, "Budget")
    assert isinstance(budget["Total"][0], int | float) and budget["Total"][0] > 0
    assert AuditEvent.objects.filter(
        target_type="monitoring.report", target_id=str(report.uuid), action="create"
    ).exists()


def test_the_progress_moves_through_every_step_and_ends_done(province, plan):
    seen = []
    real = reports.build

    def spy(period, fmt, *, progress):
        def record(step):
            progress(step)
            seen.append(Report.objects.values_list("status", "progress", "step").get())

        return real(period, fmt, progress=record)

    with mock.patch.object(reports, "build", spy):
        report = services.request_report(
            actor=actor_of(province.viewer), period="2026", fmt="xlsx", language="fr"
        )
    assert [s[2] for s in seen] == [
        "figures",
        "charts",
        "indicators",
        "cohorts",
        "budget",
        "fourw",
        "cost",
        "file",
    ]
    assert all(status == "running" for status, _p, _s in seen)
    assert [p for _s, p, _t in seen] == sorted(p for _s, p, _t in seen)
    report.refresh_from_db()
    assert (report.status, report.progress, report.kind) == ("done", 100, "annual")


def test_a_failure_ends_failed_with_a_french_reason_and_no_file(province, plan, client):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    with mock.patch.object(reports.selectors_nonreturn, "non_return", broken):
        report = services.request_report(
            actor=actor_of(province.coordinator), period="2026Q3", fmt="pdf", language="en"
        )
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED and report.content is None
    assert "cohortes de non-retour" in report.error and "boom" not in report.error
    response = client_for(province.coordinator).get(f"/suivi/rapports/{report.uuid}/telecharger/")
    assert response.status_code == 404


def test_a_period_a_report_cannot_cover_is_refused_on_the_field(province):
    with pytest.raises(ValidationError) as error:
        services.request_report(actor=actor_of(province.coordinator), period="202601", fmt="pdf")
    assert "trimestre" in error.value.message_dict["period"][0]
    with pytest.raises(ValidationError) as error:
        services.request_report(actor=actor_of(province.coordinator), period="2026Q9", fmt="doc")
    assert set(error.value.message_dict) == {"period", "fmt"}
    assert not Report.objects.exists()


@pytest.mark.parametrize("who", ["caseworker", "focal_point", "manager"])
def test_roles_without_the_permission_cannot_request_a_report(province, who):
    with pytest.raises(PermissionDenied):
        services.request_report(actor=actor_of(getattr(province, who)), period="2026Q3", fmt="pdf")


def test_the_french_pdf_has_the_figures_and_no_english_code_or_word(province, plan):
    with translation.override("fr"):
        data = reports.gather(reports.parse_period("2026Q3"))
        html = reports.to_html(data)
    assert re.search(r'data-figure="children_identified">5<', html)
    assert re.search(r'data-figure="alerts_received">3<', html)
    assert "Trimestre 3 2026" in html and "Non-retour : cohortes par trimestre de sortie" in html
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<(style|svg)\b.*?</\1>", " ", html, flags=re.S))
    assert not re.findall(r"\b[A-Z]+_[A-Z_]+\b", text)
    for word in (" the ", "Children", "Budget by", " target", "Relapses", "Total spent", "not computed"):
        assert word not in text, word
    with translation.override("fr"):
        pdf = reports.to_pdf(data)
    assert pdf.startswith(b"%PDF")


def test_the_english_report_is_in_english(province, plan):
    with translation.override("en"):
        html = reports.to_html(reports.gather(reports.parse_period("2026Q3")))
    assert "Children identified" in html and "Enfants identifiés" not in html
