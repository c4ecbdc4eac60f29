import re

import pytest
from django.test import Client

from kinga.core.roles import Role
from kinga.core.services import create_api_token, revoke_api_token
from kinga.core.testing import actor_of, client_for, make_member, make_organisation

pytestmark = pytest.mark.django_db


def test_token_authenticates_and_revocation_stops_it():
    member = make_member(make_organisation(), Role.DATA_CLERK)
    token, key = create_api_token(actor=actor_of(member), name="kobo")
    assert key not in token.digest
    client = Client(headers={"Authorization": f"Token {key}"})
    me = client.get("/api/v1/me/")
    assert me.status_code == 200 and me.json()["role"] == "data_clerk"
    revoke_api_token(actor=actor_of(member), token=token)
    assert client.get("/api/v1/me/").status_code == 401


def test_anonymous_api_is_refused():
    assert Client().get("/api/v1/places/").status_code in (401, 403)


def test_audit_api_needs_the_permission():
    assert (
        client_for(make_member(make_organisation(), Role.CASEWORKER)).get("/api/v1/audit/").status_code == 403
    )


def test_schema_and_docs_are_served_locally():
    client = client_for(make_member(make_organisation(), Role.VIEWER))
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/").content.decode()
    # Not a bare "cdn" substring: the page carries random nonces that may spell it.
    external = re.findall(r"""(?:src|href)\s*=\s*["'](?:https?:)?//[^"']+""", docs, flags=re.IGNORECASE)
    assert external == []
    assert not re.search(r"cdn\.|jsdelivr|unpkg|cdnjs", docs, flags=re.IGNORECASE)
