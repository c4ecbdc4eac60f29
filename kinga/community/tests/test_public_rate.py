"""The public alert channel: one client cannot block the others, and nothing a reporter sends disappears."""

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from kinga.community.models import Alert
from kinga.core.testing import client_for

pytestmark = pytest.mark.django_db

# As in production: the database cache shared by every worker, and nginx (127.0.0.1) in front of the app.
SHARED_CACHE = {
    "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "kinga_cache"}
}
BEHIND_NGINX = {"KINGA_PROXY_COUNT": 1}


@pytest.fixture
def shared_cache():
    with override_settings(CACHES=SHARED_CACHE):
        call_command("createcachetable", verbosity=0)
        yield


def _post(site, client_address: str):
    # Every request arrives from the proxy; the reporter's address is the one the proxy forwards.
    client = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=client_address)
    return client.post(
        reverse("public_alert:form"),
        {
            "territory": site.place.territory.pk,
            "site_name": site.name,
            "location_text": "Près du bassin de lavage",
            "n_M_12_14": "2",
            "activity": "washing",
            "urgency": "urgent",
            "description": f"envoyé depuis {client_address}",
            "website": "",
        },
    )


def _new_process():
    """What another worker would see: no cache object of this one survives."""
    caches.close_all()
    for alias in list(caches):
        del caches[alias]


@override_settings(KINGA_PUBLIC_ALERT_RATE=(3, 600), **BEHIND_NGINX)
def test_one_client_over_its_limit_is_refused_its_text_kept_and_others_get_through(site, shared_cache):
    statuses = []
    for _ in range(4):
        statuses.append(_post(site, "41.243.1.7").status_code)
        _new_process()
    assert statuses == [201, 201, 201, 429]
    refused = _post(site, "41.243.1.7")
    assert "envoyé depuis 41.243.1.7" in refused.content.decode()  # the form comes back filled in
    assert _post(site, "197.255.3.9").status_code == 201  # another reporter behind the same proxy
    assert Alert.objects.count() == 4
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM kinga_cache")
        assert cursor.fetchone()[0] >= 2  # the counters live in the database, shared by every process


@override_settings(KINGA_PUBLIC_ALERT_RATE=(3, 600), KINGA_PUBLIC_ALERT_CEILING=(4, 3600), **BEHIND_NGINX)
def test_beyond_the_province_ceiling_alerts_are_kept_and_marked_for_later_triage(
    site, network, caseworker, shared_cache
):
    for n in range(7):
        assert _post(site, f"10.1.0.{n}").status_code == 201
    assert Alert.objects.count() == 7
    assert Alert.objects.filter(held_for_triage=True).count() == 3
    assert not Alert.objects.filter(
        held_for_triage=True,
        received_at__lt=Alert.objects.filter(held_for_triage=False)
        .order_by("-received_at")
        .values("received_at")[:1],
    ).exists()
    # The triage queue shows which alerts came in during the flood.
    page = client_for(caseworker).get(reverse("community:triage")).content.decode()
    assert page.count("reçue pendant un afflux") == 3
