"""Pins the figures of the programme comparison and the households figures page on a small dataset.

The expected values are computed here in Python from the answers recorded, independently of the SQL.
"""

import datetime
from statistics import mean

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kinga.core.roles import Role
from kinga.core.testing import actor_of, client_for, make_member, make_organisation
from kinga.households import outcomes, services
from kinga.households.models import ProgrammeKind
from kinga.households.tests.factories import answers, make_household, make_programme, make_round

pytestmark = pytest.mark.django_db

# household -> {round number: (income, size, hunger, at mine, out of school)}; enrolment date or None
DATA = [
    ({1: (60, 6, 3, 1, 1), 2: (90, 6, 2, 1, 0), 3: (150, 5, 1, 0, 0)}, datetime.date(2022, 6, 1)),
    ({1: (30, 3, 4, 1, 1), 2: (45, 3, 4, 1, 1), 3: (75, 3, 2, 0, 1)}, datetime.date(2022, 6, 1)),
    ({2: (100, 4, 1, 0, 0), 3: (120, 4, 0, 0, 0)}, datetime.date(2022, 6, 1)),
    ({1: (20, 8, 6, 2, 2), 2: (24, 8, 5, 2, 1)}, datetime.date(2022, 6, 1)),  # no survey after
    ({2: (50, 5, 3, 1, 0), 3: (70, 5, 2, 1, 0)}, datetime.date(2020, 6, 1)),  # no survey before
    ({1: (10, 2, 5, 0, 1), 3: (40, 2, 3, 0, 0)}, datetime.date(2021, 3, 1)),  # before = round 1
    ({3: (200, 10, 2, 1, 1)}, datetime.date(2022, 1, 1)),  # enrolled the day round 2 starts
    ({1: (80, 4, 2, 0, 0), 2: (60, 4, 3, 1, 1), 3: (90, 4, 2, 0, 1)}, None),
    ({1: (33, 3, 1, 0, 0), 3: (36, 3, 1, 1, 0)}, None),
    ({2: (70, 7, 4, 1, 1)}, None),
    ({}, None),  # never surveyed
]


def _figures(rows):
    """The per-round figures computed from DATA rows."""
    out = {}
    for number in (1, 2, 3):
        surveys = [s[number] for s, _ in rows if number in s]
        if surveys:
            out[number] = {
                "households": len(surveys),
                "income_pp": mean(i / size for i, size, *_ in surveys),
                "hunger": mean(h for _, _, h, _, _ in surveys),
                "mine": mean(100.0 if m > 0 else 0.0 for *_, m, _ in surveys),
                "out_of_school": mean(100.0 if o > 0 else 0.0 for *_, o in surveys),
            }
    return out


def _assert_rows(actual, expected):
    assert sorted(actual) == sorted(expected)
    for number, figures in expected.items():
        for key, value in figures.items():
            assert actual[number][key] == pytest.approx(value), (number, key)


@pytest.fixture
def data(kolwezi):
    org = make_organisation()
    worker, manager = make_member(org, Role.CASEWORKER), make_member(org, Role.ORG_MANAGER)
    rounds = {n: make_round(n) for n in (1, 2, 3)}  # start 2021-01-01, 2022-01-01, 2023-01-01
    programme, other = (
        services.create_programme(
            actor=actor_of(manager), name=name, kind=kind, starts_on=datetime.date(2019, 1, 1)
        )
        for name, kind in (("Savings", ProgrammeKind.SAVINGS), ("Other", ProgrammeKind.LITERACY))
    )
    for n, (surveys, enrolled_on) in enumerate(DATA):
        household = make_household(actor_of(worker), kolwezi, size=6)
        for number, (income, size, hunger, mine, out) in surveys.items():
            services.record_survey(
                actor=actor_of(worker),
                household=household,
                round=rounds[number],
                **answers(
                    household_size=size,
                    income_sources={"trade": str(income)},
                    hunger_scale=hunger,
                    children_working=mine,
                    children_working_at_mine=mine,
                    school_age_out_of_school=out,
                ),
            )
        if enrolled_on:
            enrolment = services.enrol(
                actor=actor_of(worker), programme=programme, household=household, enrolled_on=enrolled_on
            )
        if n == 0:  # enrolled again after completing: the household still counts once
            services.update_enrolment(
                actor=actor_of(worker),
                enrolment=enrolment,
                status="completed",
                ended_on=datetime.date(2022, 12, 1),
            )
            services.enrol(
                actor=actor_of(worker),
                programme=programme,
                household=household,
                enrolled_on=datetime.date(2023, 6, 1),
            )
        elif n % 2:  # an enrolment in another programme does not count
            services.enrol(
                actor=actor_of(worker),
                programme=other,
                household=household,
                enrolled_on=enrolled_on or datetime.date(2022, 6, 1),
            )
    return {"manager": manager, "programme": programme}


