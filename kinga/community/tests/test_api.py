import json

import pytest
from django.test import Client

from kinga.community import services
from kinga.community.models import Alert, Channel, FourW
from kinga.core import clock
from kinga.core.access import ANONYMOUS
from kinga.core.models import AuditEvent
from kinga.core.roles import Role
from kinga.core.services import create_api_token
from kinga.core.testing import actor_of, client_for, make_member, make_organisation, shared_path

pytestmark = pytest.mark.django_db
TODAY = clock.today()
KOBO = shared_path("reference", "kobo", "kobo_rest_service_payload.json")


def token_client(membership):
    _token, key = create_api_token(actor=actor_of(membership), name="passerelle")
    return Client(headers={"Authorization": f"Token {key}"})


@pytest.fixture
def objects(org, supervisor, network, site, kolwezi):
    alert, _ = services.receive_alert(
        actor=ANONYMOUS, channel=Channel.PUBLIC_WEB, payload={"site": site.code, "boys": 2}
    )
    manager = make_member(org, Role.ORG_MANAGER)
    clerk = make_member(org, Role.DATA_CLERK)
    record = services.create_fourw(actor=actor_of(clerk), activity="EAE", place=kolwezi, start=TODAY)
    meeting = services.create_meeting(actor=actor_of(manager), title="Cadre", date=TODAY)
    item = services.add_action_item(actor=actor_of(manager), meeting=meeting, description="Faire", owner=org)
    session = services.record_session(
        actor=actor_of(supervisor),
        theme="mining_code",
        audience="parents",
        date=TODAY,
        place=kolwezi,
        participants=[{"audience": "parents", "sex": "M", "count": 3}],
    )
    return {
        "alert": alert,
        "fourw": record,
        "meeting": meeting,
        "item": item,
        "network": network,
        "session": session,
        "clerk": clerk,
    }


ENDPOINTS = [
    ("/api/v1/community/networks/", "network", None),
    ("/api/v1/community/alerts/", "alert", Role.FOCAL_POINT),
    ("/api/v1/community/sessions/", "session", None),
    ("/api/v1/community/fourw/", "fourw", None),
    ("/api/v1/community/meetings/", "meeting", None),
    ("/api/v1/community/action-items/", "item", None),
]


@pytest.mark.parametrize(("url", "key", "_role"), ENDPOINTS)
def test_anonymous_refused(objects, url, key, _role):
    assert Client().get(url).status_code in (401, 403)
    assert Client().get(f"{url}{objects[key].uuid}/").status_code in (401, 403)


@pytest.mark.parametrize(("url", "key", "role"), [e for e in ENDPOINTS if e[2]])
def test_wrong_role_403(objects, org, url, key, role):
    client = client_for(make_member(org, role))
    assert client.get(url).status_code == 403
    assert client.get(f"{url}{objects[key].uuid}/").status_code == 403


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("/api/v1/community/networks/", "network"),
        ("/api/v1/community/alerts/", "alert"),
        ("/api/v1/community/sessions/", "session"),
    ],
)
def test_other_organisation_404(objects, other_org, url, key):
    client = client_for(make_member(other_org, Role.SUPERVISOR))
    assert client.get(f"{url}{objects[key].uuid}/").status_code == 404
    assert str(objects[key].uuid) not in client.get(url).content.decode()


def test_shared_coordination_data_is_readable_but_not_writable(objects, other_org):
    client = client_for(make_member(other_org, Role.DATA_CLERK))
    assert client.get(f"/api/v1/community/fourw/{objects['fourw'].uuid}/").status_code == 200
    assert client.get(f"/api/v1/community/meetings/{objects['meeting'].uuid}/").status_code == 200
    response = client.patch(
        f"/api/v1/community/fourw/{objects['fourw'].uuid}/", {"reached_f": 9}, content_type="application/json"
    )
    assert response.status_code == 404
    assert client.delete(f"/api/v1/community/fourw/{objects['fourw'].uuid}/").status_code == 404


def test_an_alert_shows_its_version_which_triage_moves_on(objects, supervisor):
    """The triage API is read-only: a client reads the version it would send back to the triage pages."""
    alert = objects["alert"]
    url = f"/api/v1/community/alerts/{alert.uuid}/"
    client = client_for(supervisor)
    before = client.get(url).json()["version"]
    services.start_verification(actor=actor_of(supervisor), alert=alert, version=before)
    assert client.get(url).json()["version"] == before + 1


