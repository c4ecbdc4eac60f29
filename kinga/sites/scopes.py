"""Who sees which movement records: the province (administrators, coordinators, site inspectors, funders) all of
them; any other organisation the counts it gave itself. The records hold counts, never a person; what is scoped
is which organisation observed what, where."""

from __future__ import annotations

from django.db.models import QuerySet

from kinga.core.access import Actor
from kinga.core.roles import Role

PROVINCE_WIDE_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR, Role.SITE_INSPECTOR, Role.VIEWER})


def province_wide(actor: Actor) -> bool:
    return actor.is_system or actor.role in PROVINCE_WIDE_ROLES


def movement_records(actor: Actor, queryset: QuerySet) -> QuerySet:
    if province_wide(actor):
        return queryset
    if actor.organisation_id is None:
        return queryset.none()
    return queryset.filter(organisation_id=actor.organisation_id)
