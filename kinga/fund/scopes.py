"""Who sees which fund records: the province (administrators, coordinators, funders) all of them; the managing
organisation and the commission's member organisations their fund; a cooperative the disbursements made to it."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from kinga.core.access import Actor
from kinga.core.roles import Role
from kinga.fund.models import CommissionMember

PROVINCE_WIDE_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR, Role.VIEWER})


def province_wide(actor: Actor) -> bool:
    return actor.is_system or actor.role in PROVINCE_WIDE_ROLES


def _fund_q(actor: Actor, prefix: str) -> Q:
    sitting = CommissionMember.objects.filter(organisation_id=actor.organisation_id, left_on__isnull=True)
    return Q(**{f"{prefix}managed_by_id": actor.organisation_id}) | Q(
        **{f"{prefix}id__in": sitting.values("commission__fund_id")}
    )


def fund_records(prefix: str = ""):
    """Scope of a fund (prefix "") or of a record that leads to its fund (prefix "fund__", "session__commission__
    fund__"...)."""

    def scope(actor: Actor, queryset: QuerySet) -> QuerySet:
        if province_wide(actor):
            return queryset
        if actor.organisation_id is None:
            return queryset.none()
        return queryset.filter(_fund_q(actor, prefix))

    return scope


def disbursement_records(prefix: str = ""):
    """A disbursement (prefix "") or what hangs on it (prefix "disbursement__"): the fund's readers, and the
    cooperative it was paid to."""

    def scope(actor: Actor, queryset: QuerySet) -> QuerySet:
        if province_wide(actor):
            return queryset
        if actor.organisation_id is None:
            return queryset.none()
        return queryset.filter(
            _fund_q(actor, f"{prefix}fund__") | Q(**{f"{prefix}cooperative_id": actor.organisation_id})
        )

    return scope


def manages(actor: Actor, fund) -> bool:
    """Writes are the managing organisation's (and the coordination's)."""
    return actor.is_system_wide or fund.managed_by_id == actor.organisation_id
