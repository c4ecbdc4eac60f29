"""The register of care facilities (plan, axis 1, action 8): registered from the directory, dated statuses, works
with their cost, occupancy by month from the referrals accepted, the plan's count computed from it; who may read
and write (403 without the permission, 404 for another organisation's facility), API, audit trail, synth."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kinga.cases import selectors_facilities as selectors
from kinga.cases import services, synth_facilities
from kinga.cases.models import Case, Facility, FacilityWork, Service
from kinga.core.audit import AuditEvent
from kinga.core.indicators import IndicatorQuery, evaluate
from kinga.core.roles import Role
from kinga.core.synth import SynthContext
from kinga.core.testing import actor_of, client_for, make_member, make_organisation

from .conftest import TODAY, give_consents, register

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def crs(team, today):
    team.provider_manager = make_member(team.provider_org, Role.ORG_MANAGER)
    service = services.save_service(
        actor=actor_of(team.provider_manager),
        organisation=team.provider_org,
        name="CRS Kasulo",
        service_type="crs",
        place=team.kolwezi,
        capacity=4,
    )
    team.facility = services.register_facility(
        actor=actor_of(team.provider_manager), service=service, status="works", since=D(2025, 6, 1)
    )
    return team


def _accepted(team, service, day, *, name="Trésor"):
    case = register(team, given_name=name, today=day)
    give_consents(team, case, day)
    referral = services.make_referral(
        actor=actor_of(team.worker), case=case, service=service, reason="Rattrapage", date=day, today=day
    )
    services.answer_referral(
        actor=actor_of(team.provider), referral=referral, accept=True, date=day, today=day
    )
    return case


def test_a_facility_is_registered_from_the_directory_only_once_and_only_of_the_four_kinds(crs):
    t, manager = crs, actor_of(crs.provider_manager)
    assert t.facility.status == "works" and t.facility.status_changes.count() == 1
    with pytest.raises(ValidationError) as exc:
        services.register_facility(actor=manager, service=t.facility.service, status="operating", since=TODAY)
    assert "service" in exc.value.message_dict
    health = services.save_service(
        actor=manager,
        organisation=t.provider_org,
        name="Centre de santé",
        service_type="health",
        place=t.kolwezi,
    )
    with pytest.raises(ValidationError):
        services.register_facility(actor=manager, service=health, status="operating", since=TODAY)
    with pytest.raises(ValidationError) as exc:
        services.register_facility(
            actor=manager,
            service=services.save_service(
                actor=manager, organisation=t.provider_org, name="CAP", service_type="cap", place=t.kolwezi
            ),
            status="operating",
            since=TODAY + datetime.timedelta(days=1),
        )
    assert "since" in exc.value.message_dict
    assert AuditEvent.objects.filter(target_id=str(t.facility.uuid), action="create").exists()


def test_status_follows_the_latest_change_and_works_keep_their_cost(crs):
    t, manager = crs, actor_of(crs.provider_manager)
    services.record_status(
        actor=manager, facility=t.facility, status="operating", since=D(2025, 10, 1), capacity=30
    )
    # A change recorded late, dated before the latest, does not replace it.
    services.record_status(actor=manager, facility=t.facility, status="planned", since=D(2025, 1, 1))
    t.facility.refresh_from_db()
    assert (t.facility.status, t.facility.status_since) == ("operating", D(2025, 10, 1))
    assert Service.objects.get(pk=t.facility.service_id).capacity == 30
    with pytest.raises(ValidationError) as exc:
        services.record_status(actor=manager, facility=t.facility, status="closed", since=D(2025, 10, 1))
    assert "since" in exc.value.message_dict
    funder = make_organisation("Bailleur des travaux")
    work = services.record_work(
        actor=manager,
        facility=t.facility,
        kind="rehabilitation",
        description="Toiture et latrines",
        started_on=D(2025, 6, 10),
        cost_usd=Decimal("18500"),
        funded_by=funder,
    )
    with pytest.raises(ValidationError) as exc:
        services.record_work(
            actor=manager,
            facility=t.facility,
            kind="equipment",
            description="Bancs",
            started_on=D(2025, 6, 10),
            cost_usd=Decimal("0"),
            funded_by=funder,
        )
    assert "cost_usd" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.complete_work(actor=manager, work=work, completed_on=D(2025, 6, 1))
    services.complete_work(actor=manager, work=work, completed_on=D(2025, 9, 20))
    row = selectors.facilities(manager).get(pk=t.facility.pk)
    assert row.works_cost == Decimal("18500.00")
    assert AuditEvent.objects.filter(target_id=str(work.uuid), action="update").exists()


def test_occupancy_by_month_comes_from_the_referrals_accepted(crs, today):
    t = crs
    service = t.facility.service
    first = _accepted(t, service, D(2026, 1, 10))
    _accepted(t, service, D(2026, 2, 5), name="Grâce")
    _accepted(t, service, D(2026, 2, 20), name="Joël")
    # The first child's case closed in February: counted in February, no longer in March.
    Case.objects.filter(pk=first.pk).update(closed_on=D(2026, 2, 15))
    months = {m.month: m for m in selectors.occupancy(t.facility, months=3, end=D(2026, 3, 2))}
    assert [(m.admitted, m.in_care) for m in months.values()] == [(1, 1), (2, 3), (0, 2)]
    assert months[D(2026, 3, 1)].rate == Decimal("50.0")  # 2 of a capacity of 4
    assert selectors.in_care_now([t.facility.pk], D(2026, 3, 2)) == {t.facility.pk: 2}


def test_the_plan_counts_the_facilities_operating_at_the_end_of_the_period(crs):
    t, manager = crs, actor_of(crs.provider_manager)
    year = IndicatorQuery(D(2025, 1, 1), D(2025, 12, 31), breakdowns=("territory",))
    assert evaluate("CASES_CARE_FACILITIES", year) == []  # under works all year
    services.record_status(actor=manager, facility=t.facility, status="operating", since=D(2025, 11, 1))
    assert [(v.value, v.breakdown) for v in evaluate("CASES_CARE_FACILITIES", year)] == [
        (1, {"territory": "CD7201"})
    ]
    services.record_status(actor=manager, facility=t.facility, status="suspended", since=D(2026, 2, 1))
    assert evaluate("CASES_CARE_FACILITIES", IndicatorQuery(D(2026, 1, 1), D(2026, 2, 28)))[0].value == 0
    # A directory entry that is not on the register is not counted.
    services.save_service(
        actor=manager,
        organisation=t.provider_org,
        name="Espace de jeux",
        service_type="play",
        place=t.kolwezi,
    )
    assert evaluate("CASES_CARE_FACILITIES", IndicatorQuery(D(2025, 1, 1), D(2025, 12, 31)))[0].value == 1


def test_pages_and_api_read_for_every_role_but_write_for_the_provider_only(crs):
    t = crs
    url = f"/cases/structures/{t.facility.uuid}/"
    for member in (t.provider_manager, t.coordinator, t.funder, t.manager, t.worker):
        assert client_for(member).get(url).status_code == 200, member.role
    assert client_for(t.provider_manager).get(url + "statut/").status_code == 200
    assert client_for(t.coordinator).get(url + "travaux/").status_code == 200
    assert client_for(t.manager).get(url + "statut/").status_code == 404  # another organisation's facility
    assert client_for(t.worker).get(url + "statut/").status_code == 403  # no permission to manage services
    focal = make_member(t.org, Role.FOCAL_POINT)
    assert client_for(focal).get(url).status_code == 403
    assert client_for(focal).get("/api/v1/cases/facilities/").status_code == 403
    with pytest.raises(PermissionDenied):
        services.record_work(
            actor=actor_of(t.manager),
            facility=t.facility,
            kind="equipment",
            description="Bancs",
            started_on=TODAY,
            cost_usd=Decimal(10),
            funded_by=t.org,
        )
    api = client_for(t.funder)
    listed = api.get("/api/v1/cases/facilities/").json()
    assert listed["count"] == 1 and listed["results"][0]["status"] == "works"
    months = api.get(f"/api/v1/cases/facilities/{t.facility.uuid}/occupancy/").json()
    assert len(months) == 12 and months[-1]["capacity"] == 4
    assert api.get("/api/v1/cases/facility-works/").status_code == 200


def test_the_register_pages_post_and_show_french(crs):
    t = crs
    c = client_for(t.provider_manager)
    response = c.post(
        f"/cases/structures/{t.facility.uuid}/travaux/",
        {
            "kind": "equipment",
            "description": "Lits et matelas",
            "started_on": "2026-01-05",
            "cost_usd": "0",
            "funded_by": t.provider_org.pk,
        },
    )
    assert response.status_code == 400 and not FacilityWork.objects.exists()
    response = c.post(
        f"/cases/structures/{t.facility.uuid}/travaux/",
        {
            "kind": "equipment",
            "description": "Lits et matelas",
            "started_on": "2026-01-05",
            "cost_usd": "4200.50",
            "funded_by": t.provider_org.pk,
        },
    )
    assert response.status_code == 302
    page = c.get(f"/cases/structures/{t.facility.uuid}/").content.decode()
    assert "Lits et matelas" in page and "200,50" in page and "Équipement" in page
    assert "Occupation par mois" in page and "En travaux" in page
    listing = c.get("/cases/structures/?status=works").content.decode()
    assert "CRS Kasulo" in listing
    assert "CRS Kasulo" not in c.get("/cases/structures/?status=closed").content.decode()


def test_synth_registers_every_facility_of_the_directory(team, today):
    for kind in ("crs", "cap", "transit", "play", "health"):
        Service.objects.create(
            name=f"S {kind}", service_type=kind, organisation=team.provider_org, place=team.kolwezi
        )
    ctx = SynthContext(scale="demo", seed=3)
    synth_facilities.generate(ctx)
    synth_facilities.generate(ctx)  # a second run adds nothing
    assert Facility.objects.count() == ctx.counts["cases_facility"] == 4
    for facility in Facility.objects.all():
        latest = facility.status_changes.order_by("-since").first()
        assert (latest.status, latest.since) == (facility.status, facility.status_since)
    assert (
        FacilityWork.objects.filter(facility__isnull=False).count() == ctx.counts["cases_facilitywork"] >= 4
    )
