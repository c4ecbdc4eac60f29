"""Every page and endpoint of the core against: an anonymous user, a user of another organisation (404 for
objects that belong to an organisation) and a user whose role lacks the permission (403).

Places and organisations are reference data every member reads, so "another organisation" does not apply
to them; their writes are checked against a role without the permission instead."""

import pytest
from django.test import Client

from kinga.core.models import Membership
from kinga.core.roles import Role
from kinga.core.services import create_api_token
from kinga.core.testing import actor_of, client_for, make_member, make_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(kolwezi):
    a, b = make_organisation(), make_organisation()
    w = {
        "org_a": a,
        "manager_a": make_member(a, Role.ORG_MANAGER),
        "supervisor_a": make_member(a, Role.SUPERVISOR),
        "caseworker_a": make_member(a, Role.CASEWORKER),
        "viewer_a": make_member(a, Role.VIEWER),
        "manager_b": make_member(b, Role.ORG_MANAGER),
        "caseworker_b": make_member(b, Role.CASEWORKER),
        "admin": make_member(make_organisation(), Role.ADMIN),
        "kolwezi": kolwezi,
    }
    w["token_a"], _key = create_api_token(actor=actor_of(w["caseworker_a"]), name="kobo")
    return w


def _no_role(world):
    """A member whose only membership is deactivated: no permission at all."""
    member = make_member(world["org_a"], Role.CASEWORKER)
    Membership.objects.filter(pk=member.pk).update(is_active=False)
    member.refresh_from_db()
    return member


def _call(client, method, url, data=None):
    if method == "get":
        return client.get(url)
    return (
        getattr(client, method)(url, data or {}, content_type="application/json")
        if url.startswith("/api/")
        else getattr(client, method)(url, data or {})
    )


# (method, url, data, the member who may, who lacks the permission, who is in another organisation)
PAGES = [
    ("get", "/", None, "caseworker_a", None, None),
    ("get", "/lieux/", None, "caseworker_a", "no_role", None),
    ("get", "/lieux/ajouter/", None, "caseworker_a", "viewer_a", None),
    ("get", "/organisations/", None, "viewer_a", "no_role", None),
    ("get", "/organisations/ajouter/", None, "admin", "manager_a", None),
    ("get", "/organisations/{org_a}/", None, "viewer_a", "no_role", None),
    ("get", "/organisations/{org_a}/modifier/", None, "admin", "manager_a", None),
    ("get", "/organisations/{org_a}/membres/ajouter/", None, "manager_a", "supervisor_a", "manager_b"),
    ("get", "/membres/{caseworker_a}/", None, "manager_a", "supervisor_a", "manager_b"),
    (
        "post",
        "/membres/{caseworker_a}/activation/",
        {"active": "1"},
        "manager_a",
        "supervisor_a",
        "manager_b",
    ),
    ("get", "/audit/", None, "admin", "manager_a", None),
    ("get", "/profil/", None, "caseworker_a", "no_role", None),
    ("post", "/profil/jetons/", {"name": "x"}, "caseworker_a", "no_role", None),
    ("post", "/profil/jetons/{token_a}/revoquer/", None, "caseworker_a", "no_role", "caseworker_b"),
    ("get", "/api/v1/me/", None, "caseworker_a", None, None),
    ("get", "/api/v1/places/", None, "caseworker_a", "no_role", None),
    ("get", "/api/v1/places/{kolwezi}/", None, "caseworker_a", "no_role", None),
    (
        "post",
        "/api/v1/places/",
        {"name": "Kasulo", "parent_pcode": "CD7201"},
        "caseworker_a",
        "viewer_a",
        None,
    ),
    ("get", "/api/v1/organisations/", None, "viewer_a", "no_role", None),
    ("get", "/api/v1/organisations/{org_a}/", None, "viewer_a", "no_role", None),
    ("post", "/api/v1/organisations/", {"name": "Nouvelle", "type": "ngo"}, "admin", "manager_a", None),
    ("patch", "/api/v1/organisations/{org_a}/", {"acronym": "NA"}, "admin", "manager_a", None),
    ("get", "/api/v1/members/", None, "manager_a", "supervisor_a", None),
    ("get", "/api/v1/members/{caseworker_a}/", None, "manager_a", "supervisor_a", "manager_b"),
    (
        "patch",
        "/api/v1/members/{caseworker_a}/",
        {"is_active": True},
        "manager_a",
        "supervisor_a",
        "manager_b",
    ),
    ("get", "/api/v1/tokens/", None, "caseworker_a", "no_role", None),
    ("get", "/api/v1/tokens/{token_a}/", None, "caseworker_a", "no_role", "caseworker_b"),
    ("delete", "/api/v1/tokens/{token_a}/", None, "caseworker_a", "no_role", "caseworker_b"),
    ("get", "/api/v1/audit/", None, "admin", "manager_a", None),
    ("get", "/api/schema/", None, "viewer_a", None, None),
    ("get", "/api/docs/", None, "viewer_a", None, None),
]


def _url(template, world):
    values = {key: getattr(obj, "uuid", None) for key, obj in world.items() if hasattr(obj, "uuid")}
    return template.format(**values)


@pytest.mark.parametrize(
    "method,template,data,allowed,lacking,foreign", PAGES, ids=[f"{p[0]} {p[1]}" for p in PAGES]
)
def test_access_matrix(world, method, template, data, allowed, lacking, foreign):
    url = _url(template, world)
    anonymous = _call(Client(), method, url, data)
    if url.startswith("/api/"):
        assert anonymous.status_code in (401, 403), "anonymous"
    else:
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"], "anonymous"
    if lacking:
        member = _no_role(world) if lacking == "no_role" else world[lacking]
        assert _call(client_for(member), method, url, data).status_code == 403, "role without permission"
    if foreign:
        assert _call(client_for(world[foreign]), method, url, data).status_code == 404, "other organisation"
    response = _call(client_for(world[allowed]), method, url, data)
    assert response.status_code in (200, 201, 204, 302), f"allowed: {response.status_code}"


def test_a_person_without_any_role_sees_why_on_the_home_page(world):
    body = client_for(_no_role(world)).get("/").content.decode()
    assert "aucune organisation active" in body
