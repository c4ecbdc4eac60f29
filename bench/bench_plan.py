"""Plan: server time of the plan tree and the budget synthesis pages.

The issue's target is set with `kinga synth --scale national` plan data (10,000 budget transactions, 5,000
progress reports). Building the national database is heavy (a million children), and only the plan's tables
matter to these pages: at a smaller scale this bench adds the national volume of commitments, transactions and
progress reports inside a transaction that it rolls back at the end (the cached database is left as it was).
"""

from __future__ import annotations

from django.db import transaction

from kinga.core.synth import SCALES, SynthContext
from kinga.plan.models import FundingTransaction, ProgressReport
from kinga.plan.synth import generate_plan


class _Rollback(Exception):
    pass


def run(ctx) -> None:
    try:
        with transaction.atomic():
            _run(ctx)
            raise _Rollback
    except _Rollback:
        pass


def _run(ctx) -> None:
    target = SCALES["national"]
    if FundingTransaction.objects.count() < target["budget_transactions"]:
        generate_plan(SynthContext(scale="national", seed=ctx.seed + 1))
    rows = FundingTransaction.objects.count()
    reports = ProgressReport.objects.count()
    ctx.add("plan transactions in the database", rows, "rows", rows)
    ctx.add("plan progress reports in the database", reports, "rows", reports)
    client = ctx.client_for_role("viewer")
    ctx.time_requests("plan tree page", client, "/plan/", n=100, rows=rows)
    ctx.time_requests("plan budget synthesis page", client, "/plan/budget/", n=100, rows=rows)
