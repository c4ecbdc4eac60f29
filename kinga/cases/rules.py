"""Who sees which case, child and referral (registered with kinga.core.access in CasesConfig.ready()).

- caseworker: the cases assigned to them;
- supervisor: their team's cases (actor.team_user_ids) and the cases they supervise;
- organisation manager: their organisation's cases;
- a provider organisation: only the referrals sent to it (the shared part of the case, see selectors);
- coordinators, viewers, funders, company officers: no case, no child — counts only (selectors.counts).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from kinga.core import access
from kinga.core.access import Actor
from kinga.core.roles import Role

from .models import Case, Child, Facility, FacilityStatusChange, FacilityWork, Referral, Service


def case_filter(actor: Actor, prefix: str = "") -> Q | None:
    """The Q of the cases an actor may open (None: every case, for the system actor)."""
    if actor.is_system:
        return None
    if actor.organisation_id is None or actor.user is None:
        return Q(pk__in=[])
    org = Q(**{f"{prefix}organisation_id": actor.organisation_id})
    if actor.role == Role.CASEWORKER:
        return org & Q(**{f"{prefix}caseworker_id": actor.user.pk})
    if actor.role == Role.SUPERVISOR:
        return org & (
            Q(**{f"{prefix}caseworker_id__in": actor.team_user_ids})
            | Q(**{f"{prefix}supervisor_id": actor.user.pk})
        )
    if actor.role == Role.ORG_MANAGER:
        return org
    return Q(pk__in=[])


def counts_filter(actor: Actor, prefix: str = "") -> Q | None:
    """The Q of the cases an actor may count (None: every case). Roles that see identities count the cases
    they may open; coordinators, viewers and company officers (aggregates only) and administrators count every
    case; any other role with cases.view_counts, its own organisation's."""
    if actor.has("cases.view_identity"):
        return case_filter(actor, prefix)
    if actor.aggregates_only or actor.is_system_wide:
        return None
    return Q(**{f"{prefix}organisation_id": actor.organisation_id})


def scope_cases(actor: Actor, queryset: QuerySet) -> QuerySet:
    q = case_filter(actor)
    return queryset if q is None else queryset.filter(q)


def scope_children(actor: Actor, queryset: QuerySet) -> QuerySet:
    q = case_filter(actor, "cases__")
    if q is None:
        return queryset
    if actor.role not in (Role.CASEWORKER, Role.SUPERVISOR, Role.ORG_MANAGER):
        return queryset.none()
    return queryset.filter(q).distinct()


def scope_referrals_in(actor: Actor, queryset: QuerySet) -> QuerySet:
    """Referrals a provider organisation received."""
    if actor.is_system:
        return queryset
    if actor.organisation_id is None:
        return queryset.none()
    return queryset.filter(provider_id=actor.organisation_id)


def scope_services(actor: Actor, queryset: QuerySet) -> QuerySet:
    return queryset


def register_rules() -> None:
    access.register(Case, scope=scope_cases, view_permission="cases.view_identity")
    access.register(Child, scope=scope_children, view_permission="cases.view_identity")
    access.register(Referral, scope=scope_referrals_in, view_permission="cases.provide_service")
    access.register(Service, scope=scope_services, view_permission="cases.view_counts")
    # The register of care facilities is read like the directory it extends (no child in it); writes are the
    # provider organisation's (selectors_facilities.writable_facilities).
    for model in (Facility, FacilityStatusChange, FacilityWork):
        access.register(model, scope=scope_services, view_permission="cases.view_counts")
