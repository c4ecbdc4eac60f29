"""Who reads and writes the governance records: pages and API, 403 without the permission, 404 outside the scope;
the pages in French with the forms' errors on their fields."""

import datetime
from decimal import Decimal

import pytest

from kinga.community.models import AdvocacyAction
from kinga.core.audit import AuditEvent
from kinga.core.indicators import IndicatorQuery, evaluate
from kinga.core.testing import client_for
from kinga.governance import services
from kinga.governance.models import AdvocacyStep, EquipmentDonation

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def records(world):
    w = world
    w.donation = services.record_donation(
        actor=w.actor(),
        description="Motos tout-terrain",
        category="vehicle",
        quantity=4,
        recipient=w.police,
        place=w.kolwezi,
        given_on=D(2025, 5, 2),
        cost_usd=Decimal("12000"),
    )
    w.school = services.record_infrastructure(
        actor=w.actor(),
        name="École primaire de Kasulo",
        kind="school",
        work="built",
        place=w.kolwezi,
        funded_by=w.partner,
        cost_usd=Decimal("45000"),
        works_started_on=D(2025, 2, 1),
    )
    w.track = services.start_track(
        actor=w.actor(w.coalition_clerk),
        title="Tribunal pour enfants à Kolwezi",
        goal="Installer une juridiction pour enfants",
        place=w.kolwezi,
        started_on=D(2025, 1, 10),
    )
    return w


def test_pages_are_read_by_the_parties_and_the_province(records):
    w = records
    for member in (w.partner_manager, w.police_manager, w.coordinator, w.funder, w.stranger_manager):
        assert client_for(member).get("/gouvernance/").status_code == 200, member.role
    assert client_for(w.focal).get("/gouvernance/").status_code == 403
    listing = client_for(w.police_manager).get("/gouvernance/dotations/").content.decode()
    assert "Motos tout-terrain" in listing  # the receiving service reads it
    assert (
        "Motos tout-terrain"
        not in client_for(w.stranger_manager).get("/gouvernance/dotations/").content.decode()
    )
    track = f"/gouvernance/plaidoyers/{w.track.uuid}/"
    assert client_for(w.coalition_clerk).get(track).status_code == 200
    assert client_for(w.funder).get(track).status_code == 200
    assert client_for(w.stranger_manager).get(track).status_code == 404  # another organisation's track
    assert client_for(w.focal).get(track).status_code == 403


def test_writes_are_the_recording_organisations(records):
    w = records
    in_service = f"/gouvernance/infrastructures/{w.school.uuid}/mise-en-service/"
    assert client_for(w.partner_manager).get(in_service).status_code == 200
    assert client_for(w.coordinator).get(in_service).status_code == 200
    assert client_for(w.police_manager).get(in_service).status_code == 404
    assert client_for(w.funder).get(in_service).status_code == 403
    steps = f"/gouvernance/plaidoyers/{w.track.uuid}/etapes/"
    assert client_for(w.coalition_clerk).get(steps).status_code == 200
    assert client_for(w.partner_manager).get(steps).status_code == 404
    assert client_for(w.funder).get(steps).status_code == 403
    assert client_for(w.caseworker).get("/gouvernance/dotations/nouvelle/").status_code == 403


def test_the_coordinator_records_a_step_of_a_track_led_by_another_organisation(records):
    """The IDAK coordinator follows the province's advocacy: a step they record is an advocacy action of the
    organisation leading the track (the plan counts it for that organisation), typed by the coordinator."""
    w = records
    track = f"/gouvernance/plaidoyers/{w.track.uuid}/"
    assert "Enregistrer une étape" in client_for(w.coordinator).get(track).content.decode()
    assert "Enregistrer une étape" not in client_for(w.funder).get(track).content.decode()
    response = client_for(w.coordinator).post(
        f"{track}etapes/",
        {
            "date": "2025-03-04",
            "milestone": "meeting",
            "target": "justice",
            "subject": "Rencontre au parquet",
        },
    )
    assert response.status_code == 302, response.content.decode()
    step = AdvocacyStep.objects.get(track=w.track)
    assert step.action.organisation == w.coalition and step.action.subject == "Rencontre au parquet"
    for obj in (step, step.action):
        event = AuditEvent.objects.get(target_id=str(obj.uuid), action="create")
        assert event.actor_id == w.coordinator.user_id
    assert (
        evaluate("COMMUNITY_ADVOCACY_ACTIONS", IndicatorQuery(D(2025, 1, 1), D(2025, 12, 31)))[0].value == 1
    )
    assert "Rencontre au parquet" in client_for(w.coalition_clerk).get(track).content.decode()
    # An advocacy action of its own, on the community pages: the coordination's.
    action = client_for(w.coordinator).post(
        "/community/plaidoyer/ajouter/",
        {
            "date": "2025-04-01",
            "target": "government",
            "subject": "Lettre au Gouverneur",
            "place": w.kolwezi.pk,
        },
    )
    assert action.status_code == 302, action.content.decode()
    own = AdvocacyAction.objects.get(subject="Lettre au Gouverneur")
    assert own.organisation_id == w.coordinator.organisation_id
    assert client_for(w.funder).post(f"{track}etapes/", {}).status_code == 403
    assert client_for(w.funder).get("/community/plaidoyer/ajouter/").status_code == 403


