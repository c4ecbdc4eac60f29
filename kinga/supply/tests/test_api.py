"""The API: anonymous refused, other organisation 404, role without the permission 403, writes audited."""

import pytest
from django.test import Client

from kinga.core import clock
from kinga.core.models import AuditEvent
from kinga.core.roles import Role
from kinga.core.testing import client_for, make_member, make_organisation
from kinga.supply.models import Lot

pytestmark = pytest.mark.django_db
TODAY = clock.today().isoformat()
LISTS = [
    "/api/v1/supply/document-types/",
    "/api/v1/supply/documents/",
    "/api/v1/supply/miners/",
    "/api/v1/supply/production/",
    "/api/v1/supply/lots/",
    "/api/v1/supply/authorisations/",
]


@pytest.mark.parametrize("url", LISTS)
def test_anonymous_is_refused(url):
    response = Client().get(url)
    assert response.status_code in (401, 403)
    # The refusal says why and carries no record.
    assert set(response.json()) == {"detail"}


@pytest.mark.parametrize("url", LISTS)
def test_roles_without_supply_access_get_403(url):
    response = client_for(make_member(make_organisation(), Role.CASEWORKER)).get(url)
    assert response.status_code == 403
    assert set(response.json()) == {"detail"}


def _lot_body(world, **extra):
    return {
        "site_uuid": str(world.site.uuid),
        "cooperative_uuid": str(world.coop.uuid),
        "buyer_uuid": str(world.buyer.uuid),
        "mineral": "cobalt",
        "weight_kg": "1500.00",
        "grade_percent": "10.5",
        "date": TODAY,
        **extra,
    }


def test_lots_are_scoped_by_buyer_and_cooperative(world):
    mine, theirs = world.lot(), world.lot(buyer=world.other_buyer, coop=world.other_coop)
    officer = client_for(world.officer)
    refs = [row["reference"] for row in officer.get("/api/v1/supply/lots/").json()["results"]]
    assert refs == [mine.reference]
    assert officer.get(f"/api/v1/supply/lots/{theirs.uuid}/").status_code == 404
    coop = client_for(world.coop_manager)
    assert coop.get(f"/api/v1/supply/lots/{theirs.uuid}/").status_code == 404
    assert coop.get(f"/api/v1/supply/lots/{mine.uuid}/").status_code == 200
    assert client_for(world.coordinator).get(f"/api/v1/supply/lots/{theirs.uuid}/").status_code == 200


def test_creating_a_lot_through_the_api_is_audited_and_errors_are_per_field(world):
    client = client_for(world.coop_clerk)
    response = client.post("/api/v1/supply/lots/", _lot_body(world), content_type="application/json")
    assert response.status_code == 201, response.content
    lot = Lot.objects.get(uuid=response.json()["uuid"])
    assert AuditEvent.objects.filter(
        target_id=str(lot.uuid), action="create", actor=world.coop_clerk.user
    ).exists()
    bad = client.post(
        "/api/v1/supply/lots/",
        _lot_body(world, weight_kg="-3", date="2099-01-01"),
        content_type="application/json",
    )
    assert bad.status_code == 400 and {"weight_kg", "date"} <= set(bad.json())
    other = client.post(
        "/api/v1/supply/lots/",
        _lot_body(world, cooperative_uuid=str(world.other_coop.uuid)),
        content_type="application/json",
    )
    assert other.status_code == 400 and "cooperative_uuid" in other.json()
    assert (
        client_for(world.officer)
        .post("/api/v1/supply/lots/", _lot_body(world), content_type="application/json")
        .status_code
        == 403
    )


def test_decide_and_override_through_the_api(world, site_statuses):
    world.give_documents()
    lot = world.lot()
    site_statuses(world.site, "red")
    assert client_for(world.coop_manager).post(f"/api/v1/supply/lots/{lot.uuid}/decide/").status_code == 403
    inspector = client_for(world.inspector)
    response = inspector.post(f"/api/v1/supply/lots/{lot.uuid}/decide/")
    assert response.status_code == 201
    body = response.json()
    assert body["outcome"] == "refused" and body["allows_evacuation"] is False
    assert body["reasons"][0]["code"] == "site_red" and "ROUGE" in body["reasons"][0]["message"]
    url = f"/api/v1/supply/authorisations/{body['uuid']}/"
    assert inspector.post(
        url + "request-override/", {"reason": "court"}, content_type="application/json"
    ).json() == {"reason": ["Écrivez le motif en entier (au moins 10 caractères)."]}
    asked = inspector.post(
        url + "request-override/", {"reason": "Lot pesé avant la visite."}, content_type="application/json"
    )
    assert asked.status_code == 200 and asked.json()["override_state"] == "requested"
    assert (
        inspector.post(
            url + "decide-override/",
            {"reason": "Je me l'accorde.", "approve": True},
            content_type="application/json",
        ).status_code
        == 403
    )
    done = client_for(world.coordinator).post(
        url + "decide-override/",
        {"reason": "Vérifié sur place par IDAK.", "approve": True},
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["allows_evacuation"] is True
    # a company officer sees the decision on its own lot, another company does not
    assert client_for(world.officer).get(url).status_code == 200
    assert client_for(world.other_officer).get(url).status_code == 404


def test_production_documents_and_members_through_the_api(world):
    client = client_for(world.coop_manager)
    production = client.post(
        "/api/v1/supply/production/",
        {
            "site_uuid": str(world.site.uuid),
            "cooperative_uuid": str(world.coop.uuid),
            "mineral": "copper",
            "month": TODAY,
            "tonnage": "30.250",
        },
        content_type="application/json",
    )
    assert production.status_code == 201, production.content
    doc = client.post(
        "/api/v1/supply/documents/",
        {"cooperative_uuid": str(world.coop.uuid), "document_type_code": "liste-membres", "issued_on": TODAY},
        content_type="application/json",
    )
    assert doc.status_code == 201, doc.content
    miner = client.post(
        "/api/v1/supply/miners/",
        {"cooperative_uuid": str(world.coop.uuid), "member_number": "77", "sex": "M", "birth_year": 1990},
        content_type="application/json",
    )
    assert miner.status_code == 201, miner.content
    other = client_for(make_member(world.other_coop, Role.ORG_MANAGER))
    assert other.get(f"/api/v1/supply/production/{production.json()['uuid']}/").status_code == 404
    assert other.get(f"/api/v1/supply/documents/{doc.json()['uuid']}/").status_code == 404
    assert other.get(f"/api/v1/supply/miners/{miner.json()['uuid']}/").status_code == 404
    assert AuditEvent.objects.filter(target_type="supply.miner", action="create").exists()


def test_document_types_are_configured_through_the_api_by_administrators_only(world):
    body = {
        "code": "plan-securite",
        "name_fr": "Plan de sécurité",
        "name_en": "Safety plan",
        "is_required": True,
    }
    assert (
        client_for(world.inspector)
        .post("/api/v1/supply/document-types/", body, content_type="application/json")
        .status_code
        == 403
    )
    admin = client_for(world.admin)
    created = admin.post("/api/v1/supply/document-types/", body, content_type="application/json")
    assert created.status_code == 201
    patched = admin.patch(
        f"/api/v1/supply/document-types/{created.json()['uuid']}/",
        {"is_required": False},
        content_type="application/json",
    )
    assert patched.status_code == 200 and patched.json()["is_required"] is False
    assert AuditEvent.objects.filter(target_type="supply.documenttype", action="update").exists()
