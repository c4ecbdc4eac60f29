"""Monitoring of non-return (issue 20, item 3): the page IDAK opens every month, and its API.

Target (issue 20): the page under 200 ms p95 at national scale on PostgreSQL, its query count bounded whatever the
number of cohorts. Timed as a coordinator (every case of the province counts): the whole plan (every cohort since
the plan's start), the last full year, one quarter in the busiest territory, and the API for the whole plan.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from kinga.cases.models import Case, Relapse, RetentionCheck
from kinga.core import clock


def run(ctx) -> None:
    checks, relapses = RetentionCheck.objects.count(), Relapse.objects.count()
    print(f"bench nonreturn: {checks} retention checks, {relapses} relapses")
    client = ctx.client_for_role("coordinator")
    busiest = (
        Case.objects.values("territory__pcode").annotate(n=Count("id")).order_by("-n").first() or {}
    ).get("territory__pcode") or ""
    year = clock.today().year - 1
    with CaptureQueriesContext(connection) as queries:
        client.get("/cases/non-retour/?period=plan")
    ctx.add("nonreturn: queries of the page (whole plan)", len(queries.captured_queries), "queries")
    ctx.time_requests(
        "nonreturn: page, whole plan (coordinator)",
        client,
        "/cases/non-retour/?period=plan",
        n=100,
        rows=checks,
    )
    ctx.time_requests(
        f"nonreturn: page, year {year}", client, f"/cases/non-retour/?period={year}", n=100, rows=checks
    )
    ctx.time_requests(
        f"nonreturn: page, {year}Q4 in {busiest}",
        client,
        f"/cases/non-retour/?period={year}Q4&territory={busiest}",
        n=100,
        rows=checks,
    )
    ctx.time_requests(
        "nonreturn: API, whole plan", client, "/api/v1/cases/non-return/?period=plan", n=100, rows=checks
    )
