"""Accounts: lockout after failed logins, session expiry, second factor, API tokens (UI and API)."""

import datetime

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from kinga.core.actors import system_user
from kinga.core.models import ApiToken, AuditEvent
from kinga.core.roles import MFA_REQUIRED_ROLES, Role
from kinga.core.services import create_api_token
from kinga.core.testing import TEST_PASSWORD, actor_of, client_for, make_member, make_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()  # allauth's login rate limits live in the cache, shared by the tests of a process
    yield
    cache.clear()


def _login(client, email, password):
    return client.post("/accounts/login/", {"login": email, "password": password})


def test_repeated_failed_logins_lock_the_account_out():
    member = make_member(make_organisation(), Role.VIEWER)
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _login(client, member.user.email, "wrong-password-1")
        assert response.status_code == 200  # the form again, with its error
    locked = _login(client, member.user.email, "wrong-password-1")
    assert locked.status_code == 429
    assert "bloqué" in locked.content.decode()
    # Even the right password is refused while the lockout lasts.
    again = _login(client, member.user.email, TEST_PASSWORD)
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_successful_login_before_the_limit_resets_the_count():
    member = make_member(make_organisation(), Role.VIEWER)
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, member.user.email, "wrong-password-1")
    assert _login(client, member.user.email, TEST_PASSWORD).status_code == 302
    client.logout()
    assert _login(client, member.user.email, "wrong-password-1").status_code == 200


def test_sessions_expire_after_inactivity_and_with_the_browser():
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_SAVE_EVERY_REQUEST is True  # each request pushes the expiry back: inactivity
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
    member = make_member(make_organisation(), Role.VIEWER)
    client = Client()
    assert _login(client, member.user.email, TEST_PASSWORD).status_code == 302
    assert client.get("/").status_code == 200
    session = Session.objects.get(session_key=client.session.session_key)
    expected = timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert abs((session.expire_date - expected).total_seconds()) < 60
    # Past the inactivity limit the session is gone: back to the login page.
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", sorted(MFA_REQUIRED_ROLES))
def test_roles_that_see_identities_and_administrators_must_enrol_a_second_factor(role):
    assert Role.ADMIN in MFA_REQUIRED_ROLES
    member = make_member(make_organisation(), role)
    client = Client()
    _login(client, member.user.email, TEST_PASSWORD)
    for url in ("/", "/lieux/", "/profil/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/2fa/totp/activate/" in response["Location"], url
    assert client.get("/api/v1/me/").status_code == 403


@pytest.mark.parametrize("role", [Role.VIEWER, Role.COORDINATOR, Role.COMPANY_OFFICER, Role.FOCAL_POINT])
def test_roles_that_never_see_identities_may_work_without_a_second_factor(role):
    member = make_member(make_organisation(), role)
    client = Client()
    _login(client, member.user.email, TEST_PASSWORD)
    response = client.get("/")
    assert response.status_code == 200
    # The home page itself, in their role: not the second-factor enrolment.
    assert f"{member.get_role_display()}" in response.content.decode()
    assert 'action="/accounts/2fa/totp/activate' not in response.content.decode()


def test_system_actor_cannot_log_in():
    user = system_user()
    user.set_password(TEST_PASSWORD)
    user.save(update_fields=["password"])
    client = Client()
    _login(client, user.email, TEST_PASSWORD)
    assert "_auth_user_id" not in client.session


# --- API tokens ------------------------------------------------------------------------------------------


def test_token_created_and_revoked_in_the_profile_page():
    member = make_member(make_organisation(), Role.DATA_CLERK)
    client = client_for(member)
    response = client.post("/profil/jetons/", {"name": "Kobo Kolwezi"})
    body = response.content.decode()
    assert response.status_code == 200 and 'id="new-key"' in body
    key = body.split('id="new-key">', 1)[1].split("<", 1)[0]
    token = ApiToken.objects.get(user=member.user)
    assert key.startswith(token.prefix) and key not in token.digest  # only a digest is stored
    api = Client(headers={"Authorization": f"Token {key}"})
    assert api.get("/api/v1/me/").status_code == 200
    # The key is shown once: the profile page never shows it again.
    assert key not in client.get("/profil/").content.decode()
    response = client.post(f"/profil/jetons/{token.uuid}/revoquer/")
    assert response.status_code == 302
    assert api.get("/api/v1/me/").status_code == 401
    assert "révoqué" in client.get("/profil/").content.decode()
    assert AuditEvent.objects.filter(target_id=str(token.uuid), action="update").exists()


def test_token_form_errors_are_shown():
    client = client_for(make_member(make_organisation(), Role.DATA_CLERK))
    response = client.post("/profil/jetons/", {"name": ""})
    assert response.status_code == 400 and "obligatoire" in response.content.decode()
    past = (timezone.now() - datetime.timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
    response = client.post("/profil/jetons/", {"name": "x", "expires_at": past})
    assert response.status_code == 400 and "futur" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_tokens_api_create_use_and_revoke():
    member = make_member(make_organisation(), Role.DATA_CLERK)
    client = client_for(member)
    response = client.post("/api/v1/tokens/", {"name": "ODK Central"}, content_type="application/json")
    assert response.status_code == 201
    key, uuid = response.json()["key"], response.json()["uuid"]
    api = Client(headers={"Authorization": f"Bearer {key}"})
    listed = api.get("/api/v1/tokens/").json()["results"]
    assert [t["uuid"] for t in listed] == [uuid] and "key" not in listed[0]
    other = client_for(make_member(member.organisation, Role.DATA_CLERK))
    assert other.delete(f"/api/v1/tokens/{uuid}/").status_code == 404  # someone else's token
    assert api.delete(f"/api/v1/tokens/{uuid}/").status_code == 204
    assert api.get("/api/v1/me/").status_code == 401
    assert client.get(f"/api/v1/tokens/{uuid}/").json()["revoked_at"] is not None
    assert client.post(
        "/api/v1/tokens/", {"name": 12, "expires_at": "soon"}, content_type="application/json"
    ).json().keys() == {"expires_at"}


def test_expired_token_and_inactive_user_are_refused():
    member = make_member(make_organisation(), Role.DATA_CLERK)
    token, key = create_api_token(
        actor=actor_of(member), name="t", expires_at=timezone.now() + datetime.timedelta(hours=1)
    )
    api = Client(headers={"Authorization": f"Token {key}"})
    assert api.get("/api/v1/me/").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert api.get("/api/v1/me/").status_code == 401
    assert (
        Client(headers={"Authorization": "Token kinga_not-a-real-key"}).get("/api/v1/me/").status_code == 401
    )


def test_lockout_is_per_account_not_per_office_connection():
    org = make_organisation()
    clumsy, colleague = make_member(org, Role.VIEWER), make_member(org, Role.VIEWER)
    client = Client()  # same IP address for both, as behind an office's shared connection
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, clumsy.user.email, "wrong-password-1")
    assert _login(client, clumsy.user.email, TEST_PASSWORD).status_code == 429
    assert _login(Client(), colleague.user.email, TEST_PASSWORD).status_code == 302
