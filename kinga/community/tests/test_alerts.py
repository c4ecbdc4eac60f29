import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from kinga.community import selectors, services
from kinga.community.models import Alert, AlertStatus, Channel, Urgency
from kinga.community.services import alerts
from kinga.core import clock
from kinga.core.access import ANONYMOUS
from kinga.core.models import AuditEvent
from kinga.core.roles import Role
from kinga.core.testing import actor_of, assert_not_stored_in_clear, make_member, shared_path
from kinga.sites.models import SiteEvidence

pytestmark = pytest.mark.django_db

KOBO = shared_path("reference", "kobo", "kobo_rest_service_payload.json")


def _payload(site, **extra):
    return {
        "site": site.code,
        "girls_5_11": 1,
        "boys_12_14": 2,
        "activity": "washing",
        "urgency": "urgent",
        **extra,
    }


def test_anonymous_alert_is_stored_processed_and_grouped(site, network):
    alert, created = services.receive_alert(
        actor=ANONYMOUS, channel=Channel.PUBLIC_WEB, payload=_payload(site), reporter_contact="+243990001122"
    )
    assert created and alert.processing_error == ""
    assert alert.children_count == 3 and alert.is_anonymous
    assert alert.network == network and alert.organisation == network.organisation
    assert alert.group is not None
    assert abs((alert.due_at - alert.received_at) - datetime.timedelta(hours=24)) < datetime.timedelta(
        seconds=1
    )
    assert {(c.sex, c.age_band, c.count) for c in alert.children.all()} == {
        ("F", "5-11", 1),
        ("M", "12-14", 2),
    }
    assert_not_stored_in_clear("+243990001122")
    second, _ = services.receive_alert(actor=ANONYMOUS, channel=Channel.PUBLIC_WEB, payload=_payload(site))
    assert second.group_id == alert.group_id
    queue = selectors.triage_queue(actor_of(network_manager(network)))
    assert {a.group_size for a in queue} == {2}


def network_manager(network):
    return network.organisation.memberships.get(role="supervisor")


def test_malformed_alert_is_kept_with_the_reason(caseworker):
    alert, created = services.receive_alert(
        actor=actor_of(caseworker), channel=Channel.SMS, payload={"site": "nowhere", "girls": "x"}
    )
    assert created
    stored = Alert.objects.get(pk=alert.pk)
    assert "site" in stored.processing_error and stored.raw_payload == {"site": "nowhere", "girls": "x"}
    assert stored in selectors.triage_queue(actor_of(caseworker), failed=True)
    with pytest.raises(ValidationError):
        services.start_verification(actor=actor_of(caseworker), alert=stored)


def test_unexpected_failure_leaves_the_alert_visible(caseworker, site, monkeypatch):
    def boom(payload):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(alerts, "interpret", boom)
    alert, _ = services.receive_alert(actor=actor_of(caseworker), channel=Channel.API, payload=_payload(site))
    assert Alert.objects.filter(pk=alert.pk, processing_error__contains="RuntimeError").exists()


def test_repaired_alert_is_processed(caseworker, site):
    alert, _ = services.receive_alert(actor=actor_of(caseworker), channel=Channel.SMS, payload={"girls": 2})
    assert alert.processing_error
    services.reprocess_alert(actor=actor_of(caseworker), alert=alert, corrections={"site": site.code})
    alert.refresh_from_db()
    assert alert.processing_error == "" and alert.children_count == 2 and alert.site == site


def test_kobo_payload_is_accepted_and_idempotent(caseworker, reference_places):
    payload = json.loads(KOBO.read_text())
    alert, created = services.receive_alert(
        actor=actor_of(caseworker), channel=Channel.KOBO, payload=payload, external_id=payload["_uuid"]
    )
    assert created and alert.processing_error == "", alert.processing_error
    assert alert.place.name == "Nyiragongo" and alert.place.pcode.startswith("CD61")  # from the name
    assert alert.children_count == 3  # the child and two siblings
    again, created = services.receive_alert(
        actor=actor_of(caseworker), channel=Channel.KOBO, payload=payload, external_id=payload["_uuid"]
    )
    assert not created and again.pk == alert.pk


def test_anonymous_actor_only_uses_the_public_channel(site):
    with pytest.raises(PermissionDenied):
        services.receive_alert(actor=ANONYMOUS, channel=Channel.API, payload=_payload(site))


