import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kinga.community import selectors, services
from kinga.community.models import ActionItemStatus, AreaKind, FourWStatus, SessionKind
from kinga.core import clock
from kinga.core.models import AuditEvent
from kinga.core.roles import Role
from kinga.core.testing import actor_of, assert_not_stored_in_clear, make_member

pytestmark = pytest.mark.django_db
TODAY = clock.today()


def _audited(obj, action="create"):
    return AuditEvent.objects.filter(
        target_id=str(getattr(obj, "uuid", None) or obj.pk), action=action
    ).exists()


def test_member_contact_is_encrypted_and_audited_without_value(network, supervisor):
    member = services.add_member(
        actor=actor_of(supervisor),
        network=network,
        full_name="Mama Furaha",
        contact="+243970123456",
        role="focal_point",
    )
    assert_not_stored_in_clear("+243970123456")
    event = AuditEvent.objects.get(target_id=str(member.uuid))
    assert "+243970123456" not in str(event.changes)
    training = services.add_member_training(
        actor=actor_of(supervisor), member=member, topic="Identification des PFTE", date=TODAY
    )
    assert _audited(training)


def test_site_area_network_needs_site(supervisor, kolwezi):
    with pytest.raises(ValidationError):
        services.create_network(
            actor=actor_of(supervisor), name="X", area_kind=AreaKind.SITE_AREA, place=kolwezi
        )


def test_caseworker_cannot_manage_networks(caseworker, kolwezi):
    with pytest.raises(PermissionDenied):
        services.create_network(
            actor=actor_of(caseworker), name="X", area_kind=AreaKind.VILLAGE, place=kolwezi
        )


def test_network_scoped_to_backing_organisation(network, other_org):
    stranger = actor_of(make_member(other_org, Role.SUPERVISOR))
    assert not selectors.networks(stranger).exists()
    assert selectors.networks(actor_of(network.organisation.memberships.first())).get().active_members == 0


def test_session_with_participants_and_commitments(focal_point, kolwezi):
    actor = actor_of(focal_point)
    session = services.record_session(
        actor=actor,
        theme="parents_responsibility",
        audience="parents",
        date=TODAY,
        place=kolwezi,
        participants=[
            {"audience": "parents", "sex": "F", "count": 20},
            {"audience": "parents", "sex": "M", "count": 10},
            {"audience": "leaders", "sex": "M", "count": 3},
        ],
        parents_committed_f=18,
        parents_committed_m=7,
    )
    assert _audited(session)
    assert selectors.sessions(actor).get().participants_total == 33
    with pytest.raises(ValidationError) as err:
        services.record_session(
            actor=actor,
            theme="children_rights",
            audience="parents",
            date=TODAY,
            place=kolwezi,
            participants=[{"audience": "parents", "sex": "F", "count": 2}],
            parents_committed_f=5,
        )
    assert "parents_committed_f" in err.value.message_dict


def test_radio_broadcast_needs_station(focal_point, kolwezi):
    with pytest.raises(ValidationError):
        services.record_session(
            actor=actor_of(focal_point),
            kind=SessionKind.RADIO,
            theme="mining_code",
            audience="general",
            date=TODAY,
            place=kolwezi,
        )
    radio = services.record_session(
        actor=actor_of(focal_point),
        kind=SessionKind.RADIO,
        theme="mining_code",
        audience="general",
        date=TODAY,
        place=kolwezi,
        radio_station="Radio Okapi Kolwezi",
        broadcasts=4,
    )
    assert radio.broadcasts == 4


def test_training_validation(supervisor, kolwezi):
    actor = actor_of(supervisor)
    with pytest.raises(ValidationError):
        services.record_training(
            actor=actor, group="state_agents", topic="ethics", start=TODAY, place=kolwezi
        )
    training = services.record_training(
        actor=actor,
        group="state_agents",
        topic="ethics",
        start=TODAY,
        place=kolwezi,
        trained_f=4,
        trained_m=16,
    )
    assert _audited(training)


def test_fourw_rules(org, kolwezi):
    clerk = actor_of(make_member(org, Role.DATA_CLERK))
    with pytest.raises(ValidationError) as err:
        services.create_fourw(
            actor=clerk, activity="EAE", place=kolwezi, start=TODAY, status=FourWStatus.PLANNED, reached_f=3
        )
    assert "status" in err.value.message_dict
    with pytest.raises(ValidationError):
        services.create_fourw(
            actor=clerk,
            activity="EAE",
            place=kolwezi,
            start=TODAY,
            reached_f=3,
            reached_by_age={"F": {"5-11": 9}},
        )
    record = services.create_fourw(
        actor=clerk,
        activity="Espaces amis d'enfants",
        place=kolwezi,
        start=TODAY,
        reached_f=3,
        reached_m=2,
        reached_by_age={"F": {"5-11": 3}, "M": {"12-14": 2}},
    )
    services.update_fourw(actor=clerk, record=record, reached_m=4)
    assert _audited(record, "update")
    other = actor_of(make_member(make_member(org, Role.VIEWER).organisation, Role.VIEWER))
    with pytest.raises(PermissionDenied):
        services.update_fourw(actor=other, record=record, reached_m=5)


def test_meeting_items_carry_over(org, other_org):
    manager = actor_of(make_member(org, Role.ORG_MANAGER))
    first = services.create_meeting(
        actor=manager,
        title="Cadre de concertation",
        date=TODAY - datetime.timedelta(days=30),
        participant_organisations=[org, other_org],
        agenda="1. Alertes",
        minutes_text="PV …",
    )
    item = services.add_action_item(
        actor=manager,
        meeting=first,
        description="Cartographier les sites",
        owner=other_org,
        due_date=TODAY - datetime.timedelta(days=1),
    )
    second = services.create_meeting(actor=manager, title="Cadre de concertation", date=TODAY)
    assert list(selectors.carried_items(manager, second)) == [item]
    owner = actor_of(make_member(other_org, Role.DATA_CLERK))
    assert list(selectors.action_items(owner, owner=other_org)) == [item]
    services.update_action_item(
        actor=manager, item=item, status=ActionItemStatus.DONE, meeting=second, note="Fait"
    )
    assert not selectors.carried_items(manager, second).exists()
    assert item.updates.get().meeting == second
    assert _audited(item, "update") and _audited(first) and first.has_minutes


def test_owner_organisation_updates_its_item_but_others_cannot(org, other_org):
    manager = actor_of(make_member(org, Role.ORG_MANAGER))
    meeting = services.create_meeting(actor=manager, title="Réunion", date=TODAY)
    item = services.add_action_item(actor=manager, meeting=meeting, description="Rapport", owner=other_org)
    owner = actor_of(make_member(other_org, Role.DATA_CLERK))
    services.update_action_item(actor=owner, item=item, status=ActionItemStatus.IN_PROGRESS)
    stranger = actor_of(make_member(make_member(org, Role.VIEWER).organisation, Role.CASEWORKER))
    with pytest.raises(PermissionDenied):
        services.update_action_item(actor=stranger, item=item, status=ActionItemStatus.DONE)
