"""The API of household production and nutrition: writes through the services, field-level JSON on refusal,
another organisation's records a 404, a missing permission a 403."""

import datetime

import pytest
from rest_framework.test import APIClient

from kinga.core.roles import Role
from kinga.core.testing import actor_of, make_member, make_organisation
from kinga.households import services
from kinga.households.tests.factories import make_household

pytestmark = pytest.mark.django_db
D = datetime.date


def api(member) -> APIClient:
    client = APIClient()
    client.force_authenticate(member.user)
    return client


@pytest.fixture
def world(kolwezi, today):
    org, other = make_organisation(), make_organisation()
    w = type("World", (), {})()
    w.manager, w.worker = make_member(org, Role.ORG_MANAGER), make_member(org, Role.CASEWORKER)
    w.clerk = make_member(org, Role.DATA_CLERK)
    w.other_worker = make_member(other, Role.CASEWORKER)
    w.household = make_household(actor_of(w.worker), kolwezi)
    w.child = services.add_member(
        actor=actor_of(w.worker),
        household=w.household,
        full_name="Ilunga Grâce",
        relationship="child",
        sex="F",
        birth_date=D(2024, 6, 1),
    )
    w.elsewhere = make_household(actor_of(w.other_worker), kolwezi)
    return w


def test_a_group_lends_to_its_member_and_is_repaid_through_the_api(world):
    manager, worker = api(world.manager), api(world.worker)
    body = {
        "name": "AVEC Umoja",
        "kind": "savings",
        "place": "CD7201",
        "formed_on": "2025-01-10",
        "capital_usd": "200",
    }
    assert worker.post("/api/v1/households/finance-groups/", body, format="json").status_code == 403
    created = manager.post("/api/v1/households/finance-groups/", body, format="json")
    assert created.status_code == 201, created.json()
    group = created.json()["uuid"]
    joined = worker.post(
        f"/api/v1/households/finance-groups/{group}/members/",
        {"household": str(world.household.uuid), "joined_on": "2025-02-01"},
        format="json",
    )
    assert joined.status_code == 201, joined.json()
    loan = {
        "group": group,
        "household": str(world.household.uuid),
        "purpose": "inputs",
        "amount_usd": "250",
        "issued_on": "2025-03-01",
        "due_on": "2025-09-01",
    }
    refused = worker.post("/api/v1/households/loans/", loan, format="json")
    assert refused.status_code == 400 and "amount_usd" in refused.json()  # the fund holds 200
    made = worker.post("/api/v1/households/loans/", {**loan, "amount_usd": "150"}, format="json")
    assert made.status_code == 201, made.json()
    paid = worker.post(
        f"/api/v1/households/loans/{made.json()['uuid']}/repayments/",
        {"paid_on": "2025-06-01", "amount_usd": "50"},
        format="json",
    )
    assert paid.status_code == 201
    shown = manager.get(f"/api/v1/households/finance-groups/{group}/").json()
    assert (shown["members"], shown["lent"], shown["repaid"], shown["arrears"], shown["available"]) == (
        1,
        "150.00",
        "50.00",
        "100.00",
        "100.00",
    )
    listed = manager.get("/api/v1/households/finance-groups/").json()["results"]
    assert [g["arrears"] for g in listed] == ["100.00"]
    # Another organisation sees neither the group nor the loan; a data clerk reads no loan (households' names).
    assert api(world.other_worker).get(f"/api/v1/households/finance-groups/{group}/").status_code == 404
    assert api(world.other_worker).get(f"/api/v1/households/loans/{made.json()['uuid']}/").status_code == 404
    assert api(world.clerk).get("/api/v1/households/loans/").status_code == 403


def test_harvests_and_nutrition_visits_through_the_api(world):
    worker = api(world.worker)
    harvest = {
        "household": str(world.household.uuid),
        "kind": "crop",
        "product": "cassava",
        "quantity": "300",
        "unit": "kg",
        "area_ha": "0.5",
        "season": "A",
        "season_year": 2025,
        "recorded_on": "2026-01-15",
    }
    assert worker.post("/api/v1/households/harvests/", harvest, format="json").status_code == 201
    again = worker.post("/api/v1/households/harvests/", harvest, format="json")
    assert again.status_code == 400 and "product" in again.json()
    foreign = worker.post(
        "/api/v1/households/harvests/", {**harvest, "household": str(world.elsewhere.uuid)}, format="json"
    )
    assert foreign.status_code == 404
    visit = {
        "household": str(world.household.uuid),
        "visited_on": "2026-02-20",
        "days_staples": 7,
        "days_pulses": 3,
        "days_vegetables": 6,
        "days_oil": 5,
        "food_score": "99",  # computed, never taken from the request
        "measurements": [{"member": str(world.child.uuid), "muac_mm": 112}],
    }
    created = worker.post("/api/v1/households/nutrition-visits/", visit, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["food_score"], body["food_consumption"]) == ("31.5", "borderline")
    assert body["measurements"][0]["status"] == "severe" and body["measurements"][0]["age_months"] == 20
    bad = worker.post(
        "/api/v1/households/nutrition-visits/",
        {**visit, "visited_on": "2026-02-21", "days_milk": 9},
        format="json",
    )
    assert bad.status_code == 400 and "days_milk" in bad.json()
    other = api(world.other_worker)
    assert other.get(f"/api/v1/households/nutrition-visits/{body['uuid']}/").status_code == 404
    assert other.get("/api/v1/households/harvests/").json()["results"] == []
    assert api(world.clerk).get("/api/v1/households/nutrition-visits/").status_code == 403
