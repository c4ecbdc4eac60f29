"""API tokens never bypass the second factor, and never outlive the token that minted them."""

import datetime
import time

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.utils import timezone

from kinga.core.models import ApiToken
from kinga.core.roles import Role
from kinga.core.services import create_api_token, revoke_api_token
from kinga.core.testing import (
    actor_of,
    client_for,
    client_without_second_factor,
    enrol_totp,
    make_member,
    make_organisation,
)

pytestmark = pytest.mark.django_db


def _reauthenticated(client: Client) -> Client:
    """As if the member had just typed their password again (allauth asks before changing a factor)."""
    session = client.session
    records = session["account_authentication_methods"]
    records.append({"method": "password", "at": time.time(), "reauthenticated": True})
    session["account_authentication_methods"] = records
    session.save()
    return client


def _api(key: str) -> Client:
    return Client(headers={"Authorization": f"Token {key}"})


def test_a_role_that_must_have_a_second_factor_cannot_switch_it_off():
    member = make_member(make_organisation(), Role.CASEWORKER)
    client = _reauthenticated(client_for(member))
    response = client.post("/accounts/2fa/totp/deactivate/")
    assert response.status_code in (200, 400)
    assert Authenticator.objects.filter(user=member.user, type=Authenticator.Type.TOTP).exists()


def test_a_role_without_that_duty_may_switch_it_off():
    member = make_member(make_organisation(), Role.VIEWER)
    client = _reauthenticated(client_for(member))
    assert client.post("/accounts/2fa/totp/deactivate/").status_code == 302
    assert not Authenticator.objects.filter(user=member.user, type=Authenticator.Type.TOTP).exists()


def test_a_token_of_an_identity_role_without_a_second_factor_is_refused():
    member = make_member(make_organisation(), Role.CASEWORKER)
    enrol_totp(member.user)
    _token, key = create_api_token(actor=actor_of(member), name="kobo")
    assert _api(key).get("/api/v1/me/").status_code == 200
    Authenticator.objects.filter(user=member.user).delete()  # second factor gone (e.g. by an administrator)
    response = _api(key).get("/api/v1/me/")
    assert response.status_code == 401 and "facteur" in response.json()["detail"]


def test_tokens_are_created_only_from_a_session_that_passed_the_second_factor():
    member = make_member(make_organisation(), Role.DATA_CLERK)
    enrol_totp(member.user)
    bare = client_without_second_factor(member)
    assert bare.post("/api/v1/tokens/", {"name": "x"}, content_type="application/json").status_code == 403
    assert bare.post("/profil/jetons/", {"name": "x"}).status_code == 400
    assert not ApiToken.objects.exists()
    response = client_for(member).post("/api/v1/tokens/", {"name": "x"}, content_type="application/json")
    assert response.status_code == 201


def test_a_minted_token_expires_with_its_parent_and_dies_with_it():
    member = make_member(make_organisation(), Role.DATA_CLERK)
    soon = timezone.now() + datetime.timedelta(hours=1)
    parent, parent_key = create_api_token(actor=actor_of(member), name="short", expires_at=soon)
    # A short-lived token asks for a permanent one: it gets one that ends with it.
    response = _api(parent_key).post("/api/v1/tokens/", {"name": "forever"}, content_type="application/json")
    assert response.status_code == 201
    child = ApiToken.objects.get(uuid=response.json()["uuid"])
    assert child.parent == parent and child.expires_at == parent.expires_at
    later = soon + datetime.timedelta(days=30)
    response = _api(parent_key).post(
        "/api/v1/tokens/", {"name": "later", "expires_at": later.isoformat()}, content_type="application/json"
    )
    assert ApiToken.objects.get(uuid=response.json()["uuid"]).expires_at == parent.expires_at
    grandchild_key = (
        _api(response.json()["key"])
        .post("/api/v1/tokens/", {"name": "grandchild"}, content_type="application/json")
        .json()["key"]
    )
    assert _api(grandchild_key).get("/api/v1/me/").status_code == 200
    revoke_api_token(actor=actor_of(member), token=parent)
    assert _api(grandchild_key).get("/api/v1/me/").status_code == 401
    assert not ApiToken.objects.filter(revoked_at__isnull=True).exists()


def test_a_minted_token_is_unusable_once_its_parent_expires():
    member = make_member(make_organisation(), Role.DATA_CLERK)
    parent, parent_key = create_api_token(actor=actor_of(member), name="p")
    child_key = (
        _api(parent_key).post("/api/v1/tokens/", {"name": "c"}, content_type="application/json").json()["key"]
    )
    ApiToken.objects.filter(pk=parent.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert _api(child_key).get("/api/v1/me/").status_code == 401


def test_no_token_lives_longer_than_the_maximum(settings):
    settings.KINGA_API_TOKEN_MAX_DAYS = 30
    member = make_member(make_organisation(), Role.DATA_CLERK)
    longest = timezone.now() + datetime.timedelta(days=30)
    unlimited, _key = create_api_token(actor=actor_of(member), name="sans fin")
    assert unlimited.expires_at is not None and abs(unlimited.expires_at - longest) < datetime.timedelta(
        minutes=1
    )
    asked = timezone.now() + datetime.timedelta(days=365)
    long, _key = create_api_token(actor=actor_of(member), name="un an", expires_at=asked)
    assert abs(long.expires_at - longest) < datetime.timedelta(minutes=1)
    soon = timezone.now() + datetime.timedelta(days=7)
    short, _key = create_api_token(actor=actor_of(member), name="une semaine", expires_at=soon)
    assert short.expires_at == soon
    # Through the API and the page too (both go through the service).
    client = client_for(member)
    response = client.post("/api/v1/tokens/", {"name": "api"}, content_type="application/json")
    assert abs(ApiToken.objects.get(uuid=response.json()["uuid"]).expires_at - longest) < datetime.timedelta(
        minutes=1
    )
    client.post("/profil/jetons/", {"name": "page", "expires_at": "2099-01-01 00:00"})
    assert abs(ApiToken.objects.get(name="page").expires_at - longest) < datetime.timedelta(minutes=1)
