"""Reads of the register of care facilities: the list, one facility's works and status history, and its occupancy
by month — children in care computed from the referrals the facility accepted, never typed in.

Occupancy (an assumption, docs/guide/structures.md): a child is in a facility's care in a month when a referral to
that facility was accepted (accepted, or later reported delivered) on or before the month's last day, and the
child's case was not closed before the month's first day. Admissions are the referrals accepted in the month.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from kinga.core import access, clock, memo
from kinga.core.access import Actor

from .models import (
    CARE_FACILITY_TYPES,
    Facility,
    FacilityWork,
    Referral,
    ReferralStatus,
    Service,
)

ACCEPTED = (ReferralStatus.ACCEPTED, ReferralStatus.COMPLETED)
# Memoised between two writes of its records (kinga.core.memo; declared in wiring.wire()).
FACILITIES_IN_CARE = "facilities_in_care"


def facilities(
    actor: Actor, *, service_type: str = "", status: str = "", q: str = "", place=None
) -> QuerySet[Facility]:
    """The register, each facility with the total cost of its works."""
    cost = (
        FacilityWork.objects.filter(facility=OuterRef("pk"))
        .order_by()
        .values("facility")
        .annotate(t=Sum("cost_usd"))
        .values("t")
    )
    qs = (
        access.scoped(actor, Facility)
        .select_related("service__organisation", "service__place")
        .annotate(works_cost=Coalesce(Subquery(cost), Value(Decimal(0)), output_field=DecimalField()))
    )
    if service_type:
        qs = qs.filter(service__service_type=service_type)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(
            Q(service__name__icontains=q)
            | Q(service__organisation__name__icontains=q)
            | Q(service__organisation__acronym__icontains=q)
            | Q(service__place__name__icontains=q)
        )
    if place is not None:
        qs = qs.filter(service__place__path__startswith=place.path)
    return qs.order_by("service__name", "id")


def writable_facilities(actor: Actor) -> QuerySet[Facility]:
    """The facilities the actor may write: their organisation's (any for the coordination). Another's: 404."""
    qs = access.scoped(actor, Facility, perm="cases.manage_services")
    return qs if actor.is_system_wide else qs.filter(service__organisation_id=actor.organisation_id)


def writable_works(actor: Actor) -> QuerySet[FacilityWork]:
    qs = access.scoped(actor, FacilityWork, perm="cases.manage_services").select_related("facility__service")
    return qs if actor.is_system_wide else qs.filter(facility__service__organisation_id=actor.organisation_id)


def registrable_services(actor: Actor) -> QuerySet[Service]:
    """Directory entries of the four kinds, not yet on the register, that the actor may register."""
    qs = access.scoped(actor, Service, perm="cases.manage_services").filter(
        service_type__in=CARE_FACILITY_TYPES, facility__isnull=True
    )
    return qs if actor.is_system_wide else qs.filter(organisation_id=actor.organisation_id)


def works(actor: Actor, facility: Facility) -> QuerySet[FacilityWork]:
    return access.scoped(actor, FacilityWork).filter(facility=facility).select_related("funded_by")


def in_care_now(facility_ids: list[int], day: datetime.date | None = None) -> dict[int, int]:
    """Children in each facility's care on `day` (today by default), in one query."""
    day = day or clock.today()
    rows = (
        Referral.objects.filter(service__facility__in=facility_ids, status__in=ACCEPTED, answered_on__lte=day)
        .filter(Q(case__closed_on__isnull=True) | Q(case__closed_on__gte=day))
        .order_by()
        .values_list("service__facility")
        .annotate(n=Count("case", distinct=True))
    )
    # Memoised between two writes of a referral or a case: the register's figures join every accepted referral
    # of its facilities to its case (thousands per facility at national scale).
    return dict(memo.remember_rows(FACILITIES_IN_CARE, rows))


@dataclass(frozen=True)
class Month:
    month: datetime.date  # its first day
    admitted: int
    in_care: int
    capacity: int | None

    @property
    def rate(self) -> Decimal | None:
        """Occupancy in % of the capacity (none without a capacity)."""
        if not self.capacity:
            return None
        return (Decimal(self.in_care) * 100 / self.capacity).quantize(Decimal("0.1"))


def _first_days(end: datetime.date, months: int) -> list[datetime.date]:
    first = end.replace(day=1)
    days = []
    for _ in range(months):
        days.append(first)
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return days[::-1]


def _last_day(first: datetime.date) -> datetime.date:
    return (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)


def occupancy(facility: Facility, *, months: int = 12, end: datetime.date | None = None) -> list[Month]:
    """The last `months` months up to `end`'s month: admissions and children in care (one query; a facility has
    at most some hundreds of accepted referrals)."""
    rows = list(
        Referral.objects.filter(
            service_id=facility.service_id, status__in=ACCEPTED, answered_on__isnull=False
        )
        .order_by()
        .values_list("case_id", "answered_on", "case__closed_on")
    )
    capacity = facility.service.capacity
    result = []
    for first in _first_days(end or clock.today(), months):
        last = _last_day(first)
        admitted = sum(1 for _c, answered, _closed in rows if first <= answered <= last)
        in_care = len(
            {
                case
                for case, answered, closed in rows
                if answered <= last and (closed is None or closed >= first)
            }
        )
        result.append(Month(month=first, admitted=admitted, in_care=in_care, capacity=capacity))
    return result
