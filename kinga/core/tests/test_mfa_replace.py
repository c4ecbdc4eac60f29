"""A role that must have a second factor changes phones by replacing its authenticator app (issue 14, item 5):
the new app is confirmed by a code before the old one stops working, never a moment without a second factor."""

import html
import re
import time

import pytest
from allauth.mfa.models import Authenticator
from django.core.cache import caches
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from kinga.core.models import AuditEvent
from kinga.core.roles import Role
from kinga.core.testing import client_for, make_member, make_organisation, totp_code, totp_secret_of

pytestmark = pytest.mark.django_db
URL = "/profil/authentificateur/remplacer/"


@pytest.fixture
def member():
    return make_member(make_organisation(), Role.CASEWORKER)


@pytest.fixture
def shared_cache():
    """As in production: the database cache every worker shares (a wrong code's transaction is rolled back;
    its count must not go with it)."""
    shared = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "kinga_cache"}
    }
    with override_settings(CACHES=shared):
        call_command("createcachetable", verbosity=0)
        yield
        caches["default"].clear()


def _reauthenticated(client):
    """As if the member had just typed their password again (allauth asks before changing a factor)."""
    session = client.session
    records = session["account_authentication_methods"]
    records.append({"method": "password", "at": time.time(), "reauthenticated": True})
    session["account_authentication_methods"] = records
    session.save()
    return client


def _totp(user):
    return Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)


def test_the_new_app_replaces_the_old_one_once_its_code_is_confirmed(member):
    client = _reauthenticated(client_for(member))
    old = _totp(member.user)
    old_secret = totp_secret_of(member.user)
    page = client.get(URL)
    assert page.status_code == 200
    text = html.unescape(page.content.decode())
    assert "Remplacer l'application d'authentification" in text and "votre application actuelle" in text
    new_secret = client.session["kinga_mfa_replacement_secret"]
    assert new_secret in text and new_secret != old_secret

    wrong = client.post(
        URL, {"code": totp_code(old_secret)}
    )  # the old app's code does not confirm the new one
    assert wrong.status_code == 400 and "Code incorrect" in html.unescape(wrong.content.decode())
    assert _totp(member.user).pk == old.pk and totp_secret_of(member.user) == old_secret

    done = client.post(URL, {"code": totp_code(new_secret)})
    assert done.status_code == 302 and done["Location"] == reverse("core:profile")
    assert Authenticator.objects.filter(user=member.user, type=Authenticator.Type.TOTP).count() == 1
    assert totp_secret_of(member.user) == new_secret
    assert "kinga_mfa_replacement_secret" not in client.session
    assert AuditEvent.objects.filter(
        note="second factor replaced", target_type="core.user", actor=member.user
    ).exists()


def test_the_secret_shown_is_the_one_confirmed(member):
    """A second visit to the page shows a new secret; the code of the one on screen is what counts."""
    client = _reauthenticated(client_for(member))
    client.get(URL)
    first = client.session["kinga_mfa_replacement_secret"]
    client.get(URL)
    second = client.session["kinga_mfa_replacement_secret"]
    assert first != second
    assert client.post(URL, {"code": totp_code(first)}).status_code == 400
    assert client.post(URL, {"code": totp_code(second)}).status_code == 302
    assert totp_secret_of(member.user) == second


def test_replacing_asks_for_the_password_again(member):
    response = client_for(member).get(URL)
    assert response.status_code == 302 and "reauthenticate" in response["Location"]


def test_switching_it_off_is_refused_and_says_how_to_replace_it(member):
    client = _reauthenticated(client_for(member))
    response = client.post("/accounts/2fa/totp/deactivate/")
    assert "Remplacer l'application d'authentification" in html.unescape(response.content.decode())
    assert Authenticator.objects.filter(user=member.user, type=Authenticator.Type.TOTP).exists()


def test_without_an_app_the_page_sends_to_activation():
    member = make_member(make_organisation(), Role.VIEWER)
    client = _reauthenticated(client_for(member))
    Authenticator.objects.filter(user=member.user).delete()
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def _new_process():
    """What another worker would see: no cache object of this one survives."""
    caches.close_all()
    for alias in list(caches):
        del caches[alias]


def test_after_five_wrong_codes_even_the_right_one_is_refused_for_that_person_only(member, shared_cache):
    client = _reauthenticated(client_for(member))
    old_secret = totp_secret_of(member.user)
    client.get(URL)
    secret = client.session["kinga_mfa_replacement_secret"]
    for _ in range(5):
        wrong = client.post(URL, {"code": _wrong(totp_code(secret))})
        assert wrong.status_code == 400 and "Code incorrect" in html.unescape(wrong.content.decode())
        _new_process()

    refused = client.post(URL, {"code": totp_code(secret)})  # the right code, the 6th try
    text = html.unescape(refused.content.decode())
    assert refused.status_code == 400 and "Trop de codes incorrects" in text
    retry = re.search(r"réessayez à (\d\d):(\d\d) \(dans (\d+) minutes\)", text)
    assert retry and 14 <= int(retry[3]) <= 15
    assert totp_secret_of(member.user) == old_secret  # the old app still counts

    other = make_member(make_organisation(), Role.CASEWORKER)  # the limit is per person
    other_client = _reauthenticated(client_for(other))
    other_client.get(URL)
    other_secret = other_client.session["kinga_mfa_replacement_secret"]
    assert other_client.post(URL, {"code": totp_code(other_secret)}).status_code == 302
    assert totp_secret_of(other.user) == other_secret


def test_a_replacement_clears_the_count_of_wrong_codes(member, shared_cache):
    client = _reauthenticated(client_for(member))
    client.get(URL)
    secret = client.session["kinga_mfa_replacement_secret"]
    for _ in range(4):
        assert client.post(URL, {"code": _wrong(totp_code(secret))}).status_code == 400
    assert client.post(URL, {"code": totp_code(secret)}).status_code == 302

    client.get(URL)
    secret = client.session["kinga_mfa_replacement_secret"]
    for _ in range(4):  # a fresh count: four more wrong codes do not reach the limit
        assert client.post(URL, {"code": _wrong(totp_code(secret))}).status_code == 400
    assert client.post(URL, {"code": totp_code(secret)}).status_code == 302
