"""Indicators at scale (issue 20): every indicator of the plan × the province's territories × 12 quarters × sex ×
age band, always current (no nightly table): the way the pages, the API and the exports compute several periods
(kinga.plan.selectors.indicator_values_by_period: the counts kept on write read once for the twelve quarters, the
sources grouping by span in one query, the figures memoised until a write read from the cache); beside it one
period at a time (indicator_values per quarter) and the naive way, one query per indicator, territory and quarter
from the records, timed on the two latest quarters and extrapolated to twelve; and the pages.
"""

from __future__ import annotations

import os
import statistics
import time

from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from kinga.cases import services
from kinga.cases.models import Case, CaseStatus
from kinga.core import clock, periods, tallies
from kinga.core.access import actor_for
from kinga.core.indicators import IndicatorQuery, source_for
from kinga.core.models import Membership, Place, PlaceLevel
from kinga.households.models import Survey
from kinga.monitoring import reports
from kinga.plan import selectors
from kinga.plan.models import Indicator, IndicatorSourceKind

BY = ("territory", "sex", "age_band")
QUARTERS = 12
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
PAGE_REQUESTS = int(os.environ.get("BENCH_PAGE_REQUESTS", "10"))


def _quarters() -> list[periods.Period]:
    return periods.series(periods.month_period_containing(clock.today(), periods.QUARTER), QUARTERS)


def run(ctx) -> None:
    membership = Membership.objects.filter(role="coordinator", is_active=True).select_related("user").first()
    actor = actor_for(membership.user, membership.pk)
    quarters = _quarters()
    indicators = list(Indicator.objects.filter(source=IndicatorSourceKind.COMPUTED).order_by("position"))
    computed = [i for i in indicators if source_for(i.code) is not None]
    territories = list(
        Place.objects.filter(level=PlaceLevel.TERRITORY, pcode__startswith=selectors.province_place().pcode)
    )
    cells_per_run = None
    timings, queries = [], []
    grid = (
        f"{len(computed)} computed indicators x {len(territories)} territories x {len(quarters)} quarters x sex x "
        "age band"
    )
    cache.clear()  # the first run computes what is memoised until a write; the others read it
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as captured:
            t0 = time.perf_counter()
            by_period = selectors.indicator_values_by_period(actor, periods=quarters, by=BY)
            timings.append(time.perf_counter() - t0)
        queries.append(len(captured.captured_queries))
        cells_per_run = sum(len(cells) for cells in by_period.values())
    ctx.add(f"indicator grid: {grid}, first run (memo empty)", timings[0], "s", cells_per_run)
    ctx.add(f"indicator grid: {grid}, median of {RUNS}", statistics.median(timings), "s", cells_per_run)
    ctx.add("indicator grid: queries per run (first run)", queries[0], "queries", cells_per_run)
    ctx.add("indicator grid: queries per run (median)", statistics.median(queries), "queries", cells_per_run)

    cache.clear()
    t0 = time.perf_counter()
    one_at_a_time = [cell for q in quarters for cell in selectors.indicator_values(actor, period=q, by=BY)]
    ctx.add(
        "indicator grid, one quarter at a time (memo empty)",
        time.perf_counter() - t0,
        "s",
        len(one_at_a_time),
    )

    naive_quarters = quarters[-2:]
    t0 = time.perf_counter()
    naive_queries = 0
    for q in naive_quarters:
        for indicator in computed:
            declared = tuple(b for b in ("sex", "age_band") if b in source_for(indicator.code).breakdowns)
            for territory in territories:
                # From the records, as before the counts kept on write: the source itself, no reader.
                source_for(indicator.code).compute(
                    IndicatorQuery(start=q.start, end=q.end, area=territory, breakdowns=declared)
                )
                naive_queries += 1
    naive = time.perf_counter() - t0
    ctx.add(
        "indicator grid, naive way (one query per indicator, territory and quarter): 2 quarters", naive, "s"
    )
    ctx.add(
        "indicator grid, naive way: extrapolated to 12 quarters",
        naive * len(quarters) / len(naive_quarters),
        "s",
        naive_queries * len(quarters) // len(naive_quarters),
    )

    # A year's report at national scale (target: under 60 s), both formats, built as the task builds it.
    year = periods.year(clock.today().year)
    for fmt in ("pdf", "xlsx"):
        cache.clear()
        with translation.override("fr"):
            t0 = time.perf_counter()
            content = reports.build(year, fmt)
            ctx.add(
                f"annual report {year.iso} ({fmt}, memo empty)", time.perf_counter() - t0, "s", len(content)
            )

    client = ctx.client_for_role("coordinator")
    ctx.time_requests(
        "province dashboard page (quarter)", client, reverse("monitoring:dashboard"), n=PAGE_REQUESTS
    )
    territory = territories[0].pcode
    ctx.time_requests(
        "province dashboard page (quarter, one territory)",
        client,
        reverse("monitoring:dashboard") + f"?territory={territory}",
        n=PAGE_REQUESTS,
    )
    ctx.time_requests("indicator table page (quarter)", client, reverse("plan:indicators"), n=PAGE_REQUESTS)
    ctx.time_requests(
        "non-return monitoring page (quarter)", client, reverse("cases:non_return"), n=PAGE_REQUESTS
    )

    # What the memo costs (kinga.core.memo): the first dashboard after a households write computes its figures
    # from the records again.
    survey = Survey.objects.order_by("pk").first()
    times = []
    for _ in range(3):
        survey.save(update_fields=["monthly_income_usd"])  # a write of the households app: a new generation
        t0 = time.perf_counter()
        assert client.get(reverse("monitoring:dashboard")).status_code == 200
        times.append(time.perf_counter() - t0)
    ctx.add(
        "province dashboard page, first request after a households write (median of 3)",
        statistics.median(times) * 1000,
        "ms",
    )

    # What keeping the tallies costs a write: a follow-up visit recorded (and rolled back) with and without them.
    _write_cost(ctx)


class _Undo(Exception):
    pass


def _write_cost(ctx) -> None:
    case = (
        Case.objects.filter(status=CaseStatus.UNDER_FOLLOW_UP, caseworker__isnull=False)
        .order_by("pk")
        .first()
    )
    membership = Membership.objects.filter(user=case.caseworker, is_active=True).first()
    worker = actor_for(case.caseworker, membership.pk)
    today = clock.today()

    def visit() -> float:
        t0 = time.perf_counter()
        try:
            with transaction.atomic():
                services.record_follow_up(
                    actor=worker,
                    case=case,
                    visit_date=today,
                    child_seen=True,
                    in_school_or_training=True,
                    attending=True,
                    today=today,
                )
                elapsed = time.perf_counter() - t0
                raise _Undo
        except _Undo:
            return elapsed

    kept = statistics.median(visit() for _ in range(7))
    with tallies.not_kept():
        bare = statistics.median(visit() for _ in range(7))
    ctx.add("follow-up visit recorded, counts kept on write (median of 7)", kept * 1000, "ms")
    ctx.add("follow-up visit recorded, counts not kept (median of 7)", bare * 1000, "ms")
