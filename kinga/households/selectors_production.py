"""Reads of household production and nutrition: micro-finance groups with their totals and arrears, harvests,
nutrition visits. Scoped through kinga.core.access; totals are computed from the loans and repayments."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from kinga.core import access, clock, memo
from kinga.core.access import Actor
from kinga.core.models import Place
from kinga.households.models import (
    FinanceGroup,
    GroupMember,
    Harvest,
    Household,
    HouseholdMember,
    Loan,
    LoanRepayment,
    NutritionVisit,
    Product,
    ProductionKind,
    Unit,
)

ZERO = Decimal("0.00")
IDENTITY = "households.view_identity"


@dataclass
class GroupTotals:
    """A group's fund, computed: `available` is what it can lend now; `arrears` what loans past their due date
    still owe, `late_loans` how many they are."""

    capital: Decimal = ZERO
    lent: Decimal = ZERO
    due: Decimal = ZERO
    repaid: Decimal = ZERO
    arrears: Decimal = ZERO
    late_loans: int = 0
    loans: int = 0

    @property
    def available(self) -> Decimal:
        return self.capital + self.repaid - self.lent

    @property
    def outstanding(self) -> Decimal:
        return self.due - self.repaid


def _repaid_sum():
    return Coalesce(Sum("repayments__amount_usd"), Value(ZERO), output_field=DecimalField())


def loans_with_repaid(queryset: QuerySet | None = None) -> QuerySet:
    """Loans, each with what was repaid on it (`repaid`): one query grouped by loan."""
    return (queryset if queryset is not None else Loan.objects.all()).annotate(repaid=_repaid_sum())


def totals_of(groups: list[FinanceGroup], today: datetime.date | None = None) -> dict[int, GroupTotals]:
    """The totals of several groups, by group id, in one query over their loans."""
    today = today or clock.today()
    result = {g.pk: GroupTotals(capital=g.capital_usd) for g in groups}
    rows = loans_with_repaid(Loan.objects.filter(group_id__in=list(result))).values_list(
        "group_id", "amount_usd", "interest_percent", "due_on", "repaid"
    )
    for group_id, amount, interest, due_on, repaid in rows:
        t = result[group_id]
        due = (amount * (100 + interest) / 100).quantize(amount)
        t.loans += 1
        t.lent += amount
        t.due += due
        t.repaid += repaid
        if due_on < today and repaid < due:
            t.arrears += due - repaid
            t.late_loans += 1
    return result


def group_totals(group: FinanceGroup, today: datetime.date | None = None) -> GroupTotals:
    return totals_of([group], today)[group.pk]


def repaid(loan: Loan) -> Decimal:
    return loan.repayments.aggregate(s=Sum("amount_usd"))["s"] or ZERO


def groups(actor: Actor, *, place_prefix: str = "") -> QuerySet:
    qs = access.scoped(actor, FinanceGroup).select_related("place", "organisation")
    if place_prefix:
        qs = qs.filter(place_path__startswith=place_prefix)
    return qs.order_by("name")


def with_member_counts(groups_: list[FinanceGroup]) -> list[FinanceGroup]:
    """Each group of a page with its current members (`member_count`): one query for the page, where counting
    them for every group before paginating read the 8,000 groups of the province (630 ms for the coordinator)."""
    counts = dict(
        GroupMember.objects.filter(group__in=groups_, left_on__isnull=True)
        .order_by()
        .values("group_id")
        .annotate(n=Count("id"))
        .values_list("group_id", "n")
    )
    for group in groups_:
        group.member_count = counts.get(group.pk, 0)
    return groups_


def group_members(actor: Actor, group: FinanceGroup) -> QuerySet:
    return (
        access.scoped(actor, GroupMember)
        .filter(group=group)
        .select_related("household")
        .order_by("joined_on")
    )


def group_loans(actor: Actor, group: FinanceGroup) -> QuerySet:
    return loans_with_repaid(access.scoped(actor, Loan).filter(group=group)).select_related("household")


def loan_repayments(actor: Actor, loan: Loan) -> QuerySet:
    return access.scoped(actor, LoanRepayment).filter(loan=loan)


def household_loans(actor: Actor, household: Household) -> QuerySet:
    return loans_with_repaid(access.scoped(actor, Loan).filter(household=household)).select_related("group")


def household_harvests(actor: Actor, household: Household) -> QuerySet:
    return access.scoped(actor, Harvest, perm=IDENTITY).filter(household=household)


def household_visits(actor: Actor, household: Household) -> QuerySet:
    return (
        access.scoped(actor, NutritionVisit, perm=IDENTITY)
        .filter(household=household)
        .prefetch_related("measurements__member")
    )


PRODUCTION_BY_PRODUCT = "households.production_by_product"


def production_by_product(actor: Actor, *, since: datetime.date) -> list[dict]:
    """What the households the actor follows produced since a day: total quantity per product and unit, the
    households that produced it and the area farmed."""
    qs = access.scoped(actor, Harvest, perm="households.view_counts").filter(recorded_on__gte=since)
    # A coordinator's year is every harvest of the province (a scan and a distinct count: 311 ms at national
    # scale): memoised between two writes of a harvest or a household, keyed by the query (scope and day in it).
    rows = memo.remember_rows(
        PRODUCTION_BY_PRODUCT,
        qs.order_by()
        .values("kind", "product", "unit")
        .annotate(quantity=Sum("quantity"), households=Count("household", distinct=True), area=Sum("area_ha"))
        .order_by("kind", "product", "unit"),
    )
    return [
        {
            **row,
            "label": Product(row["product"]).label,
            "kind_label": ProductionKind(row["kind"]).label,
            "unit_label": Unit(row["unit"]).label,
        }
        for row in rows
    ]


# What an API request names by UUID, resolved before the view reads it again through the actor's scope (another
# organisation's record is then a 404, as everywhere): lookups only, never listed or shown as they are.
def households_by_uuid() -> QuerySet:
    return Household.objects.all()


def groups_by_uuid() -> QuerySet:
    return FinanceGroup.objects.all()


def members_by_uuid() -> QuerySet:
    return HouseholdMember.objects.all()


def places_by_pcode() -> QuerySet:
    return Place.objects.all()


def member_households(actor: Actor, group: FinanceGroup) -> QuerySet:
    """The households of the group's members that the actor may see (a loan goes to one of them)."""
    return access.scoped(actor, Household, perm=IDENTITY).filter(
        pk__in=group_members(actor, group).values("household")
    )
