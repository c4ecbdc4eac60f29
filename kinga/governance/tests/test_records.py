"""Governance records through their services and the plan's indicators computed from them: equipment given to state
services, social infrastructures put in service, an advocacy track whose steps are advocacy actions, and the
involvement of state and security agents read from inspections next to the agents trained."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kinga.community import services as community_services
from kinga.community.models import AdvocacyAction
from kinga.core.audit import AuditEvent
from kinga.core.indicators import IndicatorQuery, evaluate
from kinga.core.roles import Role
from kinga.core.testing import actor_of, make_member
from kinga.governance import selectors, services
from kinga.sites.models import Site
from kinga.sites.services import record_inspection

pytestmark = pytest.mark.django_db
D = datetime.date
YEAR = IndicatorQuery(D(2025, 1, 1), D(2025, 12, 31), breakdowns=("territory",))


def _donation(w, **kw):
    values = {
        "actor": w.actor(),
        "description": "Motos tout-terrain",
        "category": "vehicle",
        "quantity": 4,
        "recipient": w.police,
        "place": w.kolwezi,
        "given_on": D(2025, 5, 2),
        "cost_usd": Decimal("12000"),
    }
    return services.record_donation(**{**values, **kw})


def test_equipment_given_to_a_state_service_counts_its_quantities(world):
    w = world
    donation = _donation(w)
    assert donation.donor == w.partner and donation.territory.pcode == "CD7201"
    _donation(w, description="Radios", category="communication", quantity=10, given_on=D(2026, 1, 5))
    assert [(v.value, v.breakdown) for v in evaluate("GOVERNANCE_INFRASTRUCTURE_EQUIPMENT", YEAR)] == [
        (4, {"territory": "CD7201"})
    ]
    with pytest.raises(ValidationError) as exc:
        _donation(w, recipient=w.coalition)  # an NGO is not a state service
    assert "recipient" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _donation(w, quantity=0, cost_usd=Decimal(0))
    assert {"quantity"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError) as exc:
        _donation(w, donor=w.stranger)  # one records for one's own organisation
    assert "donor" in exc.value.message_dict
    assert AuditEvent.objects.filter(target_id=str(donation.uuid), action="create").exists()


def test_the_coordination_records_who_gave_it_from_the_registry_or_by_name(world):
    w = world
    coordinator = w.actor(w.coordinator)
    from_registry = _donation(w, actor=coordinator, donor=w.partner, quantity=2)
    outside = _donation(w, actor=coordinator, donor_name="  Ambassade du Canada ", quantity=3)
    assert from_registry.donor == w.partner and from_registry.donor_name == ""
    assert outside.donor is None and outside.donor_label == "Ambassade du Canada"
    # The plan's indicator and the totals count every donation, whoever gave it.
    assert [v.value for v in evaluate("GOVERNANCE_INFRASTRUCTURE_EQUIPMENT", YEAR)] == [5]
    assert selectors.donation_totals(selectors.donations(coordinator))["quantity"] == 5
    # The registry's donor reads what it gave; the receiving service reads both; the outside donor's record is
    # nobody's organisation but the service's and the province's.
    assert list(selectors.donations(w.actor(w.partner_manager))) == [from_registry]
    assert set(selectors.donations(w.actor(w.police_manager))) == {from_registry, outside}
    assert not selectors.donations(w.actor(w.stranger_manager)).exists()
    with pytest.raises(ValidationError) as exc:
        _donation(w, actor=coordinator, donor=w.partner, donor_name="Ambassade du Canada")
    assert "donor_name" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:  # an organisation's staff record what their organisation gave
        _donation(w, donor_name="Ambassade du Canada")
    assert "donor_name" in exc.value.message_dict
    event = AuditEvent.objects.get(target_id=str(outside.uuid), action="create")
    assert event.changes["donor_name"] == [None, "Ambassade du Canada"] and "donor" not in event.changes


def test_a_social_infrastructure_counts_once_in_service(world):
    w = world
    school = services.record_infrastructure(
        actor=w.actor(),
        name="École primaire de Kasulo",
        kind="school",
        work="restored",
        place=w.kolwezi,
        funded_by=w.partner,
        cost_usd=Decimal("45000"),
        works_started_on=D(2025, 2, 1),
    )
    assert evaluate("GOVERNANCE_SOCIAL_INFRASTRUCTURES", YEAR) == []
    with pytest.raises(ValidationError):
        services.put_in_service(actor=w.actor(), infrastructure=school, in_service_on=D(2025, 1, 1))
    with pytest.raises(PermissionDenied):
        services.put_in_service(
            actor=w.actor(w.stranger_manager), infrastructure=school, in_service_on=D(2025, 9, 1)
        )
    services.put_in_service(actor=w.actor(), infrastructure=school, in_service_on=D(2025, 9, 1))
    assert [(v.value, v.breakdown) for v in evaluate("GOVERNANCE_SOCIAL_INFRASTRUCTURES", YEAR)] == [
        (1, {"territory": "CD7201"})
    ]
    with pytest.raises(ValidationError):
        services.put_in_service(actor=w.actor(), infrastructure=school, in_service_on=D(2025, 10, 1))
    assert AuditEvent.objects.filter(target_id=str(school.uuid), action="update").exists()


def test_the_childrens_court_advocacy_steps_are_counted_advocacy_actions(world):
    w = world
    clerk = w.actor(w.coalition_clerk)
    track = services.start_track(
        actor=clerk,
        title="Tribunal pour enfants à Kolwezi",
        goal="Installer une juridiction pour enfants",
        place=w.kolwezi,
        started_on=D(2025, 1, 10),
    )
    step = services.record_step(
        actor=clerk,
        track=track,
        date=D(2025, 2, 3),
        milestone="letter",
        target="government",
        subject="Mémorandum au Gouverneur",
    )
    services.record_step(
        actor=clerk, track=track, date=D(2025, 6, 1), milestone="decision", target="justice", subject="Arrêté"
    )
    assert step.action.organisation == w.coalition and AdvocacyAction.objects.count() == 2
    assert evaluate("COMMUNITY_ADVOCACY_ACTIONS", YEAR)[0].value == 2
    with pytest.raises(ValidationError):
        services.record_step(
            actor=clerk,
            track=track,
            date=D(2024, 12, 1),
            milestone="letter",
            target="government",
            subject="x",
        )
    with pytest.raises(PermissionDenied):
        services.record_step(
            actor=w.actor(w.stranger_manager),
            track=track,
            date=D(2025, 3, 1),
            milestone="meeting",
            target="justice",
            subject="x",
        )
    services.close_track(
        actor=clerk, track=track, outcome="achieved", outcome_on=D(2025, 7, 1), outcome_note="Installé"
    )
    with pytest.raises(ValidationError):
        services.record_step(
            actor=clerk, track=track, date=D(2025, 8, 1), milestone="meeting", target="justice", subject="x"
        )
    assert [s.milestone for s in selectors.steps(clerk, track)] == ["letter", "decision"]


def test_involvement_by_month_reads_the_inspections_next_to_the_agents_trained(world):
    w = world
    inspector = actor_of(make_member(w.police, Role.SITE_INSPECTOR))
    site = Site.objects.create(code="codmine00077", name="Kasulo", place=w.kolwezi)
    record_inspection(actor=inspector, site=site, date=D(2026, 1, 12), security_forces_interfering=True)
    record_inspection(
        actor=inspector,
        site=site,
        date=D(2026, 1, 20),
        illegal_taxation=True,
        security_forces_interfering=True,
    )
    record_inspection(actor=inspector, site=site, date=D(2026, 2, 3))
    community_services.record_training(
        actor=w.actor(w.coalition_clerk),
        group="security_agents",
        topic="ethics",
        start=D(2026, 2, 10),
        place=w.kolwezi,
        trained_m=25,
        trained_f=5,
    )
    months = {m.month: m for m in selectors.involvement(w.actor(), months=3, end=D(2026, 3, 2))}
    jan, feb, mar = months[D(2026, 1, 1)], months[D(2026, 2, 1)], months[D(2026, 3, 1)]
    assert (jan.inspections, jan.interfering, jan.taxation, jan.involved, jan.share) == (
        2,
        2,
        1,
        2,
        Decimal("100.0"),
    )
    assert (feb.inspections, feb.involved, feb.agents_trained, feb.agents_trained_ethics) == (1, 0, 30, 30)
    assert mar.inspections == 0 and mar.share is None
    elsewhere = w.kolwezi.parent.children.get(pcode="CD7203")
    assert (
        sum(
            m.inspections
            for m in selectors.involvement(w.actor(), place=elsewhere, months=3, end=D(2026, 3, 2))
        )
        == 0
    )
