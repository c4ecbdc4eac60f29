"""A member leaving a cooperative: the members list, the departure form, the audited service."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from kinga.core import clock
from kinga.core.models import AuditEvent
from kinga.core.roles import Role
from kinga.core.testing import client_for, make_member
from kinga.supply import selectors, services

pytestmark = pytest.mark.django_db

TODAY = clock.today()
JOINED = TODAY - datetime.timedelta(days=400)


@pytest.fixture
def miner(world):
    return services.register_miner(
        actor=world.actor(world.coop_clerk),
        cooperative=world.coop,
        member_number="EMA-017",
        sex="F",
        birth_year=TODAY.year - 30,
        joined_on=JOINED,
    )


def leave_url(world, miner, coop=None) -> str:
    return f"/supply/cooperatives/{(coop or world.coop).uuid}/membres/{miner.uuid}/depart/"


def list_url(world, coop=None) -> str:
    return f"/supply/cooperatives/{(coop or world.coop).uuid}/membres/liste/"


def active_members(world) -> int:
    return selectors.miners_summary(world.actor(world.inspector), cooperative=world.coop, day=TODAY)["total"]


def test_the_cooperative_records_that_a_member_left_from_its_members_list(world, miner):
    client = client_for(world.coop_clerk)
    detail = client.get(f"/supply/cooperatives/{world.coop.uuid}/").content.decode()
    assert list_url(world) in detail
    members = client.get(list_url(world)).content.decode()
    assert "EMA-017" in members and leave_url(world, miner) in members
    assert client.get(leave_url(world, miner)).status_code == 200
    assert active_members(world) == 1

    left_on = TODAY - datetime.timedelta(days=10)
    response = client.post(leave_url(world, miner), {"left_on": left_on.isoformat()})

    assert response.status_code == 302 and response["Location"] == list_url(world)
    miner.refresh_from_db()
    assert miner.left_on == left_on
    assert active_members(world) == 0
    event = AuditEvent.objects.get(target_type="supply.miner", action="update", target_id=str(miner.uuid))
    assert event.actor == world.coop_clerk.user and "left_on" in event.changes
    page = client.get(list_url(world)).content.decode()
    assert "Départ du membre n° EMA-017 enregistré." in page
    assert "Corriger le départ" in page


@pytest.mark.parametrize(
    ("left_on", "message"),
    [
        (
            JOINED - datetime.timedelta(days=1),
            "La date de départ ({left}) ne peut pas précéder la date d&#x27;adhésion de ce membre à la "
            "coopérative ({joined}).",
        ),
        (TODAY + datetime.timedelta(days=1), "futur"),
    ],
)
def test_a_bad_departure_date_is_refused_in_french_and_changes_nothing(world, miner, left_on, message):
    client = client_for(world.coop_clerk)
    response = client.post(leave_url(world, miner), {"left_on": left_on.isoformat()})
    assert response.status_code == 400
    expected = message.format(left=left_on.strftime("%d/%m/%Y"), joined=JOINED.strftime("%d/%m/%Y"))
    assert expected in response.content.decode()
    miner.refresh_from_db()
    assert miner.left_on is None
    assert not AuditEvent.objects.filter(target_type="supply.miner", action="update").exists()


def test_the_service_refuses_a_departure_before_joining(world, miner):
    with pytest.raises(ValidationError) as error:
        services.miner_leaves(
            actor=world.actor(world.inspector), miner=miner, left_on=JOINED - datetime.timedelta(days=1)
        )
    assert "précéder la date d'adhésion" in error.value.message_dict["left_on"][0]


def test_another_cooperative_gets_404(world, miner):
    other_clerk = make_member(world.other_coop, Role.DATA_CLERK)
    client = client_for(other_clerk)
    assert client.get(leave_url(world, miner)).status_code == 404
    assert client.post(leave_url(world, miner), {"left_on": TODAY.isoformat()}).status_code == 404
    assert client.get(list_url(world)).status_code == 404
    # nor can a member be reached through another cooperative's address
    inspector = client_for(world.inspector)
    assert inspector.get(leave_url(world, miner, coop=world.other_coop)).status_code == 404
    with pytest.raises(PermissionDenied):
        services.miner_leaves(actor=world.actor(other_clerk), miner=miner, left_on=TODAY)
    miner.refresh_from_db()
    assert miner.left_on is None


@pytest.mark.parametrize("who", ["officer", "coordinator", "caseworker"])
def test_roles_that_do_not_record_get_403(world, miner, who):
    client = client_for(getattr(world, who))
    assert client.get(leave_url(world, miner)).status_code == 403
    assert client.post(leave_url(world, miner), {"left_on": TODAY.isoformat()}).status_code == 403
    miner.refresh_from_db()
    assert miner.left_on is None


def test_the_list_is_read_by_supply_viewers_without_the_departure_link(world, miner):
    page = client_for(world.coordinator).get(list_url(world)).content.decode()
    assert "EMA-017" in page and leave_url(world, miner) not in page
    assert client_for(world.caseworker).get(list_url(world)).status_code == 403
    response = Client().get(list_url(world))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
