"""The plan's reports: requested, built in the background with progress, kept, downloaded (counts only)."""

import io
import re
import uuid
from unittest import mock

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

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
    cost = sheet_values(content, "Coût par résultat")
    assert (
        cost["Tout le plan"][0] == 0
    )  # no spending in the quarter: spending next to results (selectors_cost)
    budget = sheet_values(content, "Budget")
    assert isinstance(budget["Total"][0], int | float) and budget["Total"][0] > 0
    assert AuditEvent.objects.filter(
        target_type="monitoring.report", target_id=str(report.uuid), action="create"
    ).exists()


def test_the_progress_moves_through_every_step_and_ends_done(province, plan):
    seen = []
    real = reports.build

    def spy(period, fmt, *, territory, progress):
        def record(step):
            progress(step)
            seen.append(Report.objects.values_list("status", "progress", "step").get())

        return real(period, fmt, territory=territory, progress=record)

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


PAGE = "/suivi/rapports/"
API = "/api/v1/monitoring/reports/"


def test_the_page_requests_a_report_lists_it_and_downloads_it_as_an_export(province, plan):
    client = client_for(province.viewer)
    form = client.get(PAGE + "demander/")
    assert form.status_code == 200 and 'value="2026Q3"' in form.content.decode()
    answer = client.post(PAGE + "demander/", {"period": "2026Q3", "fmt": "xlsx", "language": "fr"})
    assert answer.status_code == 302 and answer["Location"] == PAGE
    report = Report.objects.get()
    html = client.get(PAGE).content.decode()
    assert "Trimestre 3 2026" in html and f"/suivi/rapports/{report.uuid}/telecharger/" in html
    assert 'hx-trigger="every 3s"' not in html  # nothing being built: no polling
    download = client.get(f"/suivi/rapports/{report.uuid}/telecharger/")
    assert download.status_code == 200 and download.content == bytes(report.content)
    assert "kinga-rapport-2026Q3-fr.xlsx" in download["Content-Disposition"]
    assert AuditEvent.objects.filter(action="export", target_type="monitoring.report").count() == 1


def test_the_list_polls_while_a_report_is_being_built(province):
    Report.objects.create(
        kind="quarterly",
        period="2026Q3",
        language="fr",
        format="pdf",
        status="running",
        progress=35,
        step="charts",
    )
    html = client_for(province.coordinator).get(PAGE).content.decode()
    assert 'hx-trigger="every 3s"' in html
    assert '<progress max="100" value="35"' in html and "indicateurs face aux cibles" in html


@pytest.mark.parametrize("who", ["caseworker", "focal_point"])
def test_the_pages_and_the_file_are_refused_to_roles_without_the_permission(province, who):
    report = Report.objects.create(
        kind="quarterly",
        period="2026Q3",
        language="fr",
        format="pdf",
        status="done",
        content=b"%PDF",
        finished_at=timezone.now(),
    )
    client = client_for(getattr(province, who))
    assert client.get(PAGE).status_code == 403
    assert client.get(PAGE + "demander/").status_code == 403
    assert client.get(f"{PAGE}{report.uuid}/telecharger/").status_code == 403
    assert client.get(API).status_code == 403
    assert client.get(f"{API}{report.uuid}/download/").status_code == 403


def test_an_unknown_report_is_a_404(province):
    client = client_for(province.coordinator)
    assert client.get(f"{PAGE}{uuid.uuid4()}/telecharger/").status_code == 404
    assert client.get(f"{API}{uuid.uuid4()}/").status_code == 404


def test_the_api_creates_follows_and_downloads_a_report(province, plan):
    client = client_for(province.coordinator)
    answer = client.post(
        API, {"period": "2026", "format": "xlsx", "language": "en"}, content_type="application/json"
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert (body["kind"], body["status"], body["progress"]) == ("annual", "done", 100)
    detail = client.get(f"{API}{body['uuid']}/").json()
    assert detail["download"].endswith(f"/api/v1/monitoring/reports/{body['uuid']}/download/")
    book = openpyxl.load_workbook(io.BytesIO(client.get(detail["download"]).content), read_only=True)
    assert book.sheetnames[0] == "Cover"
    bad = client.post(API, {"period": "2026T9", "format": "pdf"}, content_type="application/json")
    assert bad.status_code == 400 and set(bad.json()) == {"period"}
    assert "période" in bad.json()["period"][0].lower()


def test_the_command_builds_a_report_into_a_file(province, plan, tmp_path):
    out = io.StringIO()
    target = tmp_path / "rapport.xlsx"
    call_command("reports", "build", "--period", "2026Q3", "--format", "xlsx", "-o", str(target), stdout=out)
    assert sheet_values(target.read_bytes(), "Chiffres")["Alertes reçues"] == (3,)
    assert "Rapport Trimestre 3 2026" in out.getvalue()
    with pytest.raises(CommandError, match="trimestre"):
        call_command("reports", "build", "--period", "202601", "--format", "pdf", "-o", str(target))
