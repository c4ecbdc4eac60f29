"""Coded alerts by SMS/USSD: RapidPro/TextIt webhook JSON and plain key=value gateways, French and Kiswahili,
the gateway's token, help for a message not understood (kept all the same), the same message twice."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from kinga.community import services as community_services
from kinga.community.models import Alert, AlertStatus, Channel, MemberRole, Urgency
from kinga.core.roles import Role
from kinga.core.testing import (
    actor_of,
    assert_fits_phone,
    assert_not_stored_in_clear,
    client_for,
    make_member,
    make_organisation,
)
from kinga.messaging import parsing, services
from kinga.messaging.models import InboundMessage, InboundStatus, Message
from kinga.sites.models import Site

from .conftest import INBOUND_TOKEN

pytestmark = pytest.mark.django_db

URL = reverse("messaging:sms_webhook")
SENDER = "+243970555123"


@pytest.fixture
def site(kolwezi):
    return Site.objects.create(code="codmine00123", name="Kasulo", place=kolwezi)


def rapidpro(text: str, *, run="b0f1c3a2-6d1e-4f7b-9a55-2f0c1f1e0001", urn=f"tel:{SENDER}") -> dict:
    """The default body of a RapidPro/TextIt "Call webhook" step, the message in a result named "alerte"."""
    return {
        "contact": {"uuid": "5a7b1ad5-0c8e-4f0e-8d1f-6f3b6a8f0c11", "name": "", "urn": urn},
        "flow": {"uuid": "9de3663f-c5c5-4c92-9f45-ecbc09abcc85", "name": "Alerte enfants"},
        "results": {"alerte": {"value": text, "category": "Has Text"}},
        "run": {"uuid": run, "created_on": "2026-12-04T10:00:00.000000Z"},
    }


def post_json(data, token=INBOUND_TOKEN, **extra):
    return Client().post(
        URL, json.dumps(data), content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}", **extra
    )


def test_parse_french_and_kiswahili_coded_messages():
    fr = parsing.parse("ALERTE site 123, 3 enfants, urgent")
    assert (fr.language, fr.site, fr.counts, fr.urgency) == ("fr", "123", {"": 3}, "urgent")
    sw = parsing.parse("Tahadhari machimbo codmine00123 wasichana 2 wavulana 1 dharura kuosha")
    assert (sw.language, sw.site, sw.counts, sw.urgency, sw.activity) == (
        "sw",
        "codmine00123",
        {"F": 2, "M": 1},
        "urgent",
        "washing",
    )
    assert parsing.parse("ALERTE lieu CD7201, 2 garçons, élevée").place == "cd7201"
    assert not parsing.parse("bonjour").understood


def test_a_rapidpro_flow_posts_an_urgent_alert_and_gets_the_tracking_code(site):
    response = post_json(rapidpro("ALERTE site 123, 3 enfants, urgent"))
    assert response.status_code == 200
    answer = response.json()
    alert = Alert.objects.get()
    assert alert.channel == Channel.SMS and alert.site == site and alert.children_count == 3
    assert alert.urgency == Urgency.URGENT and alert.processing_error == ""
    assert answer["code"] == alert.feedback_code and answer["status"] == "alert"
    assert answer["reply"] == f"Kinga : alerte reçue, merci. Votre code de suivi : {alert.feedback_code}"
    assert str(alert.reporter_contact) == SENDER  # to tell them the outcome
    inbound = InboundMessage.objects.get()
    assert inbound.alert == alert and inbound.sender_masked == "+243•••••••23"
    assert_not_stored_in_clear(SENDER)


def test_a_kiswahili_message_is_answered_in_kiswahili(site):
    response = post_json(rapidpro("TAHADHARI machimbo 123, watoto 3, dharura"))
    alert = Alert.objects.get()
    assert alert.urgency == Urgency.URGENT and alert.children_count == 3
    assert response.json()["reply"] == (
        f"Kinga: ripoti imepokelewa, asante. Namba yako ya ufuatiliaji: {alert.feedback_code}"
    )


def test_an_sms_alert_notifies_the_territorys_social_workers(
    site, kolwezi, gateway, django_capture_on_commit_callbacks
):
    org = make_organisation()
    supervisor = make_member(org, Role.SUPERVISOR)
    network = community_services.create_network(
        actor=actor_of(supervisor), name="Réseau Kasulo", area_kind="site_area", place=kolwezi, site=site
    )
    community_services.add_member(
        actor=actor_of(supervisor),
        network=network,
        full_name="Assistant Kalenga",
        role=MemberRole.SOCIAL_WORKER,
        contact="+243810000222",
    )
    with django_capture_on_commit_callbacks(execute=True):
        post_json(rapidpro("ALERTE site 123, 3 enfants, urgent"))
    alert = Alert.objects.get()
    assert [b["to"] for b in gateway.received] == ["+243810000222"]
    assert alert.reference in gateway.received[0]["text"]
    assert Message.objects.get().template_key == "alert_urgent"


def test_a_plain_gateway_posts_key_value_and_gets_text(site):
    response = Client().post(
        URL + f"?token={INBOUND_TOKEN}",
        {"from": SENDER, "text": "ALERTE site codmine00123 2 filles", "id": "m-1"},
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    alert = Alert.objects.get()
    assert response.content.decode().endswith(alert.feedback_code)
    assert alert.children.get().sex == "F" and alert.children_count == 2


def test_a_ussd_session_gets_an_end_reply(site):
    response = Client().post(
        URL,
        {
            "sessionId": "ATUid_1",
            "phoneNumber": SENDER,
            "serviceCode": "*384*123#",
            "text": "TAHADHARI machimbo 123 watoto 1",
        },
        HTTP_X_KINGA_TOKEN=INBOUND_TOKEN,
    )
    assert response.content.decode().startswith("END Kinga: ripoti imepokelewa")
    assert Alert.objects.get().channel == Channel.USSD


def test_a_message_not_understood_gets_help_and_is_kept(site):
    response = post_json(rapidpro("bonjour, il y a des enfants là-bas"))
    assert response.json()["reply"] == (
        "Kinga : message non compris. Pour signaler des enfants sur un site minier, écrivez par exemple : "
        "ALERTE site 123, 3 enfants, urgent"
    )
    assert not Alert.objects.exists()
    kept = InboundMessage.objects.get()
    assert kept.status == InboundStatus.UNREADABLE and str(kept.text) == "bonjour, il y a des enfants là-bas"


def test_an_alert_that_fails_the_checks_is_kept_for_triage_and_the_sender_told(site):
    """The alert services check it like the public form (an unknown site here): the alert waits in the triage
    queue, "to complete", and the sender learns its code and how to write the next one — in Kiswahili."""
    response = post_json(rapidpro("TAHADHARI machimbo 999, watoto 2"))
    alert = Alert.objects.get()
    assert "999" in alert.processing_error and alert.status == AlertStatus.NEW
    reply = response.json()
    assert reply["status"] == "incomplete" and reply["code"] == alert.feedback_code
    assert reply["reply"].startswith(f"Kinga: ujumbe umehifadhiwa (namba {alert.feedback_code})")
    assert "TAHADHARI machimbo 123, watoto 3, dharura" in reply["reply"]


def test_the_same_message_delivered_twice_is_one_alert(site):
    first = post_json(rapidpro("ALERTE site 123, 3 enfants"))
    second = post_json(rapidpro("ALERTE site 123, 3 enfants"))
    assert Alert.objects.count() == 1 and InboundMessage.objects.count() == 1
    assert first.json() == second.json()


def test_a_reporter_follows_an_alert_by_sms(site):
    code = post_json(rapidpro("ALERTE site 123, 3 enfants")).json()["code"]
    reply = post_json(rapidpro(f"FUATILIA {code}", run="other-run")).json()["reply"]
    assert reply.startswith(f"Kinga, ripoti {code}: Mpya.")
    reply = post_json(rapidpro("SUIVI ZZZZZZZZZZ", run="third-run")).json()["reply"]
    assert reply == "Kinga : aucune alerte n’a ce code. Vérifiez-le et réessayez."


def test_the_gateway_must_present_its_token(site, settings):
    assert post_json(rapidpro("ALERTE site 123, 3 enfants"), token="wrong").status_code == 403
    assert Client().post(URL, {"from": SENDER, "text": "ALERTE site 123 3 enfants"}).status_code == 403
    settings.KINGA_SMS_INBOUND_TOKEN = ""
    assert post_json(rapidpro("ALERTE site 123, 3 enfants"), token="").status_code == 403
    assert not Alert.objects.exists() and not InboundMessage.objects.exists()
    assert Client().get(URL + f"?token={INBOUND_TOKEN}").status_code == 405


def test_the_messages_received_are_listed_for_those_who_triage_alerts(site):
    org = make_organisation()
    post_json(rapidpro("bonjour, venez voir la carrière", run="r-1"))
    post_json(rapidpro("ALERTE site 123, 3 enfants", run="r-2"))
    html = client_for(make_member(org, Role.CASEWORKER)).get(reverse("messaging:inbound")).content.decode()
    assert "bonjour, venez voir la carrière" in html  # not understood: its text is there to read
    assert "Non compris, aide envoyée" in html
    alert = Alert.objects.get()
    assert alert.reference in html and "ALERTE site 123" not in html  # an alert's text is on the alert
    assert "+243•••••••23" in html and SENDER not in html
    assert client_for(make_member(org, Role.FOCAL_POINT)).get(reverse("messaging:inbound")).status_code == 403
    assert Client().get(reverse("messaging:inbound")).status_code == 302


def test_a_flow_that_sends_the_input_and_marks_ussd(site):
    """A flow author may send the fuller body (the message in `input.text`, its id in `input.uuid`) and say by
    the URL that the channel is USSD."""
    body = {
        "contact": {"uuid": "c-1", "name": "", "urn": f"tel:{SENDER}"},
        "flow": {"uuid": "f-1", "name": "Alerte USSD"},
        "results": {},
        "input": {"uuid": "msg-77", "urn": f"tel:{SENDER}", "text": "TAHADHARI machimbo 123 wavulana 2 juu"},
    }
    response = Client().post(
        URL + "?channel=ussd",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {INBOUND_TOKEN}",
    )
    assert response.json()["status"] == "alert"
    alert = Alert.objects.get()
    assert (
        alert.channel == Channel.USSD and alert.urgency == "high" and alert.external_id == "rapidpro:msg-77"
    )
    assert alert.children.get().sex == "M"


@pytest.mark.browser
def test_the_sms_received_and_the_log_fit_a_phone(transactional_db, page, login_as, site):
    """At 360 px: a caseworker reads the SMS received (one not understood, with a long text), a coordinator
    the log of messages sent."""
    post_json(rapidpro("ALERTE site 123, 3 enfants, urgent", run="b-1"))
    post_json(rapidpro("Habari, kuna watoto wengi sana karibu na mto Lualaba, njooni haraka" * 2, run="b-2"))
    services.notify_address(
        address=SENDER,
        template_key="case_assigned",
        params={"number": "LUA-KZI-2026-000001", "link": ""},
        dedupe_key="browser",
    )
    org = make_organisation()
    login_as(make_member(org, Role.CASEWORKER))
    page.goto(reverse("messaging:inbound"))
    expect(page.locator("h1")).to_have_text("SMS reçus")
    expect(page.locator("main")).to_contain_text("Non compris, aide envoyée")
    assert_fits_phone(page)
    page.context.clear_cookies()
    login_as(make_member(make_organisation(), Role.COORDINATOR))
    page.goto(reverse("messaging:log"))
    expect(page.locator("h1")).to_have_text("Messages envoyés")
    expect(page.locator("main")).to_contain_text("Dossier qui vous est confié")
    assert_fits_phone(page)
