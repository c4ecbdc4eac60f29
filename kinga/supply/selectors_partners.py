"""Reads of the agreements with partners and of the companies' commitments, through their access rules."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet, Sum

from kinga.core import access, clock
from kinga.core.access import Actor
from kinga.core.models import Organisation
from kinga.supply.models import (
    Breach,
    CommitmentStatus,
    SocialCommitment,
    SourcingAgreement,
    VerificationVisit,
)


def agreements(actor: Actor) -> QuerySet[SourcingAgreement]:
    return access.scoped(actor, SourcingAgreement).select_related("buyer", "cooperative")


def visits(actor: Actor) -> QuerySet[VerificationVisit]:
    return access.scoped(actor, VerificationVisit).select_related("site", "visited_by")


def breaches(actor: Actor) -> QuerySet[Breach]:
    return access.scoped(actor, Breach)


def commitments(actor: Actor) -> QuerySet[SocialCommitment]:
    return access.scoped(actor, SocialCommitment).select_related("company", "place")


def is_late(commitment: SocialCommitment, today: datetime.date | None = None) -> bool:
    return commitment.status in (
        CommitmentStatus.PLANNED,
        CommitmentStatus.ONGOING,
    ) and commitment.deadline < (today or clock.today())


@dataclass
class AgreementRow:
    agreement: SourcingAgreement
    visits: int
    children_found: int
    breaches: int
    open_breaches: int
    last_visit: datetime.date | None


@dataclass
class PartnersSection:
    """What the due-diligence report shows of a buyer's agreements and commitments for a period."""

    agreements: list[AgreementRow]
    breaches: list[Breach]
    commitments: list[SocialCommitment]
    commitments_amount: object
    commitments_late: int
    # The visits themselves are listed by the spreadsheet only (the page counts them per agreement): a query left
    # unevaluated, so the page does not pay for it.
    visits: QuerySet[VerificationVisit] | None = None


def for_report(
    actor: Actor, *, buyer: Organisation, start: datetime.date, end: datetime.date
) -> PartnersSection:
    """The buyer's agreements in force during the period with their visits and breaches in it, and its
    commitments due in the period or still open (three queries; the visits' list a fourth, when read)."""
    in_force = (
        agreements(actor)
        .filter(buyer=buyer, starts_on__lte=end)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=start))
        .annotate(
            n_visits=Count("visits", filter=Q(visits__date__gte=start, visits__date__lte=end), distinct=True),
            n_children=Sum(
                "visits__children_found", filter=Q(visits__date__gte=start, visits__date__lte=end)
            ),
            last_visit=Max("visits__date"),
        )
        .order_by("-signed_on", "id")
    )
    found = list(
        breaches(actor)
        .filter(agreement__buyer=buyer, noticed_on__gte=start, noticed_on__lte=end)
        .select_related("agreement")
        .order_by("noticed_on", "id")
    )
    by_agreement: dict[int, list[Breach]] = {}
    for b in found:
        by_agreement.setdefault(b.agreement_id, []).append(b)
    rows = [
        AgreementRow(
            agreement=a,
            visits=a.n_visits,
            children_found=a.n_children or 0,
            breaches=len(by_agreement.get(a.pk, [])),
            open_breaches=sum(1 for b in by_agreement.get(a.pk, []) if b.resolved_on is None),
            last_visit=a.last_visit,
        )
        for a in in_force
    ]
    today = clock.today()
    lines = list(
        commitments(actor)
        .filter(company=buyer)
        .filter(
            Q(deadline__gte=start, deadline__lte=end)
            | Q(status__in=[CommitmentStatus.PLANNED, CommitmentStatus.ONGOING])
        )
        .order_by("deadline", "id")
    )
    for line in lines:
        line.late = is_late(line, today)
    period_visits = (
        visits(actor)
        .filter(agreement__buyer=buyer, agreement__starts_on__lte=end, date__gte=start, date__lte=end)
        .filter(Q(agreement__ends_on__isnull=True) | Q(agreement__ends_on__gte=start))
        .select_related("agreement")
        .order_by("date", "id")
    )
    return PartnersSection(
        agreements=rows,
        visits=period_visits,
        breaches=found,
        commitments=lines,
        commitments_amount=sum((c.amount_usd or 0 for c in lines), 0),
        commitments_late=sum(1 for c in lines if c.late),
    )
