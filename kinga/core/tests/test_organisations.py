"""Organisations and members: services, pages and API, with their access rules and audit trail."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from kinga.core import access, services
from kinga.core.models import AuditEvent, Membership, Organisation, OrganisationType
from kinga.core.roles import Role
from kinga.core.testing import actor_of, client_for, make_member, make_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return make_member(make_organisation("IDAK test", type=OrganisationType.IDAK), Role.ADMIN)


# --- Organisations -------------------------------------------------------------------------------------


def test_administrator_creates_an_organisation_with_aliases_and_areas(admin, lualaba, kolwezi):
    org = services.create_organisation(
        actor=actor_of(admin),
        name="Service d'assistance et d'encadrement du small scale mining",
        acronym="SAESSCAM",
        type=OrganisationType.PROVINCIAL_GOVERNMENT,
        aliases=["SAESCAM", " ", "saescam"],
        areas=[lualaba, kolwezi],
    )
    assert services.resolve_organisation("S.A.E.S.C.A.M.") == org
    assert services.resolve_organisation("saesscam") == org
    assert set(org.areas.values_list("pcode", flat=True)) == {"CD72", "CD7201"}
    event = AuditEvent.objects.get(target_id=str(org.uuid), action="create")
    assert event.changes["aliases"] == [None, ["SAESCAM"]]
    assert event.changes["areas"] == [None, ["CD72", "CD7201"]]


def test_editing_aliases_replaces_them_and_is_audited(admin, kolwezi):
    actor = actor_of(admin)
    org = services.create_organisation(
        actor=actor, name="Division du Plan", acronym="Div. Plan", type=OrganisationType.PROVINCIAL_GOVERNMENT
    )
    services.update_organisation(actor=actor, organisation=org, aliases=["Plan provincial"], areas=[kolwezi])
    assert services.resolve_organisation("Div Plan") == org
    assert services.resolve_organisation("plan provincial") == org
    services.update_organisation(actor=actor, organisation=org, aliases=[])
    assert services.resolve_organisation("plan provincial") is None
    assert services.resolve_organisation("Division du plan") == org  # the name always stays
    changes = [e.changes for e in AuditEvent.objects.filter(target_id=str(org.uuid), action="update")]
    assert {"aliases", "areas"} <= set(changes[-1]) | set(changes[0])


def test_an_alias_of_another_organisation_is_refused(admin):
    actor = actor_of(admin)
    services.create_organisation(
        actor=actor, name="Division des affaires sociales", acronym="DIVAS", type="ngo"
    )
    other = services.create_organisation(actor=actor, name="Autre", type="ngo")
    with pytest.raises(ValidationError) as exc:
        services.update_organisation(actor=actor, organisation=other, aliases=["Divas"])
    assert "aliases" in exc.value.message_dict
    assert services.resolve_organisation("divas").name == "Division des affaires sociales"


def test_only_administrators_manage_organisations():
    manager = actor_of(make_member(make_organisation(), Role.ORG_MANAGER))
    with pytest.raises(PermissionDenied):
        services.create_organisation(actor=manager, name="X", type="ngo")


def test_organisation_pages(admin, kolwezi):
    client = client_for(admin)
    response = client.post(
        "/organisations/ajouter/",
        {
            "name": "Bon Pasteur",
            "acronym": "BP",
            "type": "ngo",
            "aliases": "Le Bon Pasteur\nBPK",
            "areas": [kolwezi.pk],
        },
    )
    org = Organisation.objects.get(name="Bon Pasteur")
    assert response.status_code == 302 and response["Location"] == f"/organisations/{org.uuid}/"
    page = client.get(f"/organisations/{org.uuid}/").content.decode()
    assert "Le Bon Pasteur" in page and "Kolwezi" in page
    response = client.post(
        f"/organisations/{org.uuid}/modifier/",
        {"name": "Bon Pasteur", "acronym": "BPA", "type": "ngo", "aliases": "", "is_active": "on"},
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.acronym == "BPA" and not org.areas.exists()


def test_organisation_form_errors_are_french_and_write_nothing(admin):
    before = Organisation.objects.count()
    response = client_for(admin).post("/organisations/ajouter/", {"name": "", "type": "gang"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Ce champ est obligatoire" in body and "n’en fait pas partie" in body.replace("'", "’")
    assert Organisation.objects.count() == before


@pytest.mark.parametrize("url", ["/organisations/ajouter/", "/organisations/{org}/modifier/"])
def test_organisation_management_pages_are_refused_to_other_roles(url):
    org = make_organisation()
    client = client_for(make_member(org, Role.ORG_MANAGER))
    assert client.get(url.format(org=org.uuid)).status_code == 403
    anonymous = Client().get(url.format(org=org.uuid))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_unknown_organisation_is_404(admin):
    assert client_for(admin).get("/organisations/00000000-0000-0000-0000-000000000000/").status_code == 404


# --- Members ---------------------------------------------------------------------------------------------


def test_manager_adds_a_caseworker_with_a_supervisor_and_an_invitation():
    org = make_organisation()
    manager = make_member(org, Role.ORG_MANAGER)
    supervisor = make_member(org, Role.SUPERVISOR)
    client = client_for(manager)
    response = client.post(
        f"/organisations/{org.uuid}/membres/ajouter/",
        {
            "email": "Nouvelle@Test.cd",
            "full_name": "Mamie Kabila",
            "role": "caseworker",
            "supervisor": supervisor.pk,
        },
    )
    assert response.status_code == 200
    membership = Membership.objects.get(user__email="nouvelle@test.cd")
    assert membership.supervisor == supervisor and membership.organisation == org
    assert not membership.user.has_usable_password()
    assert membership.user.pk in actor_of(supervisor).team_user_ids
    body = response.content.decode()
    assert 'id="invitation"' in body and "/accounts/password/reset/key/" in body
    assert len(mail.outbox) == 1 and "/accounts/password/reset/key/" in mail.outbox[0].body
    # The invitation link lets the person choose a password, once.
    link = mail.outbox[0].body.split("http://testserver", 1)[1].split()[0]
    anonymous = Client()
    form_url = anonymous.get(link, follow=True).redirect_chain[-1][0]
    anonymous.post(form_url, {"password1": "Tshikapa-2026-ok", "password2": "Tshikapa-2026-ok"})
    membership.user.refresh_from_db()
    assert membership.user.check_password("Tshikapa-2026-ok")
    actions = set(AuditEvent.objects.filter(organisation=org).values_list("target_type", "action"))
    assert {("core.user", "create"), ("core.membership", "create"), ("core.membership", "other")} <= actions


def test_manager_cannot_appoint_province_wide_roles_or_reach_another_organisation():
    org, other = make_organisation(), make_organisation()
    manager = actor_of(make_member(org, Role.ORG_MANAGER))
    for role in (Role.ADMIN, Role.COORDINATOR):
        with pytest.raises(ValidationError) as exc:
            services.add_member(actor=manager, organisation=org, email="x@test.cd", role=role)
        assert "role" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.add_member(actor=manager, organisation=other, email="x@test.cd", role=Role.CASEWORKER)


def test_supervisor_must_be_a_supervisor_of_the_same_organisation():
    org, other = make_organisation(), make_organisation()
    manager = actor_of(make_member(org, Role.ORG_MANAGER))
    for supervisor in (make_member(other, Role.SUPERVISOR), make_member(org, Role.CASEWORKER)):
        with pytest.raises(ValidationError) as exc:
            services.add_member(
                actor=manager,
                organisation=org,
                email="y@test.cd",
                role=Role.CASEWORKER,
                supervisor=supervisor,
            )
        assert "supervisor" in exc.value.message_dict
    assert not Membership.objects.filter(user__email="y@test.cd").exists()


def test_deactivation_removes_every_right_at_once_and_is_audited():
    org = make_organisation()
    manager = make_member(org, Role.ORG_MANAGER)
    caseworker = make_member(org, Role.CASEWORKER)
    worker_client = client_for(caseworker)
    assert worker_client.get("/lieux/").status_code == 200
    response = client_for(manager).post(f"/membres/{caseworker.uuid}/activation/", {"active": "0"})
    assert response.status_code == 302
    caseworker.refresh_from_db()
    assert not caseworker.is_active
    assert access.actor_for(caseworker.user).permissions == frozenset()
    assert worker_client.get("/lieux/").status_code == 403
    event = AuditEvent.objects.get(target_id=str(caseworker.uuid), action="update")
    assert event.changes == {"is_active": [True, False]} and event.organisation == org
    client_for(manager).post(f"/membres/{caseworker.uuid}/activation/", {"active": "1"})
    caseworker.refresh_from_db()
    assert caseworker.is_active


def test_a_manager_cannot_deactivate_themselves():
    manager = make_member(make_organisation(), Role.ORG_MANAGER)
    with pytest.raises(ValidationError):
        services.update_member(actor=actor_of(manager), membership=manager, is_active=False)


def test_member_edit_changes_role_and_supervisor():
    org = make_organisation()
    manager = make_member(org, Role.ORG_MANAGER)
    supervisor = make_member(org, Role.SUPERVISOR)
    member = make_member(org, Role.DATA_CLERK)
    client = client_for(manager)
    response = client.post(f"/membres/{member.uuid}/", {"role": "caseworker", "supervisor": supervisor.pk})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.role == Role.CASEWORKER and member.supervisor == supervisor
    bad = client.post(f"/membres/{member.uuid}/", {"role": "coordinator"})
    assert bad.status_code == 400 and "choix valide" in bad.content.decode()  # not offered to managers
    member.refresh_from_db()
    assert member.role == Role.CASEWORKER


@pytest.mark.parametrize(
    "method,url,data",
    [
        ("get", "/organisations/{org}/membres/ajouter/", None),
        ("get", "/membres/{member}/", None),
        ("post", "/membres/{member}/activation/", {"active": "0"}),
    ],
)
def test_member_pages_access_rules(method, url, data):
    org, other = make_organisation(), make_organisation()
    member = make_member(org, Role.CASEWORKER)
    target = url.format(org=org.uuid, member=member.uuid)
    anonymous = getattr(Client(), method)(target, data or {})
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    other_manager = client_for(make_member(other, Role.ORG_MANAGER))
    assert getattr(other_manager, method)(target, data or {}).status_code == 404
    wrong_role = client_for(make_member(org, Role.SUPERVISOR))
    assert getattr(wrong_role, method)(target, data or {}).status_code == 403
    own_manager = client_for(make_member(org, Role.ORG_MANAGER))
    assert getattr(own_manager, method)(target, data or {}).status_code in (200, 302)
    member.refresh_from_db()


def test_organisation_page_lists_members_only_to_those_who_manage_them():
    org = make_organisation()
    make_member(org, Role.CASEWORKER, email="visible@test.cd")
    assert (
        "visible@test.cd"
        in client_for(make_member(org, Role.ORG_MANAGER)).get(f"/organisations/{org.uuid}/").content.decode()
    )
    assert (
        "visible@test.cd"
        not in client_for(make_member(make_organisation(), Role.ORG_MANAGER))
        .get(f"/organisations/{org.uuid}/")
        .content.decode()
    )
    assert (
        "visible@test.cd"
        not in client_for(make_member(org, Role.SUPERVISOR))
        .get(f"/organisations/{org.uuid}/")
        .content.decode()
    )


# --- API -------------------------------------------------------------------------------------------------


def test_api_organisation_create_and_patch(admin, reference_places):
    client = client_for(admin)
    response = client.post(
        "/api/v1/organisations/",
        {
            "name": "Good Shepherd",
            "acronym": "GS",
            "type": "ngo",
            "aliases": ["Bon Pasteur"],
            "area_pcodes": ["CD7201"],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    uuid = response.json()["uuid"]
    assert response.json()["areas"] == ["CD7201"]
    response = client.patch(
        f"/api/v1/organisations/{uuid}/",
        {"acronym": "GSK", "area_pcodes": ["CD72"]},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["acronym"] == "GSK"
    assert response.json()["areas"] == ["CD72"]


def test_api_organisation_bad_input_is_field_level(admin, reference_places):
    client = client_for(admin)
    before = Organisation.objects.count()
    response = client.post(
        "/api/v1/organisations/",
        {"name": "X", "type": "ngo", "aliases": "not-a-list", "area_pcodes": ["CD99"]},
        content_type="application/json",
    )
    assert response.status_code == 400 and "aliases" in response.json()
    response = client.post(
        "/api/v1/organisations/",
        {"name": "X", "type": "ngo", "area_pcodes": ["CD99"]},
        content_type="application/json",
    )
    assert response.status_code == 400 and "CD99" in response.json()["area_pcodes"][0]
    assert Organisation.objects.count() == before


def test_api_organisation_writes_are_refused_to_other_roles():
    org = make_organisation()
    client = client_for(make_member(org, Role.ORG_MANAGER))
    assert (
        client.post(
            "/api/v1/organisations/", {"name": "X", "type": "ngo"}, content_type="application/json"
        ).status_code
        == 403
    )
    assert (
        client.patch(
            f"/api/v1/organisations/{org.uuid}/", {"acronym": "Y"}, content_type="application/json"
        ).status_code
        == 403
    )
    assert Client().get("/api/v1/organisations/").status_code in (401, 403)


def test_api_members():
    org, other = make_organisation(), make_organisation()
    manager = make_member(org, Role.ORG_MANAGER)
    supervisor = make_member(org, Role.SUPERVISOR)
    foreign = make_member(other, Role.CASEWORKER)
    client = client_for(manager)
    response = client.post(
        "/api/v1/members/",
        {
            "organisation": str(org.uuid),
            "email": "api@test.cd",
            "role": "caseworker",
            "supervisor": str(supervisor.uuid),
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    uuid = response.json()["uuid"]
    listed = {m["uuid"] for m in client.get("/api/v1/members/").json()["results"]}
    assert uuid in listed and str(foreign.uuid) not in listed
    assert client.get(f"/api/v1/members/{foreign.uuid}/").status_code == 404
    assert (
        client.patch(
            f"/api/v1/members/{foreign.uuid}/", {"is_active": False}, content_type="application/json"
        ).status_code
        == 404
    )
    response = client.patch(f"/api/v1/members/{uuid}/", {"is_active": False}, content_type="application/json")
    assert response.status_code == 200 and response.json()["is_active"] is False
    response = client.post(
        "/api/v1/members/",
        {"organisation": str(other.uuid), "email": "api2@test.cd", "role": "caseworker"},
        content_type="application/json",
    )
    assert response.status_code == 403
    response = client.post(
        "/api/v1/members/",
        {"organisation": str(org.uuid), "email": "nope", "role": 3},
        content_type="application/json",
    )
    assert response.status_code == 400 and {"email", "role"} <= set(response.json())
    assert client_for(make_member(org, Role.CASEWORKER)).get("/api/v1/members/").status_code == 403
