"""Reads of the support fund. Lists go through kinga.core.access (scoped); figures of one fund are aggregates."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth

from kinga.core import access, clock
from kinga.core.access import Actor
from kinga.core.models import Organisation, OrganisationType, Place
from kinga.fund.models import (
    Account,
    Commission,
    CommissionMember,
    Decision,
    DecisionKind,
    DecisionOutcome,
    Disbursement,
    Fund,
    Instalment,
    Receipt,
    Repayment,
    RetrocessionRate,
    Session,
)

ZERO = Decimal("0.00")


def rate_on(day: datetime.date) -> RetrocessionRate | None:
    """The retrocession rate in force on `day`: the latest one whose date is not after it."""
    return RetrocessionRate.objects.filter(valid_from__lte=day).order_by("-valid_from").first()


def rates() -> QuerySet[RetrocessionRate]:
    return RetrocessionRate.objects.all()


def _sum(qs: QuerySet) -> Decimal:
    return qs.aggregate(total=Sum("amount"))["total"] or ZERO


def balance(fund: Fund, *, on: datetime.date | None = None) -> Decimal:
    """What the fund holds at the end of `on` (today by default): receipts and repayments in, disbursements out."""
    day = on or clock.today()
    money_in = _sum(Receipt.objects.filter(fund=fund, received_on__lte=day))
    repaid = _sum(Repayment.objects.filter(disbursement__fund=fund, paid_on__lte=day))
    money_out = _sum(Disbursement.objects.filter(fund=fund, disbursed_on__lte=day))
    return money_in + repaid - money_out


@dataclass(frozen=True)
class Totals:
    received: Decimal
    retrocession: Decimal
    surface_rights: Decimal
    disbursed: Decimal
    lent: Decimal
    repaid: Decimal
    overdue: Decimal
    balance: Decimal


def totals(fund: Fund, *, on: datetime.date | None = None) -> Totals:
    day = on or clock.today()
    receipts = Receipt.objects.filter(fund=fund, received_on__lte=day)
    retro = receipts.filter(source="retrocession").aggregate(
        amount=Sum("amount"), base=Sum("surface_rights_usd")
    )
    disbursements = Disbursement.objects.filter(fund=fund, disbursed_on__lte=day)
    repaid = _sum(Repayment.objects.filter(disbursement__fund=fund, paid_on__lte=day))
    due = _sum(Instalment.objects.filter(disbursement__fund=fund, due_on__lte=day))
    received = _sum(receipts)
    disbursed = _sum(disbursements)
    return Totals(
        received=received,
        retrocession=retro["amount"] or ZERO,
        surface_rights=retro["base"] or ZERO,
        disbursed=disbursed,
        lent=_sum(disbursements.filter(kind="loan")),
        repaid=repaid,
        overdue=max(due - repaid, ZERO),
        balance=received + repaid - disbursed,
    )


def monthly(fund: Fund, *, months: int = 12, on: datetime.date | None = None) -> list[dict]:
    """Money in and out by month over the last `months` months (oldest first), with the balance at each month's
    end: three grouped queries."""
    day = on or clock.today()
    first = datetime.date(day.year, day.month, 1)
    for _ in range(months - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)

    def by_month(qs: QuerySet, field: str) -> dict[datetime.date, Decimal]:
        rows = (
            qs.filter(**{f"{field}__gte": first, f"{field}__lte": day})
            .annotate(month=TruncMonth(field))
            .values("month")
            .annotate(total=Sum("amount"))
        )
        return {_as_date(r["month"]): r["total"] for r in rows}

    received = by_month(Receipt.objects.filter(fund=fund), "received_on")
    repaid = by_month(Repayment.objects.filter(disbursement__fund=fund), "paid_on")
    disbursed = by_month(Disbursement.objects.filter(fund=fund), "disbursed_on")
    running = balance(fund, on=first - datetime.timedelta(days=1))
    result = []
    month = first
    while month <= day:
        running += received.get(month, ZERO) + repaid.get(month, ZERO) - disbursed.get(month, ZERO)
        result.append(
            {
                "month": month,
                "received": received.get(month, ZERO),
                "repaid": repaid.get(month, ZERO),
                "disbursed": disbursed.get(month, ZERO),
                "balance": running,
            }
        )
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return result


def _as_date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


# ---------------------------------------------------------------------------------------------- scoped lists


def funds(actor: Actor) -> QuerySet[Fund]:
    return access.scoped(actor, Fund).select_related("managed_by", "place")


def receipts(actor: Actor, fund: Fund) -> QuerySet[Receipt]:
    return access.scoped(actor, Receipt).filter(fund=fund).select_related("account")


def sessions(actor: Actor, fund: Fund) -> QuerySet[Session]:
    return (
        access.scoped(actor, Session)
        .filter(commission__fund=fund)
        .select_related("meeting")
        .order_by("-meeting__date", "-id")
    )


def decisions(actor: Actor, fund: Fund) -> QuerySet[Decision]:
    return (
        access.scoped(actor, Decision)
        .filter(session__commission__fund=fund)
        .select_related("session__meeting", "cooperative")
    )


def disbursements(actor: Actor, fund: Fund | None = None) -> QuerySet[Disbursement]:
    qs = access.scoped(actor, Disbursement)
    if fund is not None:
        qs = qs.filter(fund=fund)
    repaid = (
        Repayment.objects.filter(disbursement=OuterRef("pk"))
        .values("disbursement")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return qs.select_related("cooperative", "decision__session__meeting").annotate(
        repaid=Coalesce(
            Subquery(repaid), Value(ZERO), output_field=DecimalField(max_digits=14, decimal_places=2)
        )
    )


def cooperatives() -> QuerySet[Organisation]:
    """Cooperatives the commission may decide for (reference data: every member reads organisations)."""
    return Organisation.objects.filter(type=OrganisationType.COOPERATIVE, is_active=True).order_by("name")


def loan_status(disbursement: Disbursement, *, on: datetime.date | None = None) -> dict:
    day = on or clock.today()
    repaid = _sum(disbursement.repayments.all())
    due = _sum(disbursement.instalments.filter(due_on__lte=day))
    return {
        "repaid": repaid,
        "outstanding": disbursement.amount - repaid,
        "due": due,
        "overdue": max(due - repaid, ZERO),
    }


def organisations() -> QuerySet[Organisation]:
    """Organisations to pick (members, partners): reference data every member reads."""
    return Organisation.objects.filter(is_active=True).order_by("name")


def managing_organisations(actor: Actor) -> QuerySet[Organisation]:
    """Who may manage a new fund: the actor's organisation, any for the coordination."""
    if actor.is_system_wide:
        return organisations()
    return Organisation.objects.filter(pk=actor.organisation_id)


def places() -> QuerySet[Place]:
    return Place.objects.all()


def open_accounts(fund: Fund) -> QuerySet[Account]:
    return fund.accounts.filter(closed_on__isnull=True)


def sitting_members(commission: Commission) -> QuerySet[CommissionMember]:
    return commission.members.filter(left_on__isnull=True).select_related("organisation")


def payable_decisions(actor: Actor, fund: Fund) -> QuerySet[Decision]:
    """Adopted decisions to give or lend money that are not yet fully paid out."""
    paid = (
        Disbursement.objects.filter(decision=OuterRef("pk"))
        .values("decision")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return (
        decisions(actor, fund)
        .filter(outcome=DecisionOutcome.ADOPTED)
        .exclude(kind=DecisionKind.OTHER)
        .annotate(
            paid=Coalesce(
                Subquery(paid), Value(ZERO), output_field=DecimalField(max_digits=14, decimal_places=2)
            )
        )
        .filter(paid__lt=F("amount"))
    )
