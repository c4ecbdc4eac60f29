"""Several periods at once (issue 20's grid: every indicator × 12 quarters × territory × sex × age band) must give
exactly what one period at a time gives: from the counts kept on write (kinga.core.tallies) and from the sources
that group by span in one query. Checked on the demo data of every module (`kinga synth`), whose records the
tallies were rebuilt from, then on writes made after it through the services."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from kinga.cases.models import Case
from kinga.core import clock, periods, tallies
from kinga.core.indicators import IndicatorQuery, all_sources, compute_series, evaluate_many
from kinga.core.models import Place, PlaceLevel

pytestmark = pytest.mark.django_db
BY = ("territory", "sex", "age_band")


def _as_set(values) -> set:
    return {(tuple(sorted(v.breakdown.items())), round(float(v.value), 4)) for v in values if v.value}


def _one_at_a_time(source, spans, query):
    return [
        _as_set(source.compute(IndicatorQuery(**{**query.__dict__, "start": s, "end": e}))) for s, e in spans
    ]


@pytest.fixture
def demo(reference_places):
    call_command("synth", scale="demo", seed=7, stdout=io.StringIO())


def _quarters(last, count):
    return [(q.start, q.end) for q in periods.series(last, count)]


def test_every_tally_and_every_span_source_gives_what_one_period_at_a_time_gives(demo):
    now = periods.month_period_containing(clock.today(), periods.QUARTER)
    grids = [
        _quarters(now, 12),
        _quarters(periods.month_period_containing(datetime.date(2019, 12, 1), periods.QUARTER), 8),
    ]  # the households' years too
    territory = Place.objects.filter(level=PlaceLevel.TERRITORY, pcode="CD7201").get()
    served = [code for code in all_sources() if code in tallies.flows() or all_sources()[code].spans]
    stocks = {"CASES_CHILDREN_IN_CARE", "HOUSEHOLDS_IN_COOPERATIVES", "HOUSEHOLDS_HECTARES_ALLOCATED"}
    assert len(served) >= 25 and stocks <= set(all_sources())
    # One organisation's records are never kept on write: its series come from the sources' span grouping.
    busiest = (
        Case.objects.values("organisation_id").annotate(n=Count("id")).order_by("-n")[0]["organisation_id"]
    )
    compared = 0
    for code in [*served, *stocks]:
        source = all_sources()[code]
        by = tuple(b for b in BY if b in source.breakdowns)
        for spans in grids:
            queries = [
                IndicatorQuery(start=spans[0][0], end=spans[-1][1]),
                IndicatorQuery(start=spans[0][0], end=spans[-1][1], breakdowns=by),
                IndicatorQuery(start=spans[0][0], end=spans[-1][1], breakdowns=by, area=territory),
            ]
            if source.organisations:
                queries.append(
                    IndicatorQuery(
                        start=spans[0][0], end=spans[-1][1], breakdowns=by, organisation_id=busiest
                    )
                )
            for query in queries:
                together = [_as_set(values) for values in compute_series(code, spans, query)]
                assert together == _one_at_a_time(source, spans, query), (code, query.breakdowns, query.area)
                compared += sum(len(s) for s in together)
    assert compared > 1000  # the demo data fills the grids: the comparison is not between two empty sets


def test_a_page_of_figures_asked_together_gives_what_each_asked_alone_gives(demo):
    """evaluate_many (the dashboard: every figure for a period and for the plan to date, overlapping spans) reads
    the tallies in one query per area and the memo in two reads of the cache; each answer is the source's own."""
    now = periods.month_period_containing(clock.today(), periods.QUARTER)
    territory = Place.objects.filter(level=PlaceLevel.TERRITORY, pcode="CD7201").get()
    queries = [
        IndicatorQuery(start=now.start, end=now.end),
        IndicatorQuery(start=datetime.date(2017, 7, 1), end=now.end),
        IndicatorQuery(start=datetime.date(2019, 1, 1), end=datetime.date(2019, 12, 31), area=territory),
        IndicatorQuery(
            start=datetime.date(2017, 7, 1), end=now.end, area=territory, breakdowns=("territory",)
        ),
    ]
    sources = all_sources()
    requests = [
        (code, query)
        for code in sources
        for query in queries
        if set(query.breakdowns) <= set(sources[code].breakdowns)
    ]
    for _ in range(2):  # the memo empty, then full
        together = evaluate_many(requests)
        alone = [sources[code].compute(query) for code, query in requests]
        assert [_as_set(v) for v in together] == [_as_set(v) for v in alone]
    assert sum(len(_as_set(v)) for v in together) > 100
    served = [r for r in requests if r[0] in tallies.flows() or r[0] in {"CASES_CHILDREN_IN_CARE"}]
    with CaptureQueriesContext(connection) as captured:
        evaluate_many(served)
    tally_queries = [q for q in captured.captured_queries if "core_tally" in q["sql"]]
    # At most two per area and breakdowns (the province; the territory, without and by territory): the whole
    # months from their sums, the days around them from the days.
    assert 3 <= len(tally_queries) <= 6
    assert any("core_tallymonth" in q["sql"] for q in tally_queries)


def test_a_tally_is_read_in_one_query_whatever_the_number_of_quarters(demo):
    spans = _quarters(periods.month_period_containing(clock.today(), periods.QUARTER), 12)
    query = IndicatorQuery(start=spans[0][0], end=spans[-1][1], breakdowns=BY)
    compute_series(
        "CASES_CHILDREN_IDENTIFIED", spans, query
    )  # the process learns once which tallies are built
    with CaptureQueriesContext(connection) as captured:
        series = compute_series("CASES_CHILDREN_IDENTIFIED", spans, query)
    assert len(captured.captured_queries) == 1
    assert "core_tally" in captured.captured_queries[0]["sql"]
    assert sum(v.value for values in series for v in values) > 0


@pytest.mark.no_tally_check
def test_a_write_past_the_signals_is_found_by_the_check_and_mended_by_a_rebuild(demo):
    case = Case.objects.order_by("pk").first()
    Case.objects.filter(pk=case.pk).update(identification_date=case.identification_date.replace(day=1))
    if case.identification_date.day == 1:
        Case.objects.filter(pk=case.pk).update(identification_date=case.identification_date.replace(day=2))
    out = io.StringIO()
    with pytest.raises(CommandError, match="en écart"):
        call_command("tallies", "check", "CASES_CHILDREN_IDENTIFIED", stdout=out)
    assert (
        "CASES_CHILDREN_IDENTIFIED : 2 groupe(s) en écart" in out.getvalue() or "en écart" in out.getvalue()
    )
    call_command("tallies", "rebuild", "CASES_CHILDREN_IDENTIFIED", stdout=io.StringIO())
    call_command("tallies", "check", stdout=(out := io.StringIO()))
    assert "Tous les comptages sont justes." in out.getvalue()