def test_a_refused_donation_shows_french_errors_and_keeps_what_was_typed(records):
    w = records
    c = client_for(w.partner_manager)
    data = {
        "description": "Ordinateurs",
        "category": "it",
        "quantity": "3",
        "recipient": w.coalition.pk,  # not a state service: not offered
        "place": w.kolwezi.pk,
        "given_on": "2025-06-01",
        "cost_usd": "2700",
    }
    response = c.post("/gouvernance/dotations/nouvelle/", data)
    assert response.status_code == 400 and "Ordinateurs" in response.content.decode()
    assert EquipmentDonation.objects.count() == 1
    response = c.post("/gouvernance/dotations/nouvelle/", {**data, "recipient": w.police.pk})
    assert response.status_code == 302 and EquipmentDonation.objects.count() == 2
    page = c.get("/gouvernance/").content.decode()
    assert "2 dotations" in page and "7 unités remises" in page


def test_the_coordinator_names_the_donor_on_the_form_and_the_api_says_who_gave_it(records):
    w = records
    form = client_for(w.coordinator).get("/gouvernance/dotations/nouvelle/").content.decode()
    assert 'name="donor"' in form and 'name="donor_name"' in form and "Donné par" in form
    assert (
        'name="donor_name"'
        not in client_for(w.partner_manager).get("/gouvernance/dotations/nouvelle/").content.decode()
    )
    data = {
        "description": "Ordinateurs portables",
        "category": "it",
        "quantity": "3",
        "recipient": w.police.pk,
        "place": w.kolwezi.pk,
        "given_on": "2025-06-01",
        "cost_usd": "2700",
    }
    c = client_for(w.coordinator)
    refused = c.post("/gouvernance/dotations/nouvelle/", data)
    assert refused.status_code == 400 and "Dites qui l" in refused.content.decode()
    assert "Ordinateurs portables" in refused.content.decode()
    assert (
        c.post("/gouvernance/dotations/nouvelle/", {**data, "donor_name": "Ambassade du Canada"}).status_code
        == 302
    )
    assert c.post("/gouvernance/dotations/nouvelle/", {**data, "donor": w.partner.pk}).status_code == 302
    listing = client_for(w.police_manager).get("/gouvernance/dotations/").content.decode()
    assert "Ambassade du Canada" in listing
    rows = (
        client_for(w.police_manager).get("/api/v1/governance/equipment-donations/?given_on=2025-06-01").json()
    )
    donors = {(r["donor"], r["donor_name"]) for r in rows["results"]}
    assert donors == {(None, "Ambassade du Canada"), (str(w.partner.uuid), "")}
    # The partner named as the donor reads its donation; a donation given by a named outside donor is not its.
    mine = client_for(w.partner_manager).get("/api/v1/governance/equipment-donations/").json()
    assert mine["count"] == 2 and all(r["donor"] == str(w.partner.uuid) for r in mine["results"])


def test_the_api_lists_what_the_actor_may_see(records):
    w = records
    for path in ("equipment-donations", "social-infrastructures"):
        mine = client_for(w.partner_manager).get(f"/api/v1/governance/{path}/")
        assert mine.status_code == 200 and mine.json()["count"] == 1, path
        assert client_for(w.stranger_manager).get(f"/api/v1/governance/{path}/").json()["count"] == 0, path
        assert client_for(w.focal).get(f"/api/v1/governance/{path}/").status_code == 403, path
    tracks = client_for(w.funder).get("/api/v1/governance/advocacy-tracks/").json()
    assert tracks["count"] == 1 and tracks["results"][0]["outcome"] == "ongoing"
    assert (
        client_for(w.stranger_manager).get(f"/api/v1/governance/advocacy-tracks/{w.track.uuid}/").status_code
        == 404
    )
    months = client_for(w.funder).get("/api/v1/governance/involvement/?territory=CD7201").json()
    assert len(months) == 24 and set(months[0]) >= {"month", "interfering", "taxation", "agents_trained"}
    assert client_for(w.funder).get("/api/v1/governance/involvement/?territory=XX").status_code == 400
