"""The pages a refusal or an error shows are French, like every page (Django's own are English)."""

import uuid

import pytest
from django.test import RequestFactory

from kinga.core.outage import bad_request, server_error
from kinga.core.roles import Role
from kinga.core.testing import client_for, make_member, make_organisation

pytestmark = pytest.mark.django_db

ENGLISH = ("Not Found", "Forbidden", "Server Error", "Bad Request", "requested resource")


def _french(html: str, *expected: str) -> None:
    for text in expected:
        assert text in html
    for word in ENGLISH:
        assert word not in html


def test_a_missing_or_other_organisations_record_is_a_french_404():
    client = client_for(make_member(make_organisation(), Role.SUPERVISOR))
    response = client.get(f"/cases/{uuid.uuid4()}/")
    assert response.status_code == 404
    _french(response.content.decode(), "Page introuvable", "Retour à la page d'accueil")


def test_a_missing_permission_is_a_french_403():
    client = client_for(make_member(make_organisation(), Role.CASEWORKER))
    response = client.get("/audit/")
    assert response.status_code == 403
    _french(response.content.decode(), "Accès refusé", "Votre rôle ne permet pas")


def test_a_server_error_and_an_unreadable_request_are_french_pages_without_a_database_query(
    django_assert_num_queries,
):
    request = RequestFactory().get("/cases/")
    with django_assert_num_queries(0):
        error = server_error(request)
        refused = bad_request(request, ValueError("unreadable"))
    assert error.status_code == 500 and refused.status_code == 400
    _french(error.content.decode(), "Une erreur s’est produite")
    _french(refused.content.decode(), "Requête refusée", "Revenez en arrière")


@pytest.mark.urls("kinga.core.tests.urls_raising")
def test_a_view_that_fails_answers_kinga_french_500_page(settings):
    settings.DEBUG = False
    client = client_for(make_member(make_organisation(), Role.CASEWORKER))
    client.raise_request_exception = False
    response = client.get("/tests/failing/")
    assert response.status_code == 500
    _french(response.content.decode(), "Une erreur s’est produite", "Retour à la page d'accueil")
    assert "RuntimeError" not in response.content.decode()
