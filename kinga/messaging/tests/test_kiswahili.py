"""A focal point who chooses Kiswahili: the home page, the menu, the alert form and the notification choices in
Kiswahili (the chooser offers it there); the other pages stay French; an SMS alert and its notifications in
Kiswahili for a person who chose it."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from kinga.community.models import Alert
from kinga.community.testing import make_focal_point
from kinga.core.roles import Role
from kinga.core.testing import assert_fits_phone, client_for, make_member
from kinga.messaging import services

HOME = reverse("core:home")
ALERT_FORM = reverse("community:alert_add")
PREFERENCES = reverse("messaging:preferences")


@pytest.fixture
def focal(kolwezi):
    return make_focal_point(kolwezi, full_name="Point focal")


def _in_kiswahili(client):
    response = client.post(reverse("set_language"), {"language": "sw", "next": HOME})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "sw"


@pytest.mark.django_db
def test_a_focal_points_screens_in_kiswahili(focal):
    client = client_for(focal)
    french = client.get(HOME).content.decode()
    assert '<html lang="fr">' in french and '<option value="sw"' in french  # offered on the home page
    _in_kiswahili(client)
    html = client.get(HOME).content.decode()
    assert '<html lang="sw">' in html
    for text in (
        "Habari",
        "Mratibu wa jamii",
        "Ripoti za mtandao wangu",
        "Tuma ripoti",
        "Mwanzo",
        "Taarifa zangu",
    ):
        assert text in html, text
    html = client.get(ALERT_FORM).content.decode()
    for text in ("Ripoti ilifikaje", "Machimbo (jina au namba)", "Wasichana", "Uharaka", "Tuma ripoti"):
        assert text in html, text
    response = client.post(
        ALERT_FORM,
        {
            "channel": "web",
            "site": "codmine00123",
            "n_F_12_14": "2",
            "urgency": "urgent",
            "location_text": "Kisima",
        },
        follow=True,
    )
    alert = Alert.objects.get()
    assert f"Ripoti {alert.reference} imehifadhiwa." in response.content.decode()
    html = client.get(PREFERENCES).content.decode()
    for text in ("Taarifa zangu", "Kwa SMS kwenye simu yangu", "Bado hakuna ujumbe.", "Hifadhi"):
        assert text in html, text
    # Elsewhere French, and Kiswahili not offered (the plan's pages are not among the focal point's own).
    html = client.get(reverse("plan:tree")).content.decode()
    assert '<html lang="fr">' in html and 'value="sw"' not in html


@pytest.mark.django_db
def test_a_person_who_chose_kiswahili_gets_notifications_in_kiswahili(
    focal, gateway, django_capture_on_commit_callbacks
):
    worker = make_member(focal.organisation, Role.CASEWORKER)
    worker.user.phone, worker.user.preferred_language = "+243970000777", "sw"
    worker.user.save(update_fields=["phone", "preferred_language"])
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_user(
            user=worker.user,
            template_key="case_assigned",
            params={"number": "LUA-KZI-2026-000001", "link": "https://kinga.example.cd/cases/x/"},
            dedupe_key="sw-test",
        )
    assert (
        gateway.received[0]["text"]
        == "Kinga: umekabidhiwa kesi LUA-KZI-2026-000001. https://kinga.example.cd/cases/x/"
    )


@pytest.mark.browser
def test_a_focal_point_reports_an_alert_in_kiswahili_on_a_phone(transactional_db, page, login_as, focal):
    """At 360 px: the focal point logs in, chooses Kiswahili on the home page, reports an alert from the
    home panel's button, and sets their notification choices — all in Kiswahili."""
    login_as(focal)
    page.goto(HOME)
    with page.expect_navigation():
        page.select_option("#lang-select", "sw")
    expect(page.locator("html")).to_have_attribute("lang", "sw")
    expect(page.locator("#panel-community-network-alerts h2")).to_have_text("Ripoti za mtandao wangu")
    assert_fits_phone(page)
    page.click("#panel-community-network-alerts a.button")
    expect(page.locator("h1")).to_have_text("Tuma ripoti")
    assert_fits_phone(page)
    page.fill("#id_site", "codmine00123")
    page.fill("#id_n_F_12_14", "2")
    page.select_option("#id_urgency", "urgent")
    page.click("main button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("imehifadhiwa")
    assert_fits_phone(page)
    page.goto(PREFERENCES)
    expect(page.locator("h1")).to_have_text("Taarifa zangu")
    page.uncheck("#id_by_sms")
    page.click("main button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("Chaguo lako limehifadhiwa.")
    expect(page.locator("#id_by_sms")).not_to_be_checked()
    assert_fits_phone(page)
    assert Alert.objects.get().urgency == "urgent"
