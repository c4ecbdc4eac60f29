"""Household production and nutrition (issue 18, item 2): micro-finance groups and their arrears, harvests, the
nutrition visit's computed scores, and the plan's production and malnutrition rates computed from them."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kinga.core.indicators import IndicatorQuery, compute
from kinga.core.models import AuditEvent
from kinga.core.roles import Role
from kinga.core.testing import actor_of, make_member, make_organisation
from kinga.households import selectors_production as selectors
from kinga.households import services
from kinga.households.models import FoodConsumption, MuacStatus, ProgrammeKind
from kinga.households.nutrition import food_score, muac_status
from kinga.households.services import ChildMeasure
from kinga.households.tests.factories import make_household, make_programme

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def org():
    return make_organisation()


@pytest.fixture
def worker(org):
    return actor_of(make_member(org, Role.CASEWORKER))


@pytest.fixture
def manager(org):
    return actor_of(make_member(org, Role.ORG_MANAGER))


def _group(manager, place, capital="500"):
    return services.create_group(
        actor=manager,
        name="AVEC Tujenge",
        kind="savings",
        place=place,
        formed_on=D(2025, 6, 1),
        capital_usd=capital,
    )


def test_a_revolving_fund_lends_what_it_holds_and_its_arrears_are_computed(manager, worker, kolwezi, today):
    group = _group(manager, kolwezi)
    a, b = make_household(worker, kolwezi), make_household(worker, kolwezi)
    for h in (a, b):
        services.add_group_member(actor=worker, group=group, household=h, joined_on=D(2025, 7, 1))
    late = services.record_loan(
        actor=worker,
        group=group,
        household=a,
        purpose="inputs",
        amount_usd="300",
        interest_percent="10",
        issued_on=D(2025, 9, 1),
        due_on=D(2026, 1, 31),
    )
    services.record_repayment(actor=worker, loan=late, paid_on=D(2025, 12, 1), amount_usd="100")
    # The fund holds 500 - 300 + 100 = 300: a loan of 301 is refused, one of 300 is made.
    with pytest.raises(ValidationError) as refused:
        services.record_loan(
            actor=worker,
            group=group,
            household=b,
            purpose="tools",
            amount_usd="301",
            issued_on=D(2026, 2, 1),
            due_on=D(2026, 8, 1),
        )
    assert "amount_usd" in refused.value.message_dict
    services.record_loan(
        actor=worker,
        group=group,
        household=b,
        purpose="tools",
        amount_usd="300",
        issued_on=D(2026, 2, 1),
        due_on=D(2026, 8, 1),
    )
    totals = selectors.group_totals(group)
    assert totals.lent == Decimal("600") and totals.repaid == Decimal("100") and totals.available == 0
    # Only the loan past its due date is in arrears: 330 owed with interest, 100 repaid.
    assert totals.arrears == Decimal("230.00") and totals.late_loans == 1
    assert totals.outstanding == Decimal("530.00")
    # A repayment beyond what the loan owes is refused; what it owes is accepted and clears the arrears.
    with pytest.raises(ValidationError):
        services.record_repayment(actor=worker, loan=late, paid_on=D(2026, 2, 10), amount_usd="231")
    services.record_repayment(actor=worker, loan=late, paid_on=D(2026, 2, 10), amount_usd="230")
    assert selectors.group_totals(group).arrears == 0
    assert AuditEvent.objects.filter(target_type="households.loan", action="create").count() == 2


def test_a_loan_goes_to_a_member_household_of_the_group_organisation(manager, worker, kolwezi, today):
    group = _group(manager, kolwezi)
    outsider = make_household(worker, kolwezi)
    with pytest.raises(ValidationError) as refused:
        services.record_loan(
            actor=worker,
            group=group,
            household=outsider,
            purpose="inputs",
            amount_usd="10",
            issued_on=D(2026, 1, 1),
            due_on=D(2026, 3, 1),
        )
    assert "household" in refused.value.message_dict
    other_org = actor_of(make_member(make_organisation(), Role.CASEWORKER))
    elsewhere = make_household(other_org, kolwezi)
    with pytest.raises(ValidationError) as refused:
        services.add_group_member(actor=worker, group=group, household=elsewhere, joined_on=D(2026, 1, 1))
    assert "household" in refused.value.message_dict
    clerk = actor_of(make_member(make_organisation(), Role.DATA_CLERK))
    with pytest.raises(PermissionDenied):
        services.create_group(actor=clerk, name="X", kind="savings", place=kolwezi, formed_on=D(2026, 1, 1))


def test_harvests_are_checked_and_tied_to_the_farming_enrolment(manager, worker, kolwezi, today):
    household = make_household(worker, kolwezi)
    programme = make_programme(manager, ProgrammeKind.GARDENING_LIVESTOCK)
    enrolment = services.enrol(
        actor=manager, programme=programme, household=household, enrolled_on=D(2025, 9, 1)
    )
    harvest = services.record_harvest(
        actor=worker,
        household=household,
        kind="crop",
        product="maize",
        quantity="12,5",
        unit="bag",
        area_ha="1.5",
        season="A",
        season_year=2025,
        recorded_on=D(2026, 1, 20),
    )
    assert harvest.enrolment == enrolment and harvest.quantity == Decimal("12.5")
    for bad, field in (
        ({"kind": "livestock", "product": "maize"}, "product"),
        ({"kind": "livestock", "product": "goats", "area_ha": "2"}, "area_ha"),
        ({"product": "beans", "quantity": "0"}, "quantity"),
        ({"product": "beans", "season_year": 2020}, "season_year"),
        ({}, "product"),  # maize of season A 2025 is recorded already
    ):
        data = {
            "kind": "crop",
            "product": "maize",
            "quantity": "3",
            "unit": "kg",
            "season": "A",
            "season_year": 2025,
            "recorded_on": D(2026, 1, 20),
            **bad,
        }
        with pytest.raises(ValidationError) as refused:
            services.record_harvest(actor=worker, household=household, **data)
        assert field in refused.value.message_dict, bad


def test_the_food_score_and_the_muac_status_are_computed_from_the_answers():
    week = {"days_staples": 7, "days_pulses": 2, "days_vegetables": 5, "days_oil": 4, "days_sugar": 2}
    assert food_score(week) == (Decimal("28.0"), FoodConsumption.BORDERLINE)  # 14 + 6 + 5 + 2 + 1
    assert food_score({"days_staples": 7, "days_vegetables": 7})[1] == FoodConsumption.POOR  # 21
    assert (
        food_score({"days_staples": 7, "days_meat_fish": 4, "days_pulses": 2})[1]  # 36
        == FoodConsumption.ACCEPTABLE
    )
    assert muac_status(114) == MuacStatus.SEVERE and muac_status(115) == MuacStatus.MODERATE
    assert muac_status(124) == MuacStatus.MODERATE and muac_status(125) == MuacStatus.NORMAL
    assert muac_status(140, oedema=True) == MuacStatus.SEVERE


def _child(worker, household, birth, sex="F"):
    return services.add_member(
        actor=worker,
        household=household,
        full_name="Enfant",
        relationship="child",
        sex=sex,
        birth_date=birth,
    )


def test_a_nutrition_visit_measures_the_children_of_6_to_59_months_only(worker, kolwezi, today):
    household = make_household(worker, kolwezi)
    baby = _child(worker, household, D(2024, 3, 10))  # 23 months on 1 March 2026
    older = _child(worker, household, D(2019, 1, 1))
    visit = services.record_nutrition_visit(
        actor=worker,
        household=household,
        visited_on=D(2026, 3, 1),
        food_days={"days_staples": 7, "days_vegetables": 3},
        children=[ChildMeasure(baby, 118)],
    )
    assert (visit.food_score, visit.food_consumption) == (Decimal("17.0"), FoodConsumption.POOR)
    measurement = visit.measurements.get()
    assert (measurement.age_months, measurement.status) == (23, MuacStatus.MODERATE)
    with pytest.raises(ValidationError) as refused:
        services.record_nutrition_visit(
            actor=worker,
            household=household,
            visited_on=D(2026, 2, 1),
            food_days={"days_staples": 8},
            children=[ChildMeasure(older, 150)],
        )
    assert set(refused.value.message_dict) == {"days_staples", "measurements"}


def test_the_plan_rates_are_computed_from_the_records(manager, worker, kolwezi, today):
    programme = make_programme(manager, ProgrammeKind.COOPERATIVE)
    farming = [make_household(worker, kolwezi) for _ in range(4)]
    for h in farming:
        services.enrol(actor=manager, programme=programme, household=h, enrolled_on=D(2025, 9, 1))
    for h in farming[:3]:
        services.record_harvest(
            actor=worker,
            household=h,
            kind="livestock",
            product="goats",
            quantity="4",
            unit="head",
            season="B",
            season_year=2026,
            recorded_on=D(2026, 2, 15),
        )
    query = IndicatorQuery(start=D(2026, 1, 1), end=D(2026, 3, 31))
    assert compute("HOUSEHOLDS_PRODUCTION_RATE", query)[0].value == Decimal("75.0")
    # Three children measured; one measured twice (the latest counts: recovered).
    children = [_child(worker, farming[i], D(2024, 1, 1), sex=s) for i, s in ((0, "F"), (1, "M"), (2, "F"))]
    for child, mm, day in (
        (children[0], 112, 5),
        (children[1], 130, 5),
        (children[2], 120, 5),
        (children[2], 128, 20),
    ):
        services.record_nutrition_visit(
            actor=worker,
            household=child.household,
            visited_on=D(2026, 2, day),
            food_days={},
            children=[ChildMeasure(child, mm)],
        )
    assert compute("HOUSEHOLDS_MALNUTRITION_RATE", query)[0].value == Decimal("33.3")
    by_sex = compute(
        "HOUSEHOLDS_MALNUTRITION_RATE",
        IndicatorQuery(start=query.start, end=query.end, breakdowns=("sex", "age_band")),
    )
    assert {(v.breakdown["sex"], v.breakdown["age_band"]): v.value for v in by_sex} == {
        ("F", "0-4"): Decimal("50.0"),
        ("M", "0-4"): Decimal("0.0"),
    }
    # Nobody measured in a period: no value, not 0 %.
    assert (
        compute("HOUSEHOLDS_MALNUTRITION_RATE", IndicatorQuery(start=D(2025, 1, 1), end=D(2025, 3, 31))) == []
    )
