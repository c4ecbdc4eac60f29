"""The households dashboard's figures are kept on write and equal what the records give, through every write path.

Each test writes through the services, then compares the dashboard (read from the kept figures) with counts
made here from the records, and the kept figures with a rebuild; a write path that forgets to refresh, or
refreshes the wrong key, fails.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from kinga.core.models import Place
from kinga.core.roles import Role
from kinga.core.testing import actor_of, client_for, make_member, make_organisation
from kinga.households import outcomes, services
from kinga.households.models import HouseholdFigures, ProgrammeKind
from kinga.households.services import figures
from kinga.households.tests.factories import answers, make_household, make_programme, make_round

pytestmark = pytest.mark.django_db

DAY = datetime.date(2024, 3, 1)


@pytest.fixture
def org():
    return make_organisation()


@pytest.fixture
def worker(org):
    return actor_of(make_member(org, Role.SUPERVISOR))


@pytest.fixture
def manager(org):
    return actor_of(make_member(org, Role.ORG_MANAGER))


@pytest.fixture
def other_place(kolwezi):
    return Place.objects.filter(level=kolwezi.level).exclude(pk=kolwezi.pk).order_by("pcode").first()


def assert_in_step():
    assert figures.differences() == []


def test_every_write_path_keeps_the_dashboard_figures(worker, manager, kolwezi, other_place):
    savings = make_programme(manager, ProgrammeKind.SAVINGS)
    farming = make_programme(manager, ProgrammeKind.GARDENING_LIVESTOCK)
    literacy = make_programme(manager, ProgrammeKind.LITERACY)
    first, second, third = (make_household(worker, kolwezi) for _ in range(3))
    assert outcomes.dashboard(worker)["households"] == 3
    assert_in_step()

    services.record_survey(actor=worker, household=first, round=make_round(1), **answers())
    assert outcomes.dashboard(worker)["surveyed"] == 1

    account = services.enrol(
        actor=worker,
        programme=savings,
        household=first,
        enrolled_on=DAY,
        bank="COOPEC",
        account_opened_on=DAY,
    )
    assert outcomes.dashboard(worker)["accounts_funded"] == 0  # opened, nothing deposited yet
    services.add_deposit(actor=worker, enrolment=account, deposited_on=DAY, amount_usd="5")
    services.enrol(
        actor=worker, programme=farming, household=second, enrolled_on=DAY, hectares=Decimal("1.5")
    )
    course = services.enrol(actor=worker, programme=literacy, household=third, enrolled_on=DAY)
    services.update_enrolment(actor=worker, enrolment=course, status="completed")
    assert_in_step()

    d = outcomes.dashboard(worker)
    by_kind = dict(d["by_kind"])
    assert by_kind[ProgrammeKind.SAVINGS.label] == by_kind[ProgrammeKind.GARDENING_LIVESTOCK.label] == 1
    assert by_kind[ProgrammeKind.LITERACY.label] == 1 and by_kind[ProgrammeKind.RETRAINING.label] == 0
    assert d["accounts_funded"] == 1 and d["literacy_completed"] == 1 and d["hectares"] == Decimal("1.5")

    # A household that moves takes its figures from the old place's key to the new one's.
    services.update_household(actor=worker, household=second, place=other_place)
    assert_in_step()
    assert set(HouseholdFigures.objects.values_list("place_path", "households")) == {
        (kolwezi.path, 2),
        (other_place.path, 1),
    }
    assert outcomes.dashboard(worker)["hectares"] == Decimal("1.5")


def test_another_organisation_sees_its_own_figures_and_a_coordinator_all(worker, kolwezi):
    make_household(worker, kolwezi)
    other = actor_of(make_member(make_organisation(), Role.SUPERVISOR))
    make_household(other, kolwezi)
    make_household(other, kolwezi)
    coordinator = actor_of(make_member(make_organisation(), Role.COORDINATOR))
    assert outcomes.dashboard(worker)["households"] == 1
    assert outcomes.dashboard(other)["households"] == 2
    assert outcomes.dashboard(coordinator)["households"] == 3


def test_the_dashboard_reads_a_fixed_number_of_queries_whatever_the_households(
    worker, kolwezi, django_assert_max_num_queries
):
    coordinator = make_member(make_organisation(), Role.COORDINATOR)
    client = client_for(coordinator)
    client.get("/households/tableau/")
    for _ in range(5):
        make_household(worker, kolwezi)
    # Counted by the kept figures: no count over households, surveys or enrolments (pinned, see issue 19).
    with django_assert_max_num_queries(12) as captured:
        assert client.get("/households/tableau/").status_code == 200
    sql = " ".join(q["sql"] for q in captured.captured_queries)
    assert 'FROM "households_household"' not in sql and 'FROM "households_enrolment"' not in sql


def test_the_figures_are_built_after_a_migration_and_rebuilt_by_the_command(worker, kolwezi):
    make_household(worker, kolwezi)
    HouseholdFigures.objects.all().delete()
    figures.build_after_migrate()
    assert outcomes.dashboard(worker)["households"] == 1
    HouseholdFigures.objects.update(households=7)
    assert figures.differences() != []
    call_command("households", "totals", stdout=io.StringIO())
    assert_in_step()
