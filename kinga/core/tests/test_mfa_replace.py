"""A role that must have a second factor changes phones by replacing its authenticator app (issue 14, item 5):
the new app is confirmed by a code before the old one stops working, never a moment without a second factor."""

import html
import time

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from kinga.core.models import AuditEvent
from kinga.core.roles import Role
from kinga.core.testing import client_for, make_member, make_organisation, totp_code, totp_secret_of

pytestmark = pytest.mark.django_db
URL = "/profil/authentificateur/remplacer/"


@pytest.fixture
def member():
    return make_member(make_organisation(), Role.CASEWORKER)


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
