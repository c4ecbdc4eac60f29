"""kinga.plan.selectors.indicator_values: every indicator by period, territory, sex and age band."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kinga.cases.tests.conftest import register, team  # noqa: F401  (the cases' test team)
from kinga.core import indicators as registry
from kinga.core import memo, periods
from kinga.core.models import Place
from kinga.core.roles import Role
from kinga.core.testing import actor_of, make_member, make_organisation
from kinga.plan import selectors, services
from kinga.plan.indicators import parse_breakdowns
from kinga.plan.models import Indicator, IndicatorSourceKind
from kinga.plan.tests.conftest import hand_entered

pytestmark = pytest.mark.django_db
D = datetime.date
ALL = ("territory", "sex", "age_band")


@pytest.fixture
def viewer(plan):
    return actor_of(make_member(make_organisation("Bailleur test"), Role.VIEWER))


def _cells(actor, code, **kw):
    return [c for c in selectors.indicator_values(actor, **kw) if c.indicator.code == code]


def _computed_count(plan) -> int:
    return sum(
        1
        for i in Indicator.objects.filter(plan=plan, source=IndicatorSourceKind.COMPUTED)
        if registry.source_for(i.code)
    )


def _queries(actor, **kw) -> int:
    # Every figure from the records (none from its memo, kinga.core.memo): the count of one computation.
    with memo.not_used(), CaptureQueriesContext(connection) as ctx:
        selectors.indicator_values(actor, **kw)
    return len(ctx.captured_queries)


def test_children_withdrawn_by_territory_sex_and_age_band(plan, viewer, team, today):  # noqa: F811
    # Children identified (CASES_CHILDREN_WITHDRAWN needs follow-ups: the registry is swapped for one that is
    # computed from identification, the same grouping code).
    register(team)  # boy, 12, Kolwezi
    register(team, given_name="Grâce", sex="F", date_of_birth=D(2020, 1, 1))  # girl, 6
    code = "CASES_CHILDREN_WITHDRAWN"
    identified = registry.source_for("CASES_CHILDREN_IDENTIFIED")
    with registry.indicator_sources({code: registry.IndicatorSource(code, identified.compute, ALL, "x")}):
        period = periods.parse("2026Q1")
        total = _cells(viewer, code, period=period)
        split = _cells(viewer, code, period=period, by=ALL)
    assert [(c.breakdown, c.value) for c in total] == [({}, Decimal(1 + 1))]
    assert {tuple(c.breakdown.values()): c.value for c in split} == {
        ("CD7201", "F", "5-11"): 1,
        ("CD7201", "M", "12-14"): 1,
    }
    assert all(c.period == period and c.target is None for c in split)


def test_an_indicator_that_cannot_be_split_gives_its_total_and_says_so(plan, viewer, today):
    period = periods.parse("2026")
    cells = _cells(viewer, "COMMUNITY_ADVOCACY_ACTIONS", period=period, by=ALL)  # territory only
    assert all(set(c.breakdown) == {"territory"} for c in cells)  # none: no record in any territory
    cells = _cells(viewer, "COMMUNITY_ADVOCACY_ACTIONS", period=period, by=("sex", "age_band"))
    assert [(c.breakdown, c.value, c.not_broken_down) for c in cells] == [({}, 0, ("sex", "age_band"))]
    studies = _cells(viewer, "HOUSEHOLDS_SURVEYS_DONE", period=period, by=("sex",))
    assert [(c.breakdown, c.value, c.not_broken_down) for c in studies] == [({}, 0, ("sex",))]


def test_targets_by_date_apply_at_the_period_end(plan, viewer, today):
    indicator = Indicator.objects.get(code="COMMUNITY_PROVIDERS_TRAINED")
    coordinator = actor_of(make_member(make_organisation("Coordination"), Role.COORDINATOR))
    services.add_period_target(
        actor=coordinator, indicator=indicator, reason="Comité", period_end=D(2025, 12, 31), value="300"
    )
    code = indicator.code
    [y2025] = _cells(viewer, code, period=periods.parse("2025"))
    [y2026] = _cells(viewer, code, period=periods.parse("2026"))
    assert (y2025.target, y2026.target) == (Decimal(300), Decimal(1080))
    assert "formation" in y2025.source_text
    lualaba = Place.objects.get(pcode="CD72")
    [area] = _cells(viewer, code, period=periods.parse("2026"), area=lualaba)
    assert area.target is None  # a province's target is not a territory's


def test_manual_values_by_territory(plan, viewer, today):
    clerk = actor_of(make_member(make_organisation("Saisie"), Role.COORDINATOR))
    indicator = hand_entered(plan)
    for pcode, value in (("CD72", 9), ("CD7201", 4), ("CD7203", 3)):
        services.enter_indicator_value(
            actor=clerk,
            indicator=indicator,
            period_start=D(2026, 1, 1),
            period_end=D(2026, 1, 31),
            area=Place.objects.get(pcode=pcode),
            value=value,
            breakdown=None,
        )
    period = periods.parse("2026Q1")
    [total] = _cells(viewer, indicator.code, period=period)
    assert (total.value, total.source_text) == (9, "saisi à la main")
    split = _cells(viewer, indicator.code, period=period, by=ALL)
    assert {c.breakdown["territory"]: c.value for c in split} == {"CD7201": 4, "CD7203": 3}


def test_queries_do_not_grow_with_territories_sexes_and_age_bands(
    plan,
    viewer,
    team,  # noqa: F811
    today,
    django_assert_max_num_queries,
):
    code = "CASES_CHILDREN_WITHDRAWN"
    identified = registry.source_for("CASES_CHILDREN_IDENTIFIED")
    swapped = {code: registry.IndicatorSource(code, identified.compute, ALL, "x")}
    register(team)
    period = periods.parse("2026Q1")
    with registry.indicator_sources(swapped):
        _queries(viewer, period=period, by=ALL)  # the process learns once which tallies are built
        first = _queries(viewer, period=period, by=ALL)
    lubudi = Place.objects.get(pcode="CD7203")
    for n, (sex, born) in enumerate([("F", D(2020, 1, 1)), ("M", D(2010, 1, 1)), ("F", D(2023, 1, 1))]):
        register(
            team,
            given_name=f"Enfant{n}",
            sex=sex,
            date_of_birth=born,
            identification_site=None,
            identification_place=lubudi,
        )
    # One query per computed indicator, two for the hand-entered ones, one each for the plan, its
    # indicators, their targets, the permission: whatever the number of cells.
    with registry.indicator_sources(swapped):
        with memo.not_used(), django_assert_max_num_queries(_computed_count(plan) + 6):
            cells = _cells(viewer, code, period=period, by=ALL)
        assert _queries(viewer, period=period, by=ALL) == first
        # Without breakdowns the counts kept on write are read together (one group of queries, not one per
        # breakdown asked): fewer, never more.
        assert _queries(viewer, period=period) <= first
    assert len(cells) == 4


def test_unknown_breakdowns_are_refused_in_french():
    with pytest.raises(ValidationError) as error:
        parse_breakdowns("territory,ethnie")
    assert "ethnie" in error.value.messages[0] and "Ventilation" in error.value.messages[0]
    assert parse_breakdowns("sex, territory") == ("territory", "sex")