def test_sms_gateway_alert(site, network, focal_point):
    client = token_client(focal_point)
    body = {
        "channel": "sms",
        "external_id": "sms-123",
        "site": site.code,
        "children": [{"sex": "F", "age_band": "12-14", "count": 2}],
        "urgency": "urgent",
    }
    response = client.post("/api/v1/community/alerts/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["processed"] is True
    again = client.post("/api/v1/community/alerts/", body, content_type="application/json")
    assert again.status_code == 200 and again.json()["uuid"] == response.json()["uuid"]
    assert Alert.objects.count() == 1


def test_unreadable_alert_is_kept_and_accepted(focal_point):
    response = token_client(focal_point).post(
        "/api/v1/community/alerts/",
        {"channel": "ussd", "site": "INCONNU", "children": []},
        content_type="application/json",
    )
    assert response.status_code == 202
    assert "site" in response.json()["processing_error"]
    assert Alert.objects.filter(uuid=response.json()["uuid"]).exists()


def test_malformed_alert_gets_field_errors(focal_point):
    response = token_client(focal_point).post(
        "/api/v1/community/alerts/", {"channel": "pigeon"}, content_type="application/json"
    )
    assert response.status_code == 400 and "channel" in response.json()


def test_kobo_rest_service(focal_point, reference_places):
    payload = json.loads(KOBO.read_text())
    client = token_client(focal_point)
    response = client.post("/api/v1/community/alerts/kobo/", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    alert = Alert.objects.get(uuid=response.json()["uuid"])
    assert alert.external_id == payload["_uuid"] and alert.channel == "kobo"
    assert (
        client.post("/api/v1/community/alerts/kobo/", payload, content_type="application/json").status_code
        == 200
    )


def test_viewer_cannot_post_alerts(org):
    response = token_client(make_member(org, Role.VIEWER)).post(
        "/api/v1/community/alerts/", {"channel": "sms"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_fourw_api_create_update_delete_audited(objects, org, kolwezi):
    client = token_client(objects["clerk"])
    response = client.post(
        "/api/v1/community/fourw/",
        {
            "activity": "Réinsertion scolaire",
            "place_pcode": "CD7201",
            "start": TODAY.isoformat(),
            "reached_f": 4,
            "reached_m": 3,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    uuid = response.json()["uuid"]
    bad = client.patch(
        f"/api/v1/community/fourw/{uuid}/", {"status": "planned"}, content_type="application/json"
    )
    assert bad.status_code == 400 and "status" in bad.json()
    assert (
        client.patch(
            f"/api/v1/community/fourw/{uuid}/", {"reached_f": 6}, content_type="application/json"
        ).status_code
        == 200
    )
    assert client.delete(f"/api/v1/community/fourw/{uuid}/").status_code == 204
    assert not FourW.objects.filter(uuid=uuid).exists()
    assert set(AuditEvent.objects.filter(target_id=uuid).values_list("action", flat=True)) == {
        "create",
        "update",
        "delete",
    }


def test_session_api(objects, focal_point):
    client = token_client(focal_point)
    response = client.post(
        "/api/v1/community/sessions/",
        {
            "theme": "children_rights",
            "audience": "children",
            "date": TODAY.isoformat(),
            "place_pcode": "CD7201",
            "participants": [{"audience": "children", "sex": "F", "count": 12}],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["participants"] == [{"audience": "children", "sex": "F", "count": 12}]


def test_my_action_items_and_status(objects, org):
    client = token_client(make_member(org, Role.DATA_CLERK))
    mine = client.get("/api/v1/community/action-items/?mine=1").json()
    assert [i["uuid"] for i in mine["results"]] == [str(objects["item"].uuid)]
    response = client.post(
        f"/api/v1/community/action-items/{objects['item'].uuid}/status/",
        {"status": "done"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["status"] == "done"
    stranger = token_client(make_member(make_organisation(), Role.DATA_CLERK))
    refused = stranger.post(
        f"/api/v1/community/action-items/{objects['item'].uuid}/status/",
        {"status": "open"},
        content_type="application/json",
    )
    assert refused.status_code == 403
