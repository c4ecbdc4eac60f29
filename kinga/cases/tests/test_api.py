import pytest
from django.test import Client

from kinga.core.models import AuditEvent
from kinga.core.testing import client_for

from .conftest import register

pytestmark = pytest.mark.django_db


def test_api_registration_and_workflow(team, today):
    client = client_for(team.worker)
    response = client.post(
        "/api/v1/cases/",
        {
            "given_name": "Neema",
            "family_name": "Kasongo",
            "sex": "F",
            "estimated_age": 11,
            "identification_method": "community_alert",
            "identification_date": "2026-03-01",
            "identification_site": str(team.site.uuid),
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    uuid = response.json()["uuid"]
    assert response.json()["number"].startswith("LUA-KZI-2026-")
    detail = client.get(f"/api/v1/cases/{uuid}/")
    assert detail.json()["given_name"] == "Neema" and detail.json()["date_of_birth_estimated"] is True
    assert AuditEvent.objects.filter(action="read", target_id=uuid).exists()
    bad = client.post(
        f"/api/v1/cases/{uuid}/assess/",
        {
            "date": "2026-03-09",
            "safety": 1,
            "health": 1,
            "education": 1,
            "family_care": 1,
            "household_economy": 1,
            "psychosocial": 1,
        },
        content_type="application/json",
    )
    assert bad.status_code == 400 and "date" in bad.json()
    ok = client.post(
        f"/api/v1/cases/{uuid}/assess/",
        {
            "date": "2026-03-02",
            "safety": 1,
            "health": 1,
            "education": 1,
            "family_care": 1,
            "household_economy": 1,
            "psychosocial": 1,
        },
        content_type="application/json",
    )
    assert ok.status_code == 201 and ok.json()["risk"] == "medium"
    refused = client.post(
        f"/api/v1/cases/{uuid}/refer/",
        {"provider": str(team.provider_org.uuid), "service_type": "crs", "date": "2026-03-02"},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "consent" in refused.json()
    search = "/api/v1/cases/search/"
    assert client.post(search, {"q": "neema"}, content_type="application/json").json()["count"] == 1
    assert client.post(search, {"q": "nee"}, content_type="application/json").json()["count"] == 0
    assert client.get("/api/v1/cases/?q=neema").status_code == 400  # never a name in a URL
    timeline = client.get(f"/api/v1/cases/{uuid}/timeline/").json()
    assert timeline["events"][0]["kind"] == "identified" and timeline["exit_rule"]["met"] is False


def test_api_scoping(team, today):
    case = register(team)
    outsider = client_for(team.outsider)
    assert outsider.get(f"/api/v1/cases/{case.uuid}/").status_code == 404
    assert outsider.get("/api/v1/cases/").json()["count"] == 0
    assert client_for(team.provider).get(f"/api/v1/cases/{case.uuid}/").status_code == 404
    assert (
        client_for(team.worker)
        .post(f"/api/v1/cases/{case.uuid}/decide-plan/", {}, content_type="application/json")
        .status_code
        == 403
    )

    assert Client().get("/api/v1/cases/").status_code in (401, 403)
