"""The public alert form and its follow-up page in Kiswahili, when a community member chooses it; French
otherwise, whatever the browser says."""

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kinga.community import services
from kinga.community.models import Alert
from kinga.core import clock

pytestmark = pytest.mark.django_db

FORM = reverse("public_alert:form")
FOLLOWUP = reverse("public_alert:followup")


def _choose(client: Client, language: str, next_url: str = FORM):
    """The language chooser of the page: Django's switch, which remembers the choice in a cookie."""
    response = client.post(reverse("set_language"), {"language": language, "next": next_url})
    assert response.status_code == 302 and response.url == next_url
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == language


def _alert(site, **extra):
    data = {
        "territory": site.place.territory.pk,
        "site_name": site.name,
        "location_text": "Karibu na bwawa la kuoshea",
        "n_M_12_14": "2",
        "activity": "washing",
        "urgency": "urgent",
        "website": "",
    }
    return {**data, **extra}


def test_the_form_is_french_by_default_even_when_the_browser_asks_for_kiswahili(site):
    response = Client(HTTP_ACCEPT_LANGUAGE="sw").get(FORM)
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Signaler des enfants" in html
    assert "Ripoti watoto" not in html
    # ... and the chooser offers Kiswahili, under its own name.
    assert '<option value="sw" lang="sw">Kiswahili</option>' in html


def test_a_community_member_who_chooses_kiswahili_reads_the_form_in_kiswahili(site):
    client = Client()
    _choose(client, "sw")
    html = client.get(FORM).content.decode()
    assert '<html lang="sw">' in html
    assert '<option value="sw" lang="sw" selected>Kiswahili</option>' in html
    for text in (
        "Ripoti watoto kwenye machimbo",  # the title
        "Jina la machimbo (ikiwa unalijua)",  # a field's label
        "Wasichana",  # the children grid
        "Dharura (mtoto yuko hatarini)",  # a choice of the urgency
        "Kuosha au kuchagua madini",  # a choice of the activity
        "Tuma ripoti",  # the button
        "Ripoti yako ni siri.",  # the footer
    ):
        assert text in html, text
    assert "Signaler" not in html


def test_a_refused_alert_gives_its_errors_in_kiswahili(site):
    client = Client()
    _choose(client, "sw")
    tomorrow = clock.today() + datetime.timedelta(days=1)
    response = client.post(
        FORM,
        _alert(
            site, location_text="", n_M_12_14="", observed_on=tomorrow.isoformat(), reporter_contact="abc"
        ),
    )
    assert response.status_code == 400
    html = response.content.decode()
    for text in (
        "Sehemu hii inahitajika",  # Django's own "This field is required." in Kiswahili
        "Sema watoto wangapi walionekana (angalau mmoja).",
        "Tarehe haiwezi kuwa ya siku zijazo.",
        "Andika namba ya simu (tarakimu tu).",
    ):
        assert text in html, text
    assert not Alert.objects.exists()


def test_the_code_and_the_follow_up_page_are_in_kiswahili(site):
    client = Client()
    _choose(client, "sw")
    response = client.post(FORM, _alert(site))
    assert response.status_code == 201
    html = response.content.decode()
    assert "Asante, ripoti yako imepokelewa" in html
    assert "Namba yako ya ufuatiliaji (iandike):" in html
    code = Alert.objects.get().feedback_code
    assert code in html

    html = client.post(FOLLOWUP, {"code": code}).content.decode()
    assert '<html lang="sw">' in html
    assert "Fuatilia ripoti" in html
    assert "Mpya" in html  # the alert's status
    received = timezone.localdate(Alert.objects.get().received_at)
    assert received.strftime("%d/%m/%Y") in html  # day first, as read in Lualaba
    assert "Asante. Ripoti yako imepokelewa na itachunguzwa." in html

    html = client.post(FOLLOWUP, {"code": "ZZZZZZZZZZ"}).content.decode()
    assert "Hakuna ripoti yenye namba hii." in html


def test_the_follow_up_page_is_french_by_default(site):
    html = Client().get(FOLLOWUP).content.decode()
    assert '<html lang="fr">' in html
    assert "Suivre une alerte" in html


def test_kiswahili_is_french_outside_the_public_pages_and_not_offered_there(site):
    client = Client()
    _choose(client, "sw")
    html = client.get(reverse("account_login")).content.decode()
    assert '<html lang="fr">' in html
    assert 'value="sw"' not in html
    assert 'value="en"' in html


def test_an_alert_the_service_refuses_comes_back_with_its_reason_and_what_was_typed(site, monkeypatch):
    """Should the form and the service ever disagree, the reporter sees the service's reason on the form
    (and keeps what was typed) instead of a server error that loses the alert."""

    def refuse(**kwargs):
        raise ValidationError({"place": ["Territoire refusé par le service."]})

    monkeypatch.setattr(services, "receive_alert", refuse)
    response = Client().post(FORM, _alert(site))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Territoire refusé par le service." in html
    assert "Karibu na bwawa la kuoshea" in html
    assert not Alert.objects.exists()
