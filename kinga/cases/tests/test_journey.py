"""The acceptance journey, through the screens, exactly as issue 4 describes it."""

import datetime

import pytest

from kinga.cases.models import Case, CaseStatus, Service
from kinga.core.models import AuditEvent
from kinga.core.testing import assert_not_stored_in_clear, client_for

pytestmark = pytest.mark.django_db
D = datetime.date


def _post(client, url, data, expect=302):
    response = client.post(url, data)
    assert response.status_code == expect, response.content.decode()[:3000]
    return response


def test_site_to_lasting_exit_then_relapse(team, today):
    today.set(D(2026, 3, 2))
    worker, supervisor, provider = (
        client_for(team.worker),
        client_for(team.supervisor),
        client_for(team.provider),
    )
    crs = Service.objects.create(
        name="CRS Kasulo", service_type="crs", organisation=team.provider_org, place=team.kolwezi, capacity=40
    )

    # 1. Registered after a site inspection.
    response = _post(
        worker,
        "/cases/register/",
        {
            "given_name": "Trésor",
            "family_name": "Ilunga",
            "sex": "M",
            "date_of_birth": "2013-05-04",
            "disability": "none",
            "school_status": "dropped_out",
            "caregiver_name": "Mama Ngalula",
            "caregiver_phone": "+243990000001",
            "identification_method": "site_inspection",
            "identification_date": "2026-03-01",
            "identification_site": team.site.pk,
            "work_activities": ["digging", "washing"],
            "hazards": ["pits"],
            "hours_per_week": "30",
        },
    )
    case = Case.objects.get()
    assert response["Location"] == f"/cases/{case.uuid}/"
    assert case.number == "LUA-KZI-2026-000001" and case.status == CaseStatus.REGISTERED
    page = worker.get(f"/cases/{case.uuid}/")
    assert page.status_code == 200 and "Trésor" in page.content.decode()
    assert AuditEvent.objects.filter(action="read", target_id=str(case.uuid)).exists()

    # 2. Consent of the caregiver (sharing with the CRS) and assent of the child.
    base = f"/cases/{case.uuid}"
    _post(
        worker,
        f"{base}/consent/",
        {
            "kind": "caregiver",
            "given_by": "Mama Ngalula",
            "relationship": "mère",
            "date": "2026-03-02",
            "for_services": "on",
            "for_data_sharing": "on",
            "share_with": [team.provider_org.pk],
        },
    )
    _post(
        worker,
        f"{base}/consent/",
        {"kind": "child", "given_by": "Trésor", "date": "2026-03-02", "for_data_sharing": "on"},
    )

    # 3. Assessment: 13/18 → high risk.
    _post(
        worker,
        f"{base}/assess/",
        {
            "date": "2026-03-02",
            "safety": 3,
            "health": 2,
            "education": 3,
            "family_care": 2,
            "household_economy": 2,
            "psychosocial": 1,
        },
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSED and case.risk == "high"

    # 4. Care plan, approved by the supervisor.
    today.set(D(2026, 3, 3))
    _post(
        worker,
        f"{base}/plan/",
        {
            "need": "Retour à l'école",
            "goal": "Inscrit au CRS",
            "planned_support": "Kit et frais",
            "service_type": "crs",
            "responsible_organisation": team.provider_org.pk,
            "due_date": "2026-04-01",
        },
    )
    _post(worker, f"{base}/plan/soumettre/", {})
    assert (
        worker.post(f"{base}/plan/decide/", {"date": "2026-03-03", "decision": "approve"}).status_code == 403
    )
    _post(supervisor, f"{base}/plan/decide/", {"date": "2026-03-03", "decision": "approve"})
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_IMPLEMENTATION

    # 5. Referral to the CRS, which accepts and reports the service.
    _post(
        worker,
        f"{base}/refer/",
        {"service": crs.pk, "reason": "Motif confidentiel Kasulo", "date": "2026-03-03"},
    )
    referral = case.referrals.get()
    inbox = provider.get("/cases/referrals/in/")
    assert case.number in inbox.content.decode()
    _post(provider, f"/cases/referrals/in/{referral.uuid}/", {"date": "2026-03-03", "decision": "accept"})
    _post(
        provider,
        f"/cases/referrals/in/{referral.uuid}/",
        {"date": "2026-03-03", "decision": "delivered", "reason": "Inscrit en 1re année CRS"},
    )
    referral.refresh_from_db()
    assert referral.status == "completed"
    assert provider.get(f"/cases/{case.uuid}/").status_code == 404  # the provider never opens the case file

    # 6. Two follow-ups three calendar months apart: out of the mines, attending the CRS.
    visit = {"child_seen": "1", "in_school_or_training": "1", "attending": "1"}
    today.set(D(2026, 4, 3))
    _post(worker, f"{base}/follow-up/", {"visit_date": "2026-04-03", **visit})
    today.set(D(2026, 7, 3))
    _post(worker, f"{base}/follow-up/", {"visit_date": "2026-07-03", **visit})
    case.refresh_from_db()
    assert case.status == CaseStatus.UNDER_FOLLOW_UP

    # 7. Closed with exit achieved: proposed by the caseworker, approved by the supervisor.
    _post(worker, f"{base}/close/", {"reason": "exit_achieved", "date": "2026-07-03"})
    _post(supervisor, f"{base}/close/decide/", {"date": "2026-07-03", "decision": "approve"})
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.exited
    check = case.retention_checks.get(months_after=3)
    assert check.due_date == D(2026, 10, 3)

    # 8. The retention check at 3 months finds the child at a site: relapse, the case reopens.
    today.set(D(2026, 10, 5))
    _post(
        worker,
        f"{base}/retention/{check.uuid}/",
        {"date": "2026-10-05", "seen_at_site": "on", "site": team.site.pk},
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.REGISTERED
    assert case.relapse_count == 1 and case.reopened_count == 1 and case.risk == "high"
    assert case.relapses.get().source == "retention_check"
    page = worker.get(f"/cases/{case.uuid}/").content.decode()
    assert "Rechute" in page and "Clôturé" in page  # flagged, with its history on the timeline

    for secret in (
        "Trésor",
        "Ngalula",
        "+243990000001",
        "Motif confidentiel",
        "Kit et frais",
        "Inscrit en 1re",
    ):
        assert_not_stored_in_clear(secret)  # a dump of the database holds no identity nor free text
    pdf = worker.get(f"/cases/{case.uuid}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="export", target_type="cases.case_file_pdf").exists()
