"""The per-round survey totals stay equal to the surveys through every write path.

Each test compares the kept totals with what a rebuild from the surveys gives, and with the figures computed
here from the answers, so a write path that forgets to refresh (or refreshes the wrong key) fails.
"""

import io
import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection, transaction

from kinga.core.models import AuditEvent, Place
from kinga.core.roles import Role
from kinga.core.testing import actor_of, make_member, make_organisation
from kinga.households import outcomes, services
from kinga.households.models import ProgrammeKind, RoundTotals
from kinga.households.services import totals
from kinga.households.tests.factories import answers, make_household, make_programme, make_round
from kinga.households.tests.test_imports import GOOD, csv_bytes

pytestmark = pytest.mark.django_db

COLUMNS = ("round_id", "organisation_id", "place_path", *totals.SUMS)


def kept():
    return sorted(RoundTotals.objects.values_list(*COLUMNS))


def assert_in_step():
    """The kept totals are what a rebuild from the surveys gives."""
    before = kept()
    totals.rebuild_all()
    after = kept()
    assert [row[:3] for row in before] == [row[:3] for row in after]
    for row_before, row_after in zip(before, after, strict=True):
        assert row_before[3:] == pytest.approx(row_after[3:])


@pytest.fixture
def other_place(kolwezi):
    return Place.objects.filter(level=kolwezi.level).exclude(pk=kolwezi.pk).order_by("pcode").first()


@pytest.fixture
def worker():
    return actor_of(make_member(make_organisation(), Role.CASEWORKER))


def test_recording_and_rerecording_keep_the_totals(worker, kolwezi):
    r1, r2 = make_round(1), make_round(2)
    first, second = make_household(worker, kolwezi), make_household(worker, kolwezi)
    services.record_survey(actor=worker, household=first, round=r1, **answers(hunger_scale=4))
    services.record_survey(
        actor=worker, household=second, round=r1, **answers(hunger_scale=2, household_size=4)
    )
    row = RoundTotals.objects.get(round=r1)
    assert (row.households, row.hunger_scale, row.place_path) == (2, 6, kolwezi.path)
    assert row.income_per_person == pytest.approx(80 / 6 + 80 / 4)
    # A second recording of the same round replaces the first: counted once, with the new answers.
    services.record_survey(
        actor=worker,
        household=first,
        round=r1,
        **answers(hunger_scale=1, children_working=0, children_working_at_mine=0),
    )
    row = RoundTotals.objects.get(round=r1)
    assert (row.households, row.hunger_scale, row.with_child_at_mine) == (2, 3, 1)
    services.record_survey(actor=worker, household=first, round=r2, **answers())
    assert RoundTotals.objects.get(round=r2).households == 1
    assert_in_step()


def test_each_organisation_has_its_own_totals_and_sees_only_them(worker, kolwezi):
    rnd = make_round(1)
    services.record_survey(actor=worker, household=make_household(worker, kolwezi), round=rnd, **answers())
    other_org = make_organisation()
    other = actor_of(make_member(other_org, Role.CASEWORKER))
    for hunger in (5, 6):
        household = make_household(other, kolwezi)
        services.record_survey(actor=other, household=household, round=rnd, **answers(hunger_scale=hunger))
    assert RoundTotals.objects.count() == 2
    mine = outcomes.dashboard(actor_of(make_member(worker.organisation, Role.ORG_MANAGER)))["rounds"]
    assert mine[1]["households"] == 1 and mine[1]["hunger"] == 3
    theirs = outcomes.dashboard(actor_of(make_member(other_org, Role.ORG_MANAGER)))["rounds"]
    assert theirs[1]["households"] == 2 and theirs[1]["hunger"] == 5.5
    assert_in_step()


def test_a_household_moving_place_moves_its_totals(worker, kolwezi, other_place):
    r1, r2 = make_round(1), make_round(2)
    moving, staying = make_household(worker, kolwezi), make_household(worker, kolwezi)
    for rnd in (r1, r2):
        services.record_survey(actor=worker, household=moving, round=rnd, **answers(hunger_scale=6))
    services.record_survey(actor=worker, household=staying, round=r1, **answers(hunger_scale=0))
    services.update_household(actor=worker, household=moving, place=other_place)
    assert sorted(RoundTotals.objects.values_list("place_path", "round__number", "households")) == sorted(
        [(kolwezi.path, 1, 1), (other_place.path, 1, 1), (other_place.path, 2, 1)]
    )
    # A programme limited to the new place compares against the moved household only.
    manager = actor_of(make_member(worker.organisation, Role.ORG_MANAGER))
    programme = make_programme(manager, ProgrammeKind.LITERACY, area=other_place)
    others = outcomes.programme_comparison(manager, programme).others
    assert others[1]["households"] == 1 and others[1]["hunger"] == 6
    assert_in_step()


def test_import_and_reimport_keep_the_totals(kolwezi):
    clerk = actor_of(make_member(make_organisation(), Role.DATA_CLERK))
    rnd = make_round(1)
    services.import_round(actor=clerk, round=rnd, content=csv_bytes(GOOD), filename="r1.csv")
    row = RoundTotals.objects.get(round=rnd)
    assert (row.households, row.hunger_scale, row.with_child_at_mine) == (2, 4, 1)
    assert row.income_per_person == pytest.approx(50 / 6 + 300 / 4)
    services.import_round(
        actor=clerk,
        round=rnd,
        content=csv_bytes([GOOD[0].replace(";3;precarious", ";1;precarious")]),
        filename="r1b.csv",
    )
    row = RoundTotals.objects.get(round=rnd)
    assert (row.households, row.hunger_scale) == (2, 2)
    assert_in_step()


def test_totals_command_repairs_and_is_audited(worker, kolwezi):
    rnd = make_round(1)
    services.record_survey(actor=worker, household=make_household(worker, kolwezi), round=rnd, **answers())
    good = kept()
    RoundTotals.objects.all().delete()
    out = io.StringIO()
    call_command("households", "totals", stdout=out)
    assert out.getvalue().startswith("1 total(s) par passage recalculé(s) en ")
    assert kept() == good
    assert AuditEvent.objects.filter(target_type="households.roundtotals").exists()


def test_rebuilding_needs_the_configure_permission(worker):
    with pytest.raises(PermissionDenied):
        services.rebuild_round_totals(actor=worker)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only: SQLite has a single writer")
def test_two_writers_of_one_organisation_do_not_lose_a_survey(kolwezi):
    """The first writer holds its transaction open after refreshing the totals; the second, which cannot see
    the first's survey yet, must wait for it instead of writing totals without it (or colliding on the key)."""
    org = make_organisation()
    worker = actor_of(make_member(org, Role.CASEWORKER))
    rnd = make_round(1)
    first, second = make_household(worker, kolwezi), make_household(worker, kolwezi)
    first_recorded, release_first = threading.Event(), threading.Event()
    errors = []

    def record(household, *, hold: bool):
        try:
            with transaction.atomic():
                services.record_survey(actor=worker, household=household, round=rnd, **answers())
                if hold:
                    first_recorded.set()
                    release_first.wait(10)
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    one = threading.Thread(target=record, args=(first,), kwargs={"hold": True})
    one.start()
    assert first_recorded.wait(10)
    two = threading.Thread(target=record, args=(second,), kwargs={"hold": False})
    two.start()
    two.join(0.5)
    assert two.is_alive(), "the second writer did not wait for the first"
    release_first.set()
    one.join(10)
    two.join(10)
    assert errors == []
    assert RoundTotals.objects.get(round=rnd, organisation=org).households == 2
    assert_in_step()