def test_verification_publishes_event_and_is_audited(caseworker, site, network):
    # The sites app subscribes to community.alert_verified: the event's payload (site, alert, children found)
    # is what its evidence row holds.
    alert, _ = services.receive_alert(actor=ANONYMOUS, channel=Channel.PUBLIC_WEB, payload=_payload(site))
    actor = actor_of(caseworker)
    services.start_verification(actor=actor, alert=alert)
    services.record_verification(actor=actor, alert=alert, children_found=3, note="Vu au lavage")
    assert alert.status == AlertStatus.VERIFIED
    evidence = SiteEvidence.objects.get(kind=SiteEvidence.Kind.ALERT, ref=alert.uuid)
    assert evidence.site_id == site.pk and evidence.children == 3
    notes = list(AuditEvent.objects.filter(target_id=str(alert.uuid)).values_list("note", flat=True))
    assert "verification" in notes


def test_nobody_found_closes_as_unfounded(caseworker, site):
    alert, _ = services.receive_alert(
        actor=actor_of(caseworker), channel=Channel.PHONE, payload=_payload(site)
    )
    with pytest.raises(ValidationError):
        services.record_verification(actor=actor_of(caseworker), alert=alert, children_found=0)
    services.record_verification(actor=actor_of(caseworker), alert=alert, children_found=0, note="Personne")
    assert alert.status == AlertStatus.UNFOUNDED and alert.outcome_reason == "Personne"


def test_close_as_duplicate_needs_reason(caseworker, site):
    actor = actor_of(caseworker)
    first, _ = services.receive_alert(actor=actor, channel=Channel.PHONE, payload=_payload(site))
    second, _ = services.receive_alert(actor=actor, channel=Channel.PHONE, payload=_payload(site))
    with pytest.raises(ValidationError):
        services.close_alert(actor=actor, alert=second, outcome=AlertStatus.DUPLICATE, reason="")
    services.close_alert(
        actor=actor, alert=second, outcome=AlertStatus.DUPLICATE, reason="Même groupe", duplicate_of=first
    )
    assert second.status == AlertStatus.DUPLICATE and second.duplicate_of == first


def test_refer(caseworker, other_org, site):
    actor = actor_of(caseworker)
    alert, _ = services.receive_alert(actor=actor, channel=Channel.PHONE, payload=_payload(site))
    services.refer_alert(actor=actor, alert=alert, to=other_org, note="Zone couverte par eux")
    assert alert.status == AlertStatus.REFERRED and alert.referred_to == other_org


def test_focal_point_cannot_triage(focal_point, site):
    alert, _ = services.receive_alert(
        actor=actor_of(focal_point), channel=Channel.PHONE, payload=_payload(site)
    )
    with pytest.raises(PermissionDenied):
        services.start_verification(actor=actor_of(focal_point), alert=alert)


@override_settings(KINGA_ALERT_VERIFICATION_HOURS={"urgent": 6})
def test_deadline_is_configurable_and_overdue_surfaces(caseworker, site):
    actor = actor_of(caseworker)
    alert, _ = services.receive_alert(actor=actor, channel=Channel.PHONE, payload=_payload(site))
    assert abs((alert.due_at - alert.received_at) - datetime.timedelta(hours=6)) < datetime.timedelta(
        seconds=1
    )
    assert selectors.overdue_count(actor) == 0
    Alert.objects.filter(pk=alert.pk).update(due_at=clock.now() - datetime.timedelta(minutes=1))
    assert selectors.overdue_count(actor) == 1
    assert list(selectors.triage_queue(actor, overdue=True)) == [Alert.objects.get(pk=alert.pk)]
    assert alert.urgency == Urgency.URGENT


def test_feedback_has_no_identity(caseworker, site):
    alert, _ = services.receive_alert(actor=ANONYMOUS, channel=Channel.PUBLIC_WEB, payload=_payload(site))
    feedback = selectors.feedback_by_code(alert.feedback_code)
    assert feedback is not None and feedback.reference == alert.reference
    assert selectors.feedback_by_code("not a code") is None


def test_other_organisation_does_not_see_assigned_alerts(caseworker, other_org, site, network):
    alert, _ = services.receive_alert(actor=ANONYMOUS, channel=Channel.PUBLIC_WEB, payload=_payload(site))
    stranger = actor_of(make_member(other_org, Role.CASEWORKER))
    assert alert.organisation == network.organisation
    assert not selectors.triage_queue(stranger).filter(pk=alert.pk).exists()
