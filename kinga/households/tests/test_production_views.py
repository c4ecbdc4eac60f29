"""The production and nutrition pages: French, scoped (another organisation's record a 404, a missing permission a
403), forms that record through the services and show the refusals in French."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kinga.core.roles import Role
from kinga.core.testing import actor_of, client_for, make_member, make_organisation
from kinga.households import services
from kinga.households.models import FinanceGroup, Loan, NutritionVisit
from kinga.households.tests.factories import make_household

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def world(kolwezi, today):
    org = make_organisation()
    w = type("World", (), {})()
    w.manager, w.worker = make_member(org, Role.ORG_MANAGER), make_member(org, Role.CASEWORKER)
    w.clerk = make_member(org, Role.DATA_CLERK)
    w.focal = make_member(org, Role.FOCAL_POINT)
    w.stranger = make_member(make_organisation(), Role.ORG_MANAGER)
    w.household = make_household(actor_of(w.worker), kolwezi, head_name="Kasongo Mwamba")
    w.child = services.add_member(
        actor=actor_of(w.worker),
        household=w.household,
        full_name="Kasongo Ruth",
        relationship="child",
        sex="F",
        birth_date=D(2024, 4, 2),
    )
    w.place = kolwezi
    return w


def _french(response) -> str:
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    assert 'lang="fr"' in html
    return html


def test_a_group_created_lends_and_shows_its_arrears_in_french(world):
    manager = client_for(world.manager)
    response = manager.post(
        reverse("households:group_add"),
        {
            "name": "AVEC Tujenge",
            "kind": "savings",
            "place": world.place.uuid,
            "formed_on": "2025-01-05",
            "capital_usd": "400",
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    group = FinanceGroup.objects.get(name="AVEC Tujenge")
    url = reverse("households:group", args=[group.uuid])
    joined = manager.post(
        reverse("households:group_member_add", args=[group.uuid]),
        {"household": world.household.uuid, "joined_on": "2025-01-10"},
    )
    assert joined.status_code == 302
    too_much = manager.post(
        reverse("households:loan_add", args=[group.uuid]),
        {
            "household": world.household.uuid,
            "purpose": "inputs",
            "amount_usd": "500",
            "issued_on": "2025-02-01",
            "due_on": "2025-08-01",
        },
    )
    assert too_much.status_code == 400
    assert "Le fonds du groupe dispose de 400" in too_much.content.decode()
    lent = manager.post(
        reverse("households:loan_add", args=[group.uuid]),
        {
            "household": world.household.uuid,
            "purpose": "inputs",
            "amount_usd": "300",
            "interest_percent": "10",
            "issued_on": "2025-02-01",
            "due_on": "2025-08-01",
        },
    )
    assert lent.status_code == 302
    loan = Loan.objects.get()
    paid = manager.post(
        reverse("households:loan", args=[loan.uuid]), {"paid_on": "2025-05-01", "amount_usd": "100"}
    )
    assert paid.status_code == 302
    html = _french(manager.get(url))
    assert "230,00" in html and "1 prêt en retard" in html and world.household.survey_id in html
    listing = _french(manager.get(reverse("households:groups")))
    assert "AVEC Tujenge" in listing and "230,00" in listing
    # A data clerk reads the group's totals, not its member households; a focal point nothing; another
    # organisation's manager gets a 404 on the group and the loan.
    clerk_html = _french(client_for(world.clerk).get(url))
    assert "230,00" in clerk_html and world.household.survey_id not in clerk_html
    assert client_for(world.focal).get(reverse("households:groups")).status_code == 403
    assert client_for(world.stranger).get(url).status_code == 404
    assert client_for(world.stranger).get(reverse("households:loan", args=[loan.uuid])).status_code == 404
    assert client_for(world.clerk).get(reverse("households:loan", args=[loan.uuid])).status_code == 403


def test_a_nutrition_visit_and_a_harvest_recorded_from_the_household_page(world):
    worker = client_for(world.worker)
    page = _french(worker.get(reverse("households:nutrition_add", args=[world.household.uuid])))
    assert "Kasongo Ruth" in page  # the one child of 6 to 59 months
    field = f"muac_{world.child.uuid}"
    data = {
        "visited_on": "2026-02-20",
        "days_staples": "7",
        "days_pulses": "2",
        "days_vegetables": "4",
        "days_fruit": "0",
        "days_meat_fish": "1",
        "days_milk": "0",
        "days_sugar": "3",
        "days_oil": "5",
        field: "121",
    }
    assert (
        worker.post(reverse("households:nutrition_add", args=[world.household.uuid]), data).status_code == 302
    )
    visit = NutritionVisit.objects.get()
    assert visit.food_score == 32 and visit.measurements.get().status == "moderate"
    again = worker.post(
        reverse("households:nutrition_add", args=[world.household.uuid]), {**data, field: "300"}
    )
    assert again.status_code == 400 and "Un PB est compris entre 60 et 250 mm." in again.content.decode()
    harvest_url = reverse("households:harvest_add", args=[world.household.uuid])
    bad = worker.post(
        harvest_url,
        {
            "kind": "livestock",
            "product": "maize",
            "quantity": "5",
            "unit": "kg",
            "season": "A",
            "season_year": "2026",
            "recorded_on": "2026-02-20",
        },
    )
    assert bad.status_code == 400 and "Ce produit ne correspond pas au type choisi." in bad.content.decode()
    good = worker.post(
        harvest_url,
        {
            "kind": "crop",
            "product": "maize",
            "quantity": "12.5",  # what the number input sends
            "unit": "bag",
            "area_ha": "1.5",
            "season": "A",
            "season_year": "2026",
            "recorded_on": "2026-02-20",
        },
    )
    assert good.status_code == 302
    html = _french(worker.get(reverse("households:detail", args=[world.household.uuid])))
    assert "Malnutrition aiguë modérée" in html and "Limite" in html and "Maïs" in html and "12,5" in html
    production = _french(client_for(world.manager).get(reverse("households:production")))
    assert "Maïs" in production and "sacs de 50 kg" in production
    # Another organisation: 404 on the household's forms; a data clerk (no household identities): 403.
    assert client_for(world.stranger).get(harvest_url).status_code == 404
    assert client_for(world.clerk).get(harvest_url).status_code == 403
    assert client_for(world.manager).get(harvest_url).status_code == 403  # a manager does not record harvests


@pytest.mark.django_db(transaction=True)
def test_the_production_page_is_memoised_until_a_harvest_is_recorded(world, today):
    # A coordinator's year is every harvest of the province (311 ms at national scale): read from the memo
    # between two writes, computed again after one.
    def harvest(product: str, quantity: str):
        services.record_harvest(
            actor=actor_of(world.worker),
            household=world.household,
            kind="crop",
            product=product,
            quantity=quantity,
            unit="bag",
            season="A",
            season_year=today().year,
            recorded_on=today(),
        )

    client = client_for(world.manager)

    def produced():
        with CaptureQueriesContext(connection) as captured:
            rows = client.get(reverse("households:production")).context["rows"]
        summed = sum('SUM("households_harvest"' in q["sql"] for q in captured.captured_queries)
        return [(r["product"], r["quantity"], r["households"]) for r in rows], summed

    harvest("maize", "10")
    assert produced()[0] == [("maize", Decimal("10"), 1)]
    assert produced() == ([("maize", Decimal("10"), 1)], 0)  # from the memo
    harvest("cassava", "5")
    assert produced() == ([("cassava", Decimal("5"), 1), ("maize", Decimal("10"), 1)], 1)
