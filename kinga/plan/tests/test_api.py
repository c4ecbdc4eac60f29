import pytest
from django.test import Client

from kinga.core.models import AuditEvent, Organisation
from kinga.core.roles import Role
from kinga.core.testing import client_for, make_member, make_organisation
from kinga.plan.models import Action, Activity, Commitment

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/v1/plan-axes/",
    "/api/v1/plan-actions/",
    "/api/v1/plan-activities/",
    "/api/v1/plan-indicators/",
    "/api/v1/plan-commitments/",
    "/api/v1/plan-transactions/",
    "/api/v1/plan-progress/",
    "/api/v1/plan-indicator-values/",
    "/api/v1/plan-axes/reconcile/",
    "/api/v1/plan-axes/budget/",
]

# What the loaded plan holds before anyone records money or progress.
PLAN_CONTENT = {
    "/api/v1/plan-axes/",
    "/api/v1/plan-actions/",
    "/api/v1/plan-activities/",
    "/api/v1/plan-indicators/",
    "/api/v1/plan-axes/reconcile/",
    "/api/v1/plan-axes/budget/",
}


@pytest.mark.parametrize("url", LISTS)
def test_every_endpoint_refuses_anonymous_and_answers_members(plan, url):
    anonymous = Client().get(url)
    assert anonymous.status_code in (401, 403)
    # The refusal says why and carries none of the plan.
    assert set(anonymous.json()) == {"detail"}
    member = client_for(make_member(make_organisation(), Role.VIEWER)).get(url)
    assert member.status_code == 200
    body = member.json()
    assert isinstance(body, list) or "detail" not in body
    if url in PLAN_CONTENT:
        rows = body["results"] if isinstance(body, dict) and "results" in body else body
        assert rows, url


def test_reconcile_endpoint_has_the_cli_shape(plan):
    data = (
        client_for(make_member(make_organisation(), Role.VIEWER)).get("/api/v1/plan-axes/reconcile/").json()
    )
    assert data["synthesis_total_usd"] == 32_385_000
    assert [a["difference_usd"] for a in data["axes"]] == [1_000_000, 0, 0]


def test_indicator_by_code(plan):
    client = client_for(make_member(make_organisation(), Role.VIEWER))
    data = client.get("/api/v1/plan-indicators/SITES_ZEA_LOCATED/").json()
    assert data["target"].startswith("60") and data["module"] == "sites"


def test_commitment_api_permissions_and_audit(plan):
    unicef = Organisation.objects.get(acronym="UNICEF")
    action = Action.objects.first()
    body = {
        "funder": str(unicef.uuid),
        "action": str(action.uuid),
        "date": "2018-01-01",
        "amount": "1000",
        "currency": "USD",
    }
    viewer = client_for(make_member(unicef, Role.VIEWER))
    assert viewer.post("/api/v1/plan-commitments/", body, content_type="application/json").status_code == 403
    manager = client_for(make_member(unicef, Role.ORG_MANAGER))
    response = manager.post("/api/v1/plan-commitments/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    commitment = Commitment.objects.get()
    assert AuditEvent.objects.filter(target_id=str(commitment.uuid), action="create").exists()
    other = client_for(make_member(make_organisation(), Role.ORG_MANAGER))
    assert other.post("/api/v1/plan-commitments/", body, content_type="application/json").status_code == 403
    over = {
        "commitment": str(commitment.uuid),
        "kind": "disbursement",
        "date": "2018-02-01",
        "amount": "2000",
    }
    response = manager.post("/api/v1/plan-transactions/", over, content_type="application/json")
    assert response.status_code == 400 and "override_reason" in response.json()
    response = manager.post(
        "/api/v1/plan-transactions/", {**over, "override_reason": "Avenant"}, content_type="application/json"
    )
    assert response.status_code == 201 and response.json()["exceeds"] is True
    bad = {**body, "action": "00000000-0000-0000-0000-000000000000"}
    assert manager.post("/api/v1/plan-commitments/", bad, content_type="application/json").status_code == 400


def test_progress_api_for_implementers_only(plan):
    activity = Activity.objects.get(action__axis__number=1, action__number=2, position=1)
    body = {"activity": str(activity.uuid), "date": "2018-01-01", "status": "ongoing", "percent_done": 20}
    inpp = client_for(make_member(Organisation.objects.get(acronym="INPP"), Role.ORG_MANAGER))
    assert inpp.post("/api/v1/plan-progress/", body, content_type="application/json").status_code == 201
    fec = client_for(make_member(Organisation.objects.get(acronym="FEC"), Role.ORG_MANAGER))
    assert fec.post("/api/v1/plan-progress/", body, content_type="application/json").status_code == 403
    caseworker = client_for(make_member(Organisation.objects.get(acronym="INPP"), Role.CASEWORKER))
    assert caseworker.post("/api/v1/plan-progress/", body, content_type="application/json").status_code == 403


def test_indicator_value_api(plan, lualaba, manual_rate):
    clerk = client_for(make_member(make_organisation(), Role.DATA_CLERK))
    body = {
        "indicator": manual_rate.code,
        "area": "CD72",
        "period_start": "2018-01-01",
        "period_end": "2018-12-31",
        "value": "40",
    }
    assert (
        clerk.post("/api/v1/plan-indicator-values/", body, content_type="application/json").status_code == 201
    )
    response = clerk.post("/api/v1/plan-indicator-values/", body, content_type="application/json")
    assert response.status_code == 400 and "period_start" in response.json()
