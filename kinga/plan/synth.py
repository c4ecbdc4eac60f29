"""Synthetic money and progress for `kinga synth`: commitments, disbursements and expenditures
(SCALES["budget_transactions"] in all) and progress reports (SCALES["progress_reports"])."""

from __future__ import annotations

import datetime
from decimal import Decimal

from kinga.core.actors import system_actor
from kinga.core.models import Organisation
from kinga.core.reference import load_organisations
from kinga.core.synth import SynthContext, batched
from kinga.plan.models import (
    Action,
    Activity,
    ActivityStatus,
    Commitment,
    FundingTransaction,
    Plan,
    ProgressReport,
    TransactionKind,
)
from kinga.plan.services.loading import load_plan


def generate_plan(ctx: SynthContext) -> None:
    if not Plan.objects.exists():
        # The plan names the reference organisations (idempotent: only what is missing is added).
        load_organisations()
        load_plan(actor=system_actor())
    rng = ctx.rng
    actions = list(Action.objects.all())
    activities = list(Activity.objects.select_related("action"))
    funders = list(
        Organisation.objects.filter(type__in=["company", "partner", "provincial_government", "un_agency"])
    )
    funders = funders or list(Organisation.objects.all()[:20])
    start = datetime.date(2017, 7, 1)
    total = ctx.size("budget_transactions")
    n_commitments = max(1, total // 5)
    commitments = []
    for _ in range(n_commitments):
        action = rng.choice(actions)
        own = [a for a in activities if a.action_id == action.pk]
        activity = rng.choice(own) if own and rng.random() < 0.6 else None
        amount = Decimal(rng.randrange(5_000, 400_000, 500))
        commitments.append(
            Commitment(
                funder=rng.choice(funders),
                action=action,
                activity=activity,
                date=start + datetime.timedelta(days=rng.randrange(0, 900)),
                currency="USD",
                amount_original=amount,
                amount_usd=amount,
                document_ref=f"CONV-{rng.randrange(1000, 9999)}",
            )
        )
    Commitment.objects.bulk_create(commitments, batch_size=2000)
    ctx.inserted("plan_commitment", len(commitments))
    commitments = list(Commitment.objects.order_by("-pk")[: len(commitments)])
    transactions = []
    for _ in range(total - n_commitments):
        c = rng.choice(commitments)
        kind = TransactionKind.DISBURSEMENT if rng.random() < 0.55 else TransactionKind.EXPENDITURE
        amount = (c.amount_usd * Decimal(rng.randrange(2, 15)) / 100).quantize(Decimal("0.01"))
        transactions.append(
            FundingTransaction(
                commitment=c,
                kind=kind,
                date=c.date + datetime.timedelta(days=rng.randrange(1, 400)),
                currency="USD",
                amount_original=amount,
                amount_usd=amount,
                document_ref=f"OP-{rng.randrange(10000, 99999)}",
            )
        )
    for batch in batched(transactions, 5000):
        FundingTransaction.objects.bulk_create(batch)
    ctx.inserted("plan_fundingtransaction", len(transactions))
    reports = []
    latest: dict[int, ProgressReport] = {}
    for i in range(ctx.size("progress_reports")):
        activity = rng.choice(activities)
        date = start + datetime.timedelta(days=30 + (i * 997) % 1500)
        percent = min(100, rng.randrange(0, 101, 5))
        status = (
            ActivityStatus.COMPLETED
            if percent == 100
            else ActivityStatus.NOT_STARTED
            if percent == 0
            else ActivityStatus.ONGOING
        )
        report = ProgressReport(
            activity=activity,
            date=date,
            status=status,
            percent_done=percent,
            actual_start=start if status != ActivityStatus.NOT_STARTED else None,
            actual_end=date if status == ActivityStatus.COMPLETED else None,
            comment="Rapport synthétique",
        )
        reports.append(report)
        if activity.pk not in latest or latest[activity.pk].date <= date:
            latest[activity.pk] = report
    for batch in batched(reports, 5000):
        ProgressReport.objects.bulk_create(batch)
    ctx.inserted("plan_progressreport", len(reports))
    for activity_id, r in latest.items():
        Activity.objects.filter(pk=activity_id).update(
            status=r.status,
            percent_done=r.percent_done,
            actual_start=r.actual_start,
            actual_end=r.actual_end,
            progress_updated_at=r.date,
        )
