"""Every screen: anonymous → login, wrong role → 403, another organisation's record → 404, and the journeys."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext, override

from kinga.community import services
from kinga.community.models import Alert, AlertStatus, Channel, FourW, Meeting, NetworkMember
from kinga.core import clock
from kinga.core.access import ANONYMOUS
from kinga.core.models import AuditEvent
from kinga.core.roles import Role
from kinga.core.testing import actor_of, client_for, make_member, make_organisation

pytestmark = pytest.mark.django_db
TODAY = clock.today()


@pytest.fixture
def world(org, supervisor, caseworker, network, site, kolwezi):
    manager = make_member(org, Role.ORG_MANAGER)
    clerk = make_member(org, Role.DATA_CLERK)
    member = services.add_member(
        actor=actor_of(supervisor), network=network, full_name="Papa Kazadi", contact="+243811111111"
    )
    alert, _ = services.receive_alert(
        actor=ANONYMOUS, channel=Channel.PUBLIC_WEB, payload={"site": site.code, "girls_5_11": 2}
    )
    session = services.record_session(
        actor=actor_of(supervisor),
        theme="parents_responsibility",
        audience="parents",
        date=TODAY,
        place=kolwezi,
        participants=[{"audience": "parents", "sex": "F", "count": 5}],
    )
    record = services.create_fourw(actor=actor_of(clerk), activity="EAE", place=kolwezi, start=TODAY)
    meeting = services.create_meeting(actor=actor_of(manager), title="Cadre", date=TODAY)
    item = services.add_action_item(actor=actor_of(manager), meeting=meeting, description="Faire", owner=org)
    return {
        "network": network,
        "member": member,
        "alert": alert,
        "session": session,
        "fourw": record,
        "meeting": meeting,
        "item": item,
        "manager": manager,
        "clerk": clerk,
    }


# (url name, object key or None, method, a role of the organisation that lacks the permission or None)
VIEWS = [
    ("community:home", None, "get", None),
    ("community:networks", None, "get", None),
    ("community:network_add", None, "get", Role.CASEWORKER),
    ("community:network", "network", "get", None),
    ("community:network_edit", "network", "get", Role.CASEWORKER),
    ("community:member_add", "network", "get", Role.CASEWORKER),
    ("community:member_edit", "member", "get", Role.CASEWORKER),
    ("community:member_training_add", "member", "get", Role.CASEWORKER),
    ("community:triage", None, "get", Role.FOCAL_POINT),
    ("community:alert_add", None, "get", Role.VIEWER),
    ("community:alert", "alert", "get", Role.FOCAL_POINT),
    ("community:alert_start", "alert", "post", Role.FOCAL_POINT),
    ("community:alert_verify", "alert", "post", Role.FOCAL_POINT),
    ("community:alert_close", "alert", "post", Role.FOCAL_POINT),
    ("community:alert_refer", "alert", "post", Role.FOCAL_POINT),
    ("community:alert_repair", "alert", "post", Role.FOCAL_POINT),
    ("community:alert_register", "alert", "get", Role.FOCAL_POINT),
    ("community:sessions", None, "get", None),
    ("community:session_add", None, "get", Role.VIEWER),
    ("community:session", "session", "get", None),
    ("community:campaigns", None, "get", None),
    ("community:campaign_add", None, "get", Role.VIEWER),
    ("community:trainings", None, "get", None),
    ("community:training_add", None, "get", Role.VIEWER),
    ("community:advocacy", None, "get", None),
    ("community:advocacy_add", None, "get", Role.VIEWER),
    ("community:fourw", None, "get", None),
    ("community:fourw_add", None, "get", Role.CASEWORKER),
    ("community:fourw_import", None, "get", Role.CASEWORKER),
    ("community:fourw_edit", "fourw", "get", Role.CASEWORKER),
    ("community:fourw_delete", "fourw", "post", Role.CASEWORKER),
    ("community:meetings", None, "get", None),
    ("community:meeting_add", None, "get", Role.CASEWORKER),
    ("community:meeting", "meeting", "get", None),
    ("community:meeting_edit", "meeting", "get", Role.CASEWORKER),
    ("community:item_add", "meeting", "post", Role.CASEWORKER),
    ("community:my_items", None, "get", None),
]
# Objects another organisation may read (shared coordination data) — not 404 for a reader.
SHARED = {"fourw", "meeting"}


def _url(name, key, world):
    if key is None:
        return reverse(name)
    return reverse(name, args=[world[key].uuid])


@pytest.mark.parametrize(("name", "key", "method", "_role"), VIEWS)
def test_anonymous_is_sent_to_login(world, name, key, method, _role):
    response = getattr(Client(), method)(_url(name, key, world))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(("name", "key", "method", "role"), [v for v in VIEWS if v[3]])
def test_wrong_role_is_refused(world, org, name, key, method, role):
    response = getattr(client_for(make_member(org, role)), method)(_url(name, key, world))
    assert response.status_code == 403


# A role of another organisation that has the permission the view needs.
OTHER_ROLE = {
    "network_edit": Role.SUPERVISOR,
    "member_add": Role.SUPERVISOR,
    "member_edit": Role.SUPERVISOR,
    "member_training_add": Role.SUPERVISOR,
    "network": Role.SUPERVISOR,
    "fourw_edit": Role.DATA_CLERK,
    "fourw_delete": Role.DATA_CLERK,
    "meeting_edit": Role.ORG_MANAGER,
    "item_add": Role.ORG_MANAGER,
}


@pytest.mark.parametrize(("name", "key", "method"), [(n, k, m) for n, k, m, _r in VIEWS if k])
def test_another_organisation_gets_404(world, other_org, name, key, method):
    role = OTHER_ROLE.get(name.split(":")[1], Role.CASEWORKER)
    response = getattr(client_for(make_member(other_org, role)), method)(_url(name, key, world))
    if key in SHARED and method == "get" and name in ("community:meeting",):
        assert response.status_code == 200
    else:
        assert response.status_code == 404


@pytest.mark.parametrize(("name", "key", "method", "_role"), [v for v in VIEWS if v[2] == "get"])
def test_pages_render_for_the_right_role(world, name, key, method, _role):
    member = {
        "community:fourw_add": world["clerk"],
        "community:fourw_import": world["clerk"],
        "community:fourw_edit": world["clerk"],
        "community:meeting_add": world["manager"],
        "community:meeting_edit": world["manager"],
    }.get(name) or world["network"].organisation.memberships.get(role=Role.SUPERVISOR)
    response = client_for(member).get(_url(name, key, world))
    assert response.status_code == 200, response.content[:500]
    body = response.content.decode()
    english, expected = SHOWS[name](world)
    with override("fr"):
        french = gettext(english) if english else ""
    assert not english or (french != english and (french in body or escape(french) in body)), (name, french)
    assert not english or f">{english}<" not in body, (name, "untranslated heading")
    assert expected in body or escape(expected) in body, (name, expected)


# What each page must show: (its English heading, shown in French; text of the record it is about).
SHOWS = {
    "community:home": lambda w: ("Community protection and coordination", 'href="/alerte/'),
    "community:networks": lambda w: ("Community networks", w["network"].name),
    "community:network_add": lambda w: ("New community network", 'method="post"'),
    "community:network": lambda w: ("", "Papa Kazadi"),
    "community:network_edit": lambda w: ("Edit the network", w["network"].name),
    "community:member_add": lambda w: ("", w["network"].name),
    "community:member_edit": lambda w: ("", "Papa Kazadi"),
    "community:member_training_add": lambda w: ("", "Papa Kazadi"),
    "community:triage": lambda w: ("", w["alert"].reference),
    "community:alert_add": lambda w: ("Report an alert", 'method="post"'),
    "community:alert": lambda w: ("", w["alert"].reference),
    "community:alert_register": lambda w: ("Register the children as cases", w["alert"].reference),
    "community:sessions": lambda w: ("Awareness sessions and radio broadcasts", w["session"].place.name),
    "community:session_add": lambda w: ("Record an awareness session or a radio broadcast", 'method="post"'),
    "community:session": lambda w: ("", w["session"].get_theme_display()),
    "community:campaigns": lambda w: ("Awareness campaigns", 'href="/community/'),
    "community:campaign_add": lambda w: ("New awareness campaign", 'method="post"'),
    "community:trainings": lambda w: ("Trainings", 'href="/community/'),
    "community:training_add": lambda w: ("New training", 'method="post"'),
    "community:advocacy": lambda w: ("Advocacy actions", 'href="/community/'),
    "community:advocacy_add": lambda w: ("New advocacy action", 'method="post"'),
    "community:fourw": lambda w: ("", "EAE"),
    "community:fourw_add": lambda w: ("New 4W record", 'method="post"'),
    "community:fourw_import": lambda w: ("Import a 4W file", 'enctype="multipart/form-data"'),
    "community:fourw_edit": lambda w: ("Edit the 4W record", "EAE"),
    "community:meetings": lambda w: ("", "Cadre"),
    "community:meeting_add": lambda w: ("New coordination meeting", 'enctype="multipart/form-data"'),
    "community:meeting": lambda w: ("", "Faire"),
    "community:meeting_edit": lambda w: ("Edit the meeting", "Cadre"),
    "community:my_items": lambda w: ("", "Faire"),
}


def test_triage_journey_through_the_screens(world, caseworker):
    alert = world["alert"]
    client = client_for(caseworker)
    page = client.get(reverse("community:triage")).content.decode()
    assert alert.reference in page
    assert client.post(reverse("community:alert_start", args=[alert.uuid])).status_code == 302
    client.post(reverse("community:alert_verify", args=[alert.uuid]), {"children_found": 2, "note": "Vus"})
    alert.refresh_from_db()
    assert alert.status == AlertStatus.VERIFIED
    assert AuditEvent.objects.filter(target_id=str(alert.uuid), action="update").count() >= 2


def test_alert_entered_by_focal_point_from_a_phone_call(focal_point, site):
    client = client_for(focal_point)
    response = client.post(
        reverse("community:alert_add"),
        {
            "channel": "phone",
            "site": site.name,
            "n_M_12_14": "3",
            "urgency": "urgent",
            "anonymous": "on",
            "reporter_contact": "+243899999999",
        },
    )
    assert response.status_code == 302
    alert = Alert.objects.get()
    assert alert.channel == Channel.PHONE and alert.children_count == 3 and alert.is_anonymous
    assert alert.reporter_user == focal_point.user


def test_alert_form_errors_are_in_french(focal_point):
    response = client_for(focal_point).post(
        reverse("community:alert_add"), {"channel": "web", "urgency": "normal"}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Indiquez où" in body and "Indiquez combien d" in body


def test_member_contact_hidden_from_roles_without_need(world, org):
    viewer = client_for(make_member(org, Role.VIEWER))
    body = viewer.get(reverse("community:network", args=[world["network"].uuid])).content.decode()
    assert "+243811111111" not in body and "Papa Kazadi" in body


def test_fourw_owned_by_another_org_cannot_be_edited(world, org):
    other_clerk = make_member(make_organisation(), Role.DATA_CLERK)
    client = client_for(other_clerk)
    assert client.get(reverse("community:fourw")).status_code == 200  # everyone reads the 4W
    assert client.post(reverse("community:fourw_delete", args=[world["fourw"].uuid])).status_code == 404
    assert FourW.objects.filter(pk=world["fourw"].pk).exists()


def test_meeting_with_minutes_file_and_item_status(world, org):
    client = client_for(world["manager"])
    response = client.post(
        reverse("community:meeting_add"),
        {
            "title": "Cadre de concertation IDAK",
            "date": TODAY.isoformat(),
            "participant_organisations": [org.pk],
            "minutes_text": "Ouverture…",
            "minutes_file": SimpleUploadedFile("pv.pdf", b"%PDF-1.4 pv", "application/pdf"),
        },
    )
    assert response.status_code == 302, response.content[:800]
    meeting = Meeting.objects.get(title="Cadre de concertation IDAK")
    assert client.get(reverse("community:meeting_minutes", args=[meeting.uuid])).status_code == 200
    bad = client.post(
        reverse("community:meeting_add"),
        {
            "title": "X",
            "date": TODAY.isoformat(),
            "minutes_file": SimpleUploadedFile("pv.exe", b"MZ", "application/octet-stream"),
        },
    )
    assert bad.status_code == 400
    item = world["item"]
    client.post(
        reverse("community:item_status", args=[item.uuid]), {"status": "done", "meeting": str(meeting.uuid)}
    )
    item.refresh_from_db()
    assert item.status == "done"


def test_item_status_by_a_stranger_is_refused(world):
    stranger = client_for(make_member(make_organisation(), Role.CASEWORKER))
    response = stranger.post(reverse("community:item_status", args=[world["item"].uuid]), {"status": "done"})
    assert response.status_code == 403


def test_network_page_lists_members_and_alerts(world, supervisor):
    body = (
        client_for(supervisor)
        .get(reverse("community:network", args=[world["network"].uuid]))
        .content.decode()
    )
    assert world["alert"].reference in body and "+243811111111" in body
    assert NetworkMember.objects.count() == 1


def test_a_refused_action_item_comes_back_to_the_meeting_with_its_french_error(world, org):
    meeting = world["meeting"]
    client = client_for(world["manager"])
    url = reverse("community:item_add", args=[meeting.uuid])
    before = {"description": "Trop tôt", "owner": org.pk, "due_date": "2000-01-01"}
    response = client.post(url, before, follow=True)
    assert response.redirect_chain == [(reverse("community:meeting", args=[meeting.uuid]), 302)]
    page = response.content.decode()
    assert escape("L'échéance ne peut pas précéder la réunion.") in page and "Action ajoutée." not in page
    response = client.post(url, {"description": "Sans responsable"}, follow=True)
    assert escape("Vérifiez l'action : la description et le responsable sont obligatoires.") in (
        response.content.decode()
    )
    assert list(meeting.items.values_list("description", flat=True)) == ["Faire"]
