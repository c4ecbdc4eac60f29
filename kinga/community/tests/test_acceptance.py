"""The issue's acceptance journey, through the screens: public alert → triage → visit → 3 cases."""

import re

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

from kinga.community.models import Alert, AlertCase, AlertStatus
from kinga.core.testing import client_for

pytestmark = pytest.mark.django_db

NAMES = [("Trésor", "Ilunga", "M", 12), ("Grâce", "Kabwe", "F", 10), ("Exaucé", "Mwamba", "M", 14)]


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def _public_post(client, site, **extra):
    data = {
        "territory": site.place.territory.pk,
        "site_name": site.name,
        "location_text": "Près du bassin de lavage",
        "n_M_12_14": "2",
        "n_F_5_11": "1",
        "activity": "washing",
        "urgency": "urgent",
        "reporter_contact": "+243 990 000 111",
        "website": "",
        **extra,
    }
    return client.post(reverse("public_alert:form"), data)


def test_anonymous_alert_becomes_three_cases_shown_on_the_network_page(site, network, caseworker, supervisor):
    public = Client()
    response = _public_post(public, site)
    assert response.status_code == 201, response.content.decode()[:2000]
    code = re.search(r'id="followup-code"><strong>([A-Z0-9]+)<', response.content.decode()).group(1)
    alert = Alert.objects.get()
    assert (
        alert.is_anonymous and alert.children_count == 3 and alert.site == site and alert.network == network
    )

    worker = client_for(caseworker)
    assert alert.reference in worker.get(reverse("community:triage")).content.decode()
    worker.post(reverse("community:alert_start", args=[alert.uuid]))
    worker.post(
        reverse("community:alert_verify", args=[alert.uuid]),
        {"children_found": 3, "note": "Trois enfants au lavage"},
    )
    alert.refresh_from_db()
    assert alert.status == AlertStatus.VERIFIED

    form = {
        "children-TOTAL_FORMS": "3",
        "children-INITIAL_FORMS": "0",
        "children-MIN_NUM_FORMS": "0",
        "children-MAX_NUM_FORMS": "500",
    }
    for i, (given, family, sex, age) in enumerate(NAMES):
        form.update(
            {
                f"children-{i}-given_name": given,
                f"children-{i}-family_name": family,
                f"children-{i}-sex": sex,
                f"children-{i}-estimated_age": str(age),
            }
        )
    response = worker.post(reverse("community:alert_register", args=[alert.uuid]), form)
    assert response.status_code == 302, response.content.decode()[:3000]
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CASES_REGISTERED
    links = AlertCase.objects.filter(alert=alert).select_related("case")
    assert links.count() == 3
    assert {link.case.identification_method for link in links} == {"community_alert"}
    assert {link.case.identification_site_id for link in links} == {site.pk}

    page = client_for(supervisor).get(reverse("community:network", args=[network.uuid])).content.decode()
    assert "3 enfants enregistrés" in page

    followup = Client().post(reverse("public_alert:followup"), {"code": code}).content.decode()
    assert "3 enfants" in followup
    for given, family, _sex, _age in NAMES:
        assert given not in followup and family not in followup
    for link in links:
        assert link.case.number not in followup


def test_registration_errors_stay_on_the_right_child(site, network, caseworker):
    _public_post(Client(), site)
    alert = Alert.objects.get()
    worker = client_for(caseworker)
    worker.post(reverse("community:alert_verify", args=[alert.uuid]), {"children_found": 2, "note": "Vus"})
    form = {
        "children-TOTAL_FORMS": "2",
        "children-INITIAL_FORMS": "0",
        "children-MIN_NUM_FORMS": "0",
        "children-MAX_NUM_FORMS": "500",
        "children-0-given_name": "Joël",
        "children-0-family_name": "Banza",
        "children-0-sex": "M",
        "children-0-estimated_age": "11",
        "children-1-given_name": "Ruth",
        "children-1-family_name": "Numbi",
        "children-1-sex": "F",
        "children-1-date_of_birth": "1990-01-01",
    }
    response = worker.post(reverse("community:alert_register", args=[alert.uuid]), form)
    assert response.status_code == 400
    assert AlertCase.objects.count() == 0  # all or none


def test_cannot_register_before_verification(site, network, caseworker):
    _public_post(Client(), site)
    alert = Alert.objects.get()
    form = {
        "children-TOTAL_FORMS": "1",
        "children-INITIAL_FORMS": "0",
        "children-MIN_NUM_FORMS": "0",
        "children-MAX_NUM_FORMS": "500",
        "children-0-given_name": "Joël",
        "children-0-family_name": "Banza",
        "children-0-sex": "M",
    }
    response = client_for(caseworker).post(reverse("community:alert_register", args=[alert.uuid]), form)
    assert response.status_code == 400 and "Vérifiez l" in response.content.decode()
    assert AlertCase.objects.count() == 0


# ---------------------------------------------------------------------------------------------- public form


def test_public_form_is_open_without_login_and_shows_nothing_stored(site, network):
    Alert.objects.create(channel="phone", description="SECRET-DESCRIPTION")
    body = Client().get(reverse("public_alert:form")).content.decode()
    assert "SECRET-DESCRIPTION" not in body and "csrfmiddlewaretoken" in body
    assert site.name not in body  # no list of sites either


def test_public_form_rejects_malformed_input_in_french(site):
    response = _public_post(Client(), site, n_M_12_14="", n_F_5_11="abc", location_text="")
    body = response.content.decode()
    assert response.status_code == 400 and Alert.objects.count() == 0
    assert "Ce champ est obligatoire" in body and "Saisissez un nombre entier" in body


def test_public_form_rejects_oversized_posts(site):
    response = _public_post(Client(), site, description="x" * 30_000)
    assert response.status_code == 413 and Alert.objects.count() == 0


def test_public_form_too_long_field_is_refused(site):
    response = _public_post(Client(), site, description="x" * 1500)
    assert response.status_code == 400 and Alert.objects.count() == 0


@override_settings(KINGA_PUBLIC_ALERT_RATE=(2, 600))
def test_public_form_is_rate_limited_by_address(site):
    client = Client()
    assert _public_post(client, site).status_code == 201
    assert _public_post(client, site).status_code == 201
    assert _public_post(client, site).status_code == 429
    assert Alert.objects.count() == 2
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert _public_post(other, site).status_code == 201


def test_public_form_needs_the_csrf_token(site):
    client = Client(enforce_csrf_checks=True)
    assert _public_post(client, site).status_code == 403
    assert Alert.objects.count() == 0


def test_honeypot_stores_nothing(site):
    response = _public_post(Client(), site, website="http://spam.example")
    assert response.status_code == 200 and Alert.objects.count() == 0


def test_followup_with_a_wrong_code(site):
    response = Client().post(reverse("public_alert:followup"), {"code": "ZZZZZZZZZZ"})
    assert response.status_code == 200 and "Aucune alerte" in response.content.decode()


def test_public_form_cannot_reach_the_api_or_screens():
    client = Client()
    assert client.get("/api/v1/community/alerts/").status_code in (401, 403)
    assert client.get(reverse("community:triage")).status_code == 302
