import pytest
from django.test import Client
from django.urls import reverse

from kinga.core import plugins
from kinga.core.models import ApiToken
from kinga.core.plugins import nav_items
from kinga.core.roles import Role
from kinga.core.services import create_api_token
from kinga.core.testing import actor_of, client_for, make_member, make_organisation

pytestmark = pytest.mark.django_db

PAGES = ["/", "/lieux/", "/lieux/ajouter/", "/organisations/", "/audit/", "/profil/"]


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_users_are_sent_to_login(url):
    response = Client().get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_login_page_is_french_by_default():
    body = Client().get("/accounts/login/").content.decode()
    assert 'lang="fr"' in body and "Connexion" in body


def test_language_switch_to_english():
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert 'lang="en"' in client.get("/accounts/login/").content.decode()


@pytest.mark.parametrize("role", list(Role))
def test_every_role_has_a_home_page_and_reaches_the_pages_of_its_permissions_only_from_the_menu(role):
    member = make_member(make_organisation(), role)
    response = client_for(member).get("/")
    assert response.status_code == 200
    menu = response.content.decode().split('<details class="menu">', 1)[1].split("</details>", 1)[0]
    actor = actor_of(member)
    for item in nav_items():
        assert (f'href="{reverse(item.url_name)}"' in menu) == actor.has(item.permission), item.url_name


def test_home_shows_the_panels_registered_for_the_role_in_order_and_none_of_the_others(monkeypatch):
    registered = []
    monkeypatch.setattr(plugins, "_HOME_PANELS", registered)
    link = plugins.HomeLink
    plugins.register_home_panel(
        "second",
        roles=[Role.CASEWORKER],
        order=20,
        build=lambda actor: plugins.HomePanel(title="Deuxième panneau", empty_text="Rien à faire"),
    )
    plugins.register_home_panel(
        "first",
        roles=[Role.CASEWORKER, Role.SUPERVISOR],
        order=10,
        build=lambda actor: plugins.HomePanel(
            title="Premier panneau",
            action=link("Faire la chose", "/faire/"),
            counts=[plugins.HomeCount("en retard", 3, overdue=True)],
            rows=[plugins.HomeRow("LUA-1", url="/cas/1/", overdue=True, detail="Suivi")],
            more=link("Voir tout", "/tout/"),
        ),
    )
    plugins.register_home_panel("silent", roles=[Role.CASEWORKER], order=5, build=lambda actor: None)
    plugins.register_home_panel(
        "other", roles=[Role.VIEWER], order=1, build=lambda actor: plugins.HomePanel(title="Pas pour moi")
    )
    body = client_for(make_member(make_organisation(), Role.CASEWORKER)).get("/").content.decode()
    assert body.index("Premier panneau") < body.index("Faire la chose") < body.index("Deuxième panneau")
    assert 'id="panel-first"' in body and 'id="panel-silent"' not in body and "Pas pour moi" not in body
    assert 'class="overdue"' in body and 'href="/cas/1/"' in body and "Rien à faire" in body
    assert 'href="/tout/"' in body and 'class="tiles"' not in body


def test_identity_roles_must_enrol_a_second_factor_first():
    member = make_member(make_organisation(), Role.CASEWORKER)
    client = Client()
    client.force_login(member.user)
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/2fa/totp/activate" in response["Location"]


def test_another_users_token_cannot_be_revoked():
    org = make_organisation()
    owner = make_member(org, Role.CASEWORKER)
    token, _key = create_api_token(actor=actor_of(owner), name="odk")
    response = client_for(make_member(org, Role.CASEWORKER)).post(f"/profil/jetons/{token.uuid}/revoquer/")
    assert response.status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_place_add_requires_the_permission():
    assert client_for(make_member(make_organisation(), Role.VIEWER)).get("/lieux/ajouter/").status_code == 403


def test_session_without_second_factor_cannot_use_the_api():
    member = make_member(make_organisation(), Role.CASEWORKER)
    client = Client()
    client.force_login(member.user)
    response = client.get("/api/v1/places/")
    assert response.status_code == 403 and "second" in response.json()["detail"].lower()


def test_french_whatever_the_browser_language_until_the_person_switches():
    client = Client(headers={"Accept-Language": "en-US,en;q=0.9"})
    assert 'lang="fr"' in client.get("/accounts/login/").content.decode()
    member = make_member(make_organisation(), Role.VIEWER)
    client = client_for(member)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert 'lang="en"' in client.get("/").content.decode()
    member.user.refresh_from_db()
    assert member.user.preferred_language == "en"  # e-mails to this person follow their choice
