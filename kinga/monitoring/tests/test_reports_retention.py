"""A report of one territory (the dashboard's territory filter), and the retention rule: old reports deleted on
the command line or by the administrator on the reports page, the newest of each period always kept (audited)."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from kinga.core.models import AuditEvent
from kinga.core.testing import actor_of, client_for
from kinga.monitoring import services
from kinga.monitoring.models import Report, ReportStatus

from .test_reports import sheet_values

PAGE = "/suivi/rapports/"


def test_a_territorys_report_counts_that_territory_only(province, plan):
    report = services.request_report(
        actor=actor_of(province.coordinator), period="2026Q3", fmt="xlsx", territory="CD7201"
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE and report.territory == province.kolwezi
    content = bytes(report.content)
    assert sheet_values(content, "Couverture")["Zone"] == (province.kolwezi.name,)
    figures = sheet_values(content, "Chiffres")
    assert figures["Enfants identifiés"] == (4,)  # the province counts 5: one in Lubudi
    assert figures["Alertes reçues"] == (2,)  # the province counts 3
    assert report.filename == "kinga-rapport-2026Q3-CD7201-fr.xlsx"
    with pytest.raises(ValidationError) as info:
        services.request_report(
            actor=actor_of(province.coordinator), period="2026Q3", fmt="pdf", territory="XX9"
        )
    assert list(info.value.message_dict) == ["territory"]


def test_the_page_and_the_api_ask_for_a_territory(province, plan):
    client = client_for(province.viewer)
    form = client.get(PAGE + "demander/").content.decode()
    assert '<option value="" selected>Toute la province</option>' in form
    assert f'<option value="CD7201">{province.kolwezi.name}</option>' in form
    answer = client.post(
        PAGE + "demander/", {"period": "2026Q3", "fmt": "xlsx", "language": "fr", "territory": "CD7203"}
    )
    assert answer.status_code == 302
    assert Report.objects.get().territory == province.lubudi
    assert f'data-territory="CD7203">{province.lubudi.name}</small>' in client.get(PAGE).content.decode()
    api = client.post(
        "/api/v1/monitoring/reports/",
        {"period": "2026", "format": "xlsx", "territory": "CD7201"},
        content_type="application/json",
    )
    assert api.status_code == 201 and api.json()["territory"] == "CD7201"
    refused = client.post(
        "/api/v1/monitoring/reports/",
        {"period": "2026", "format": "xlsx", "territory": "XX9"},
        content_type="application/json",
    )
    assert refused.status_code == 400 and list(refused.json()) == ["territory"]


def _report(period: str, days_ago: int, *, status=ReportStatus.DONE, territory=None) -> Report:
    done = status == ReportStatus.DONE
    report = Report.objects.create(
        kind="annual" if len(period) == 4 else "quarterly",
        period=period,
        territory=territory,
        language="fr",
        format="pdf",
        status=status,
        content=b"%PDF" if done else None,
        finished_at=timezone.now() if done else None,
        error="" if status != ReportStatus.FAILED else "échec",
    )
    Report.objects.filter(pk=report.pk).update(created_at=timezone.now() - datetime.timedelta(days=days_ago))
    return report


@pytest.fixture
def old_reports(province):
    return {
        "q1_old": _report("2026Q1", 400),
        "q1_newest": _report("2026Q1", 300),  # old, but the newest of its period: kept
        "q1_kolwezi": _report("2026Q1", 350, territory=province.kolwezi),  # the newest of Kolwezi's: kept
        "q2_done": _report("2026Q2", 200),  # the newest done one of 2026Q2: kept
        "q2_failed": _report("2026Q2", 190, status=ReportStatus.FAILED),  # the newest of 2026Q2: kept
        "q2_failed_old": _report("2026Q2", 250, status=ReportStatus.FAILED),
        "queued": _report("2025", 500, status=ReportStatus.QUEUED),  # being built: kept
        "year_old": _report("2025", 600),  # the newest done one of 2025 (a newer one is being built): kept
        "year_older": _report("2025", 700),
        "recent": _report("2026Q3", 3),
        "recent_newer": _report("2026Q3", 1),
    }


def test_pruning_keeps_the_newest_report_of_each_period_and_audits_each_deletion(province, old_reports):
    deleted = services.prune_reports(actor=actor_of(province.admin), older_than_days=180)
    gone = {"q1_old", "q2_failed_old", "year_older"}
    assert deleted == len(gone)
    left = set(Report.objects.values_list("uuid", flat=True))
    assert left == {r.uuid for key, r in old_reports.items() if key not in gone}
    audited = AuditEvent.objects.filter(action="delete", target_type="monitoring.report")
    assert set(audited.values_list("target_id", flat=True)) == {str(old_reports[k].uuid) for k in gone}
    assert (
        services.prune_reports(actor=actor_of(province.admin), older_than_days=1) == 1
    )  # recent's older one
    with pytest.raises(ValidationError):
        services.prune_reports(actor=actor_of(province.admin), older_than_days=0)
    with pytest.raises(PermissionDenied):
        services.prune_reports(actor=actor_of(province.coordinator), older_than_days=30)


def test_the_command_prunes(province, old_reports):
    out = io.StringIO()
    call_command("reports", "prune", "--older-than", "180", stdout=out)
    assert out.getvalue().startswith("3 rapports supprimés")
    assert Report.objects.count() == len(old_reports) - 3
    with pytest.raises(CommandError, match="jours"):
        call_command("reports", "prune", "--older-than", "0")


def test_the_administrator_prunes_from_the_reports_page_and_no_one_else(province, old_reports):
    admin = client_for(province.admin)
    assert 'href="/suivi/rapports/nettoyer/"' in admin.get(PAGE).content.decode()
    assert (
        'href="/suivi/rapports/nettoyer/"' not in client_for(province.coordinator).get(PAGE).content.decode()
    )
    assert client_for(province.coordinator).post(PAGE + "nettoyer/", {"older_than": 180}).status_code == 403
    assert Report.objects.count() == len(old_reports)
    form = admin.get(PAGE + "nettoyer/")
    assert form.status_code == 200 and "le plus récent de chaque période" in form.content.decode()
    refused = admin.post(PAGE + "nettoyer/", {"older_than": 0})
    assert refused.status_code == 400
    answer = admin.post(PAGE + "nettoyer/", {"older_than": 180}, follow=True)
    assert "3 rapports supprimés." in answer.content.decode()
    assert Report.objects.count() == len(old_reports) - 3