def test_programme_comparison_figures(data):
    c = outcomes.programme_comparison(actor_of(data["manager"]), data["programme"])
    enrolled = [row for row in DATA if row[1]]
    assert c.enrolled_count == len(enrolled) == 7
    assert not c.suppressed
    assert [r.number for r in c.rounds] == [1, 2, 3]
    _assert_rows(c.enrolled, _figures(enrolled))
    _assert_rows(c.others, _figures([row for row in DATA if not row[1]]))

    pairs = []
    for surveys, enrolled_on in enrolled:
        starts = {1: datetime.date(2021, 1, 1), 2: datetime.date(2022, 1, 1), 3: datetime.date(2023, 1, 1)}
        before = [n for n in surveys if starts[n] <= enrolled_on]
        after = [n for n in surveys if starts[n] > enrolled_on]
        if before and after:
            pairs.append((surveys[max(before)], surveys[min(after)]))
    assert len(pairs) == 4
    ba = c.before_after
    assert ba["n"] == 4
    assert ba["income_before"] == pytest.approx(mean(b[0] / b[1] for b, _ in pairs))
    assert ba["income_after"] == pytest.approx(mean(a[0] / a[1] for _, a in pairs))
    assert ba["hunger_before"] == pytest.approx(mean(b[2] for b, _ in pairs))
    assert ba["hunger_after"] == pytest.approx(mean(a[2] for _, a in pairs))
    assert ba["mine_before"] == sum(1 for b, _ in pairs if b[3] > 0) == 2
    assert ba["mine_after"] == sum(1 for _, a in pairs if a[3] > 0) == 0


def test_programme_without_pairs_or_surveys(data, kolwezi):
    manager = data["manager"]
    empty = make_programme(actor_of(manager), ProgrammeKind.LITERACY, name="Empty")
    c = outcomes.programme_comparison(actor_of(manager), empty)
    assert c.enrolled_count == 0 and not c.suppressed
    assert c.enrolled == {}
    _assert_rows(c.others, _figures(DATA))
    assert c.before_after["n"] == 0 and c.before_after["income_before"] is None


def test_figures_page_numbers(data):
    d = outcomes.dashboard(actor_of(data["manager"]))
    assert d["households"] == len(DATA)
    assert d["surveyed"] == sum(1 for s, _ in DATA if s) == 10
    assert d["surveys"] == sum(len(s) for s, _ in DATA)
    _assert_rows(d["rounds"], _figures(DATA))
    assert [r.number for r in d["round_list"]] == [1, 2, 3]


def test_programme_page_draws_the_comparison(data):
    """The page itself, with enough enrolled households to show figures: the enrolled and the others per round."""
    response = client_for(data["manager"]).get(f"/households/programmes/{data['programme'].uuid}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<svg") >= 4  # income, hunger, mine, school: one chart each
    assert "Inscrits" in page and "Non inscrits" in page
    # Not attributed to the plan: the page says so (kinga.plan.attribution).
    assert '<dt>Activité du plan</dt><dd data-attribution="activity">—</dd>' in page


def test_figures_page_draws_every_round(data):
    response = client_for(data["manager"]).get("/households/tableau/")
    assert response.status_code == 200
    assert response.content.decode().count("<svg") >= 2


@pytest.mark.django_db(transaction=True)
def test_the_comparison_is_memoised_until_a_households_record_is_written(kolwezi):
    # A national programme's enrolled surveys are read once between two writes (kinga.core.memo).
    org = make_organisation()
    worker, manager = (
        actor_of(make_member(org, Role.CASEWORKER)),
        actor_of(make_member(org, Role.ORG_MANAGER)),
    )
    programme = make_programme(manager, ProgrammeKind.SAVINGS, name="Épargne")

    def enrolled_count():
        with CaptureQueriesContext(connection) as captured:
            count = outcomes.programme_comparison(manager, programme).enrolled_count
        return count, sum("households_enrolment" in q["sql"] for q in captured.captured_queries)

    assert enrolled_count()[0] == 0
    assert enrolled_count() == (0, 0)  # from the memo
    household = make_household(worker, kolwezi, size=6)
    services.enrol(
        actor=worker, programme=programme, household=household, enrolled_on=datetime.date(2023, 6, 1)
    )
    assert enrolled_count()[0] == 1
