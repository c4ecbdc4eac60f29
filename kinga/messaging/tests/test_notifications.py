"""Outgoing notifications through the fake gateway on loopback: who is told what, in which language, retries with
backoff, the log without content, each person's channels."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from kinga.cases import services as case_services
from kinga.community import services as community_services
from kinga.community.models import Alert, MemberRole
from kinga.core import clock
from kinga.core.models import AuditEvent
from kinga.core.roles import Role
from kinga.core.testing import actor_of, client_for, make_member, make_organisation
from kinga.messaging import senders, services
from kinga.messaging.models import Message, MessageStatus, NotificationPreference
from kinga.sites.models import Site

from .conftest import sent_texts

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 2)
WORKER_PHONE = "+243970000111"
VOLUNTEER_PHONE = "+243810000222"
REPORTER_PHONE = "+243990000333"


@pytest.fixture
def world(kolwezi, today):
    org = make_organisation("Enfance Lualaba")
    supervisor = make_member(org, Role.SUPERVISOR)
    caseworker = make_member(org, Role.CASEWORKER, supervisor=supervisor)
    focal = make_member(org, Role.FOCAL_POINT)
    provider_org = make_organisation("CRS Kolwezi")
    provider_supervisor = make_member(provider_org, Role.SUPERVISOR)
    provider_caseworker = make_member(provider_org, Role.CASEWORKER)
    site = Site.objects.create(code="codmine00123", name="Kasulo", place=kolwezi)
    network = community_services.create_network(
        actor=actor_of(supervisor), name="Réseau Kasulo", area_kind="site_area", place=kolwezi, site=site
    )
    for membership, phone in ((caseworker, WORKER_PHONE), (provider_supervisor, "+243970000444")):
        membership.user.phone = phone
        membership.user.save(update_fields=["phone"])
    # The focal social worker of the territory has an account; a volunteer social worker only a phone.
    community_services.add_member(
        actor=actor_of(supervisor),
        network=network,
        full_name="Assistante Mwamba",
        role=MemberRole.SOCIAL_WORKER,
        contact=WORKER_PHONE,
        user=caseworker.user,
    )
    community_services.add_member(
        actor=actor_of(supervisor),
        network=network,
        full_name="Bénévole Kalenga",
        role=MemberRole.SOCIAL_WORKER,
        contact=VOLUNTEER_PHONE,
    )

    class World:
        pass

    w = World()
    w.org, w.supervisor, w.caseworker, w.focal = org, supervisor, caseworker, focal
    w.provider_org, w.provider_supervisor, w.provider_caseworker = (
        provider_org,
        provider_supervisor,
        provider_caseworker,
    )
    w.site, w.network, w.kolwezi = site, network, kolwezi
    return w


def _alert(world, urgency="urgent", **extra):
    alert, _created = community_services.receive_alert(
        actor=actor_of(world.focal),
        channel="web",
        payload={
            "site": world.site.code,
            "children": [{"sex": "F", "age_band": "12-14", "count": 3}],
            "urgency": urgency,
            "description": "Trois filles au lavage près du puits",
            **extra,
        },
    )
    return Alert.objects.get(pk=alert.pk)


def _register(world, **extra):
    return case_services.register_case(
        actor=actor_of(world.supervisor),
        given_name="Mireille",
        family_name="Kasongo Mbuyi",
        sex="F",
        date_of_birth=datetime.date(2013, 5, 4),
        identification_method="site_inspection",
        identification_date=TODAY - datetime.timedelta(days=1),
        identification_site=world.site,
        work_activities=["washing"],
        caregivers=[{"name": "Mama Ngalula", "relationship": "mère", "phone": "+243990000001"}],
        today=TODAY,
        **extra,
    )


def test_an_urgent_alert_reaches_the_territorys_social_workers(
    world, gateway, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        alert = _alert(world)
    numbers = sorted(body["to"] for body in gateway.received)
    assert numbers == sorted([WORKER_PHONE, VOLUNTEER_PHONE])
    text = gateway.received[0]["text"]
    assert alert.reference in text and "codmine00123" in text and "3 enfant(s)" in text
    assert "https://kinga.example.cd" + reverse("community:alert", args=[alert.uuid]) in text
    assert "lavage près du puits" not in text  # the description is not sent
    # The caseworker's account also has an e-mail address: both channels by default.
    assert [m.to for m in mail.outbox] == [[world.caseworker.user.email]]
    assert Message.objects.filter(status=MessageStatus.SENT).count() == 3
    # The log keeps the address masked and no text.
    row = Message.objects.get(recipient_user__isnull=True)
    assert row.recipient_masked == "+243•••••••22"
    assert row.template_key == "alert_urgent" and row.attempts == 1
    assert "Kasulo" not in json.dumps(row.params)


def test_an_alert_that_is_not_urgent_pages_nobody(world, gateway, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _alert(world, urgency="normal")
    assert gateway.received == [] and mail.outbox == []
    assert not Message.objects.exists()


def test_without_social_workers_in_the_territory_the_supervisors_are_told(
    world, gateway, django_capture_on_commit_callbacks
):
    world.network.members.update(is_active=False)
    world.supervisor.user.phone = "+243970000999"
    world.supervisor.user.save(update_fields=["phone"])
    with django_capture_on_commit_callbacks(execute=True):
        _alert(world)
    assert [b["to"] for b in gateway.received] == ["+243970000999"]


def test_a_case_assigned_tells_its_caseworker_on_the_channels_they_chose(
    world, gateway, client, django_capture_on_commit_callbacks
):
    page = client_for(world.caseworker)
    response = page.post(reverse("messaging:preferences"), {"by_email": "on"})
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=world.caseworker.user).by_sms is False
    assert AuditEvent.objects.filter(target_type__icontains="notificationpreference").exists()
    with django_capture_on_commit_callbacks(execute=True):
        case = _register(world)
        case_services.assign_case(
            actor=actor_of(world.supervisor), case=case, caseworker=world.caseworker.user, today=TODAY
        )
    assert gateway.received == []  # SMS declined
    assert len(mail.outbox) == 1
    assert case.number in mail.outbox[0].body and case.number in mail.outbox[0].subject
    assert "https://kinga.example.cd" + reverse("cases:case", args=[case.uuid]) in mail.outbox[0].body
    # Assigned twice (registration, then assignment): told once.
    assert Message.objects.filter(template_key="case_assigned").count() == 1


def test_a_caseworker_registering_their_own_case_is_not_told(
    world, gateway, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case_services.register_case(
            actor=actor_of(world.caseworker),
            given_name="Jean",
            family_name="Mutombo",
            sex="M",
            date_of_birth=datetime.date(2012, 1, 9),
            identification_method="site_inspection",
            identification_date=TODAY,
            identification_site=world.site,
            today=TODAY,
        )
    assert not Message.objects.exists()


def test_a_referral_waiting_too_long_tells_the_provider_once(
    world, gateway, today, django_capture_on_commit_callbacks
):
    case = _register(world, caseworker=world.caseworker.user)
    referral = case_services.make_referral(
        actor=actor_of(world.supervisor),
        case=case,
        provider=world.provider_org,
        service_type="crs",
        date=TODAY,
        consent_override_reason="Soins urgents",
        today=TODAY,
    )
    gateway.received.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.notify_overdue_referrals(today=referral.answer_due) == 0  # not late yet
        assert services.notify_overdue_referrals(today=referral.answer_due + datetime.timedelta(days=1)) == 2
        assert services.notify_overdue_referrals(today=referral.answer_due + datetime.timedelta(days=2)) == 0
    assert [b["to"] for b in gateway.received] == [
        "+243970000444"
    ]  # the provider's supervisor, not its caseworker
    text = gateway.received[0]["text"]
    assert case.number in text and referral.answer_due.strftime("%d/%m/%Y") in text
    assert reverse("cases:referral_in", args=[referral.uuid]) in text
    assert [m.to for m in mail.outbox][-1] == [world.provider_supervisor.user.email]


def test_the_reporter_who_left_a_number_learns_the_outcome_in_their_language(
    world, gateway, django_capture_on_commit_callbacks
):
    alert, _created = community_services.receive_alert(
        actor=actor_of(world.focal),
        channel="web",
        payload={
            "site": world.site.code,
            "children": [{"sex": "M", "age_band": "", "count": 1}],
            "language": "sw",
        },
        reporter_contact=REPORTER_PHONE,
    )
    with django_capture_on_commit_callbacks(execute=True):
        community_services.start_verification(actor=actor_of(world.caseworker), alert=alert)
        community_services.record_verification(
            actor=actor_of(world.caseworker), alert=alert, children_found=0, note="Personne sur le site"
        )
    assert [b["to"] for b in gateway.received] == [REPORTER_PHONE]
    text = gateway.received[0]["text"]
    assert alert.feedback_code in text
    assert "Asante" in text  # Kiswahili, as the reporter chose
    assert "Personne sur le site" not in text


def test_a_failed_send_is_tried_again_with_backoff_then_succeeds(
    world, gateway, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.KINGA_MESSAGE_RETRY_SECONDS = 60
    moment = [clock.now()]
    monkeypatch.setattr(clock, "now", lambda: moment[0])
    gateway.answers = [503, 503]
    with django_capture_on_commit_callbacks(execute=True):
        case = _register(world)
        services.notify_user(
            user=world.caseworker.user,
            template_key="case_assigned",
            params={"number": case.number, "link": "https://kinga.example.cd/cases/"},
            dedupe_key="retry-test",
        )
    sms = Message.objects.get(channel="sms", dedupe_key__startswith="retry-test")
    assert sms.status == MessageStatus.RETRYING and sms.attempts == 1
    assert sms.last_error == "la passerelle a répondu HTTP 503"
    assert sms.next_attempt_at == moment[0] + datetime.timedelta(seconds=60)
    # Not due yet: nothing is tried.
    moment[0] += datetime.timedelta(seconds=59)
    assert services.send_due() == 0
    moment[0] += datetime.timedelta(seconds=1)
    assert services.send_due() == 1
    sms.refresh_from_db()
    assert sms.status == MessageStatus.RETRYING and sms.attempts == 2
    assert sms.next_attempt_at == moment[0] + datetime.timedelta(seconds=120)  # the delay doubles
    moment[0] = sms.next_attempt_at
    services.send_due()
    sms.refresh_from_db()
    assert sms.status == MessageStatus.SENT and sms.attempts == 3 and sms.sent_at == moment[0]
    assert [b["to"] for b in gateway.received] == [WORKER_PHONE]


def test_a_refused_send_is_not_retried_and_attempts_stop_at_the_maximum(
    world, gateway, settings, django_capture_on_commit_callbacks
):
    settings.KINGA_SMS_GATEWAY_TOKEN = "wrong"
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_address(
            address=REPORTER_PHONE,
            template_key="case_assigned",
            params={"number": "X", "link": ""},
            dedupe_key="a",
        )
    refused = Message.objects.get(dedupe_key="a:sms")
    assert refused.status == MessageStatus.FAILED and "401" in refused.last_error

    settings.KINGA_SMS_GATEWAY_TOKEN = "gw-secret-token"
    settings.KINGA_MESSAGE_MAX_ATTEMPTS = 2
    gateway.answers = [500, 500, 500]
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_address(
            address=REPORTER_PHONE,
            template_key="case_assigned",
            params={"number": "X", "link": ""},
            dedupe_key="b",
        )
    down = Message.objects.get(dedupe_key="b:sms")
    assert down.status == MessageStatus.RETRYING
    services.send_due(now=clock.now() + datetime.timedelta(hours=1))
    down.refresh_from_db()
    assert down.status == MessageStatus.FAILED and down.attempts == 2


def test_the_console_sender_is_the_default_in_development(
    world, settings, django_capture_on_commit_callbacks
):

    assert settings.KINGA_SMS_BACKEND == "console"
    with django_capture_on_commit_callbacks(execute=True):
        _alert(world)
    assert {m.to for m in senders.console_outbox} == {WORKER_PHONE, VOLUNTEER_PHONE}


def test_no_message_of_a_whole_journey_carries_a_childs_identity(
    world, gateway, today, django_capture_on_commit_callbacks
):
    """Every trigger, with named children and their birth dates in the database; the autouse check of
    conftest.py scans the same messages again after the test."""
    today.set(timezone.localdate())  # the visit is recorded now
    with django_capture_on_commit_callbacks(execute=True):
        alert = _alert(world)
        community_services.start_verification(actor=actor_of(world.caseworker), alert=alert)
        community_services.record_verification(
            actor=actor_of(world.caseworker), alert=alert, children_found=1
        )
        cases = community_services.register_children(
            actor=actor_of(world.supervisor),
            alert=alert,
            children=[
                {
                    "given_name": "Esther",
                    "family_name": "Ngoy Kyungu",
                    "sex": "F",
                    "date_of_birth": datetime.date(2012, 11, 23),
                }
            ],
        )
        case = _register(world, caseworker=world.caseworker.user)
        referral = case_services.make_referral(
            actor=actor_of(world.supervisor),
            case=cases[0],
            provider=world.provider_org,
            service_type="crs",
            date=timezone.localdate(),
            consent_override_reason="Soins urgents",
        )
        services.notify_overdue_referrals(today=referral.answer_due + datetime.timedelta(days=1))
    texts = sent_texts()
    assert len(texts) >= 5
    assert any(case.number in t for t in texts) and any(cases[0].number in t for t in texts)
    for text in texts:
        for identity in (
            "Esther",
            "Ngoy",
            "Kyungu",
            "Mireille",
            "Kasongo",
            "Mbuyi",
            "Ngalula",
            "2012-11-23",
            "23/11/2012",
            "04/05/2013",
            "2013-05-04",
        ):
            assert identity not in text


def test_the_preferences_page_is_french_and_needs_a_login(world, client):
    response = client.get(reverse("messaging:preferences"))
    assert response.status_code == 302
    html = client_for(world.caseworker).get(reverse("messaging:preferences")).content.decode()
    assert "Mes notifications" in html and "Par SMS sur mon téléphone" in html
    assert "Aucun message pour le moment." in html


def test_the_timer_commands_say_what_they_did_in_french(world, gateway):
    out = io.StringIO()
    call_command("messages", "referrals", stdout=out)
    assert out.getvalue().strip() == "Références en retard : 0 message(s) à envoyer aux prestataires."
    out = io.StringIO()
    call_command("messages", "send-due", stdout=out)
    assert out.getvalue().strip() == "0 message(s) retenté(s)."


def test_the_log_of_messages_sent_is_for_administrators_and_coordinators(
    world, gateway, django_capture_on_commit_callbacks
):
    gateway.answers = [503]
    with django_capture_on_commit_callbacks(execute=True):
        _alert(world)
    coordinator = make_member(make_organisation(), Role.COORDINATOR)
    html = client_for(coordinator).get(reverse("messaging:log")).content.decode()
    assert "Messages envoyés" in html and "Alerte urgente dans votre territoire" in html
    assert "+243•••••••22" in html and VOLUNTEER_PHONE not in html
    assert "la passerelle a répondu HTTP 503" in html and "Échec, nouvel essai prévu" in html
    assert "Kinga : alerte urgente" not in html  # the text is not kept
    failed = client_for(coordinator).get(reverse("messaging:log") + "?status=retrying").content.decode()
    assert failed.count("<tr>") == 2  # the header and the one message retrying
    assert client_for(world.supervisor).get(reverse("messaging:log")).status_code == 403


def test_a_notification_that_fails_never_undoes_the_alert(world, monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("mail queue full")

    monkeypatch.setattr("kinga.messaging.services.triggers.notify_address", broken)
    alert = _alert(world)
    assert alert.processing_error == "" and alert.children_count == 3
    assert "Notification not queued (on_alert_received)" in caplog.text
