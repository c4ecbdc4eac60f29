"""The database unavailable: every page a French 503, the API a JSON 503, and recovery without a restart."""

import socket

import pytest
from django.db import OperationalError, connection
from django.test import Client

from kinga.core.outage import is_database_unavailable
from kinga.core.roles import Role
from kinga.core.testing import client_for, make_member, make_organisation

PAGES = ["/", "/lieux/", "/audit/", "/alerte/", "/accounts/login/"]


def _refuse_every_query(execute, sql, params, many, context):
    raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")


def _assert_unavailable(response, *, api: bool = False):
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    if api:
        assert response["Content-Type"] == "application/json"
        assert "indisponible" in response.json()["detail"]
    else:
        body = response.content.decode()
        assert 'lang="fr"' in body and "Service momentanément indisponible" in body
        assert "Traceback" not in body and "OperationalError" not in body


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_every_page_answers_a_french_503_while_the_database_is_down_and_recovers(url):
    member = make_member(make_organisation(), Role.COORDINATOR)
    client = client_for(member, Client(raise_request_exception=False))
    with connection.execute_wrapper(_refuse_every_query):
        _assert_unavailable(client.get(url))
    assert client.get(url).status_code in (200, 302)


@pytest.mark.django_db
def test_the_public_alert_form_answers_a_french_503_to_anonymous_reporters():
    client = Client(raise_request_exception=False)
    with connection.execute_wrapper(_refuse_every_query):
        _assert_unavailable(client.get("/alerte/"))
    assert client.get("/alerte/").status_code == 200


def _refuse_session_writes(execute, sql, params, many, context):
    if sql.startswith(("UPDATE", "INSERT")) and "django_session" in sql:
        raise OperationalError("server closed the connection unexpectedly")
    return execute(sql, params, many, context)


@pytest.mark.django_db
def test_a_session_that_cannot_be_saved_because_the_database_went_away_is_a_503_not_a_400():
    # Seen in the restart drill: the page was read, then the session save (every request) hit the restart.
    client = client_for(
        make_member(make_organisation(), Role.COORDINATOR), Client(raise_request_exception=False)
    )
    with connection.execute_wrapper(_refuse_session_writes):
        _assert_unavailable(client.get("/"))
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_the_api_answers_a_json_503_while_the_database_is_down():
    member = make_member(make_organisation(), Role.COORDINATOR)
    client = client_for(member, Client(raise_request_exception=False))
    with connection.execute_wrapper(_refuse_every_query):
        _assert_unavailable(client.get("/api/v1/me/"), api=True)
        _assert_unavailable(client.get("/api/v1/places/"), api=True)
    assert client.get("/api/v1/me/").status_code == 200


@pytest.mark.django_db
def test_a_form_posted_while_the_database_is_down_gets_the_503_page():
    client = Client(raise_request_exception=False)
    with connection.execute_wrapper(_refuse_every_query):
        _assert_unavailable(client.post("/accounts/login/", {"login": "x@example.org", "password": "y"}))


def test_other_server_errors_stay_500s():
    assert not is_database_unavailable(ValueError("a bug"))
    try:
        try:
            raise OperationalError("server closed the connection unexpectedly")
        except OperationalError:
            raise RuntimeError("while handling it") from None
    except RuntimeError as exc:
        # `from None` hides the cause from tracebacks but the lost connection is still the reason.
        assert is_database_unavailable(exc)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only: a real refused connection")
@pytest.mark.django_db(transaction=True)
def test_a_refused_postgresql_connection_gives_the_503_page_and_the_next_request_reconnects():
    member = make_member(make_organisation(), Role.COORDINATOR)
    client = client_for(member, Client(raise_request_exception=False))
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    real_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = closed_port
    try:
        _assert_unavailable(client.get("/"))
        _assert_unavailable(client.get("/api/v1/me/"), api=True)
    finally:
        connection.close()
        connection.settings_dict["PORT"] = real_port
    assert client.get("/").status_code == 200
