"""Who sees which supply records: state services and the coordination see all; a cooperative its own records;
a company its own purchases (lots it bought and their authorisations), nothing of other buyers; agreements
are read by the buyer and the cooperative party to them, commitments by their company."""

from __future__ import annotations

from django.db.models import QuerySet

from kinga.core.access import Actor
from kinga.core.models import OrganisationType
from kinga.core.roles import Role

PROVINCE_WIDE_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR, Role.SITE_INSPECTOR})


def province_wide(actor: Actor) -> bool:
    return actor.is_system or actor.role in PROVINCE_WIDE_ROLES


def _org_type(actor: Actor) -> str | None:
    return actor.organisation.type if actor.organisation is not None else None


def cooperative_records(prefix: str = ""):
    def scope(actor: Actor, queryset: QuerySet) -> QuerySet:
        if province_wide(actor):
            return queryset
        if _org_type(actor) == OrganisationType.COOPERATIVE:
            return queryset.filter(**{f"{prefix}cooperative_id": actor.organisation_id})
        return queryset.none()

    return scope


def lots(prefix: str = ""):
    def scope(actor: Actor, queryset: QuerySet) -> QuerySet:
        if province_wide(actor):
            return queryset
        kind = _org_type(actor)
        if kind == OrganisationType.COOPERATIVE:
            return queryset.filter(**{f"{prefix}cooperative_id": actor.organisation_id})
        if kind == OrganisationType.COMPANY:
            return queryset.filter(**{f"{prefix}buyer_id": actor.organisation_id})
        return queryset.none()

    return scope


def lots_scope_key(actor: Actor) -> tuple:
    """What decides which lots `lots()` lets the actor see (a key for figures memoised per reader)."""
    if province_wide(actor):
        return ("province",)
    return (_org_type(actor), actor.organisation_id)


def agreement_records(prefix: str = ""):
    """An agreement (prefix "") or what hangs on it (prefix "agreement__"): the province, the buying company,
    and the cooperative party to it."""

    def scope(actor: Actor, queryset: QuerySet) -> QuerySet:
        if province_wide(actor):
            return queryset
        kind = _org_type(actor)
        if kind == OrganisationType.COMPANY:
            return queryset.filter(**{f"{prefix}buyer_id": actor.organisation_id})
        if kind == OrganisationType.COOPERATIVE:
            return queryset.filter(**{f"{prefix}cooperative_id": actor.organisation_id})
        return queryset.none()

    return scope


def commitment_records(actor: Actor, queryset: QuerySet) -> QuerySet:
    """A company's cahier des charges: the province, and the company itself."""
    if province_wide(actor):
        return queryset
    if _org_type(actor) == OrganisationType.COMPANY:
        return queryset.filter(company_id=actor.organisation_id)
    return queryset.none()
