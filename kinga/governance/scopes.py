"""Who reads which governance records: the province (administrators, coordinators, funders) all; an organisation
the records it is party to (the donor or the receiving service of a donation, the organisation responsible for or
funding an infrastructure, the organisation leading a track). Writes: the recording organisation's, or the
coordination's."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Q, QuerySet

from kinga.core.access import Actor
from kinga.core.roles import Role

PROVINCE_WIDE_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR, Role.VIEWER})


def province_wide(actor: Actor) -> bool:
    return actor.is_system or actor.role in PROVINCE_WIDE_ROLES


def parties(*fields: str):
    """Scope of a record read by the organisations named in `fields` (e.g. "donor", "recipient")."""

    def scope(actor: Actor, queryset: QuerySet) -> QuerySet:
        if province_wide(actor):
            return queryset
        if actor.organisation_id is None:
            return queryset.none()
        q = Q()
        for name in fields:
            q |= Q(**{f"{name}_id": actor.organisation_id})
        return queryset.filter(q)

    return scope


def writable(actor: Actor, queryset: QuerySet, field: str) -> QuerySet:
    """The records of `queryset` the actor may write: their organisation's through `field` (any for the
    coordination)."""
    if actor.is_system_wide:
        return queryset
    return queryset.filter(**{f"{field}_id": actor.organisation_id})


def owns(actor: Actor, organisation_ids: Sequence[int | None]) -> bool:
    return actor.is_system_wide or actor.organisation_id in organisation_ids
