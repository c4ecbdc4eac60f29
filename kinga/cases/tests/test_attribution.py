"""Referrals and services carry the plan activity and funder's commitment they are attributed to: the API reads
and writes them (checked: a commitment funds the activity's action), the case page and the directory show them."""

import datetime
from html import unescape

import pytest

from kinga.cases import services
from kinga.cases.models import Service
from kinga.core.actors import system_actor
from kinga.core.reference import load_organisations
from kinga.core.roles import Role
from kinga.core.testing import actor_of, client_for, make_member
from kinga.plan.models import Activity, Commitment
from kinga.plan.services.loading import load_plan

from .conftest import TODAY, give_consents, register

pytestmark = pytest.mark.django_db
REFUSED = {"commitment": ["Cet engagement finance une autre action ou activité du plan."]}


@pytest.fixture
def plan(team):
    load_organisations()
    load_plan(actor=system_actor())
    first = Activity.objects.filter(action__axis__number=1).order_by("action__number", "position").first()
    other = Activity.objects.filter(action__axis__number=2).first()
    commitment = Commitment.objects.create(
        funder=team.other_org,
        action=first.action,
        activity=first,
        date=datetime.date(2026, 1, 1),
        amount_original=1000,
        amount_usd=1000,
    )
    return first, other, commitment


@pytest.fixture
def crs(team):
    return Service.objects.create(
        name="CRS Kolwezi", service_type="crs", organisation=team.provider_org, place=team.kolwezi
    )


def test_a_provider_manager_attributes_its_service_through_the_api(team, plan, crs):
    first, other, commitment = plan
    manager = client_for(make_member(team.provider_org, Role.ORG_MANAGER))
    url = f"/api/v1/case-services/{crs.uuid}/"
    answer = manager.patch(url, {"commitment": str(commitment.uuid)}, content_type="application/json")
    assert answer.status_code == 200, answer.json()
    assert (answer.json()["plan_activity"], answer.json()["commitment"]) == (
        str(first.uuid),
        str(commitment.uuid),
    )
    refused = manager.patch(url, {"plan_activity": str(other.uuid)}, content_type="application/json")
    assert refused.status_code == 400 and refused.json() == REFUSED
    crs.refresh_from_db()
    assert (crs.plan_activity, crs.commitment) == (first, commitment)
    listed = client_for(team.worker).get("/api/v1/case-services/").json()["results"]
    assert [(s["uuid"], s["plan_activity"]) for s in listed] == [(str(crs.uuid), str(first.uuid))]
    html = unescape(client_for(team.worker).get("/cases/services/").content.decode())
    assert f"Activité du plan : {first}" in html and "Engagement du bailleur : " in html


def test_another_organisations_service_is_a_404_and_a_worker_a_403(team, plan, crs):
    _first, _other, commitment = plan
    body = {"commitment": str(commitment.uuid)}
    url = f"/api/v1/case-services/{crs.uuid}/"
    outsider = client_for(make_member(team.org, Role.ORG_MANAGER))
    assert outsider.patch(url, body, content_type="application/json").status_code == 404
    assert client_for(team.worker).patch(url, body, content_type="application/json").status_code == 403
    crs.refresh_from_db()
    assert crs.commitment is None


def test_a_referral_made_through_the_api_is_attributed_and_shown(team, plan, crs, today):
    _first, other, commitment = plan
    case = register(team)
    give_consents(team, case, TODAY)
    client = client_for(team.worker)
    refer = f"/api/v1/cases/{case.uuid}/refer/"
    body = {"service": str(crs.uuid), "date": TODAY.isoformat(), "plan_activity": str(other.uuid)}
    refused = client.post(
        refer, {**body, "commitment": str(commitment.uuid)}, content_type="application/json"
    )
    assert refused.status_code == 400 and refused.json() == REFUSED
    assert not case.referrals.exists()
    made = client.post(refer, body, content_type="application/json")
    assert made.status_code == 201, made.json()
    assert (made.json()["plan_activity"], made.json()["commitment"]) == (str(other.uuid), None)
    referral = case.referrals.get()
    shown = client_for(team.provider).get(f"/api/v1/case-referrals/{referral.uuid}/").json()
    assert (shown["plan_activity"], shown["commitment"]) == (str(other.uuid), None)
    html = unescape(client.get(f"/cases/{case.uuid}/").content.decode())
    assert f"Activité du plan : {other}" in html


def test_a_referral_without_attribution_takes_its_services(team, plan, crs, today):
    first, _other, commitment = plan
    services.save_service(actor=actor_of(team.coordinator), service=crs, commitment=commitment)
    case = register(team)
    give_consents(team, case, TODAY)
    made = client_for(team.worker).post(
        f"/api/v1/cases/{case.uuid}/refer/",
        {"service": str(crs.uuid), "date": TODAY.isoformat()},
        content_type="application/json",
    )
    assert made.status_code == 201, made.json()
    assert (made.json()["plan_activity"], made.json()["commitment"]) == (
        str(first.uuid),
        str(commitment.uuid),
    )
