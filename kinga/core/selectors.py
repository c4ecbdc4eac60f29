"""Reads of the core, always through kinga.core.access scoping."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from kinga.core import access
from kinga.core.access import Actor
from kinga.core.models import ApiToken, AuditEvent, Membership, Organisation, Place, PlaceLevel
from kinga.core.roles import Role


def places(actor: Actor, *, q: str = "", parent: Place | None = None) -> QuerySet[Place]:
    qs = access.scoped(actor, Place).select_related("parent")
    if parent is not None:
        qs = qs.filter(parent=parent)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(pcode__iexact=q))
    return qs.order_by("level", "name")


def organisations(actor: Actor, *, q: str = "", type: str = "") -> QuerySet[Organisation]:
    qs = access.scoped(actor, Organisation)
    if q:
        qs = qs.filter(
            Q(name__icontains=q) | Q(acronym__icontains=q) | Q(aliases__alias__icontains=q)
        ).distinct()
    if type:
        qs = qs.filter(type=type)
    return qs.order_by("name")


def audit_events(
    actor: Actor,
    *,
    action: str = "",
    target_type: str = "",
    actor_email: str = "",
    target_id: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    organisation: Organisation | None = None,
) -> QuerySet[AuditEvent]:
    """The trail, newest first; dates are whole days (inclusive) in the server's time zone."""
    qs = access.scoped(actor, AuditEvent).select_related("actor", "organisation")
    if action:
        qs = qs.filter(action=action)
    if target_type:
        qs = qs.filter(target_type=target_type.strip().lower())
    if actor_email:
        qs = qs.filter(actor__email__iexact=actor_email.strip())
    if target_id:
        qs = qs.filter(target_id=target_id.strip())
    if date_from:
        qs = qs.filter(at__gte=_start_of_day(date_from))
    if date_to:
        qs = qs.filter(at__lt=_start_of_day(date_to + datetime.timedelta(days=1)))
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs


def _start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def my_tokens(actor: Actor) -> QuerySet[ApiToken]:
    return access.scoped(actor, ApiToken).order_by("-created_at")


def my_memberships(actor: Actor) -> QuerySet[Membership]:
    # A user's own memberships are theirs to see whatever their role.
    return actor.user.memberships.filter(is_active=True).select_related("organisation")


def manageable_organisations(actor: Actor) -> QuerySet[Organisation]:
    """Organisations whose members the actor manages: all for administrators, their own for managers."""
    access.require(actor, "core.manage_members")
    qs = access.scoped(actor, Organisation)
    if not actor.is_system_wide:
        qs = qs.filter(pk=actor.organisation_id)
    return qs


def members(
    actor: Actor, *, organisation: Organisation | None = None, q: str = "", include_inactive: bool = True
) -> QuerySet[Membership]:
    qs = access.scoped(actor, Membership).select_related("user", "organisation", "supervisor__user")
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    if q:
        qs = qs.filter(Q(user__email__icontains=q) | Q(user__full_name__icontains=q))
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs.order_by("-is_active", "user__full_name", "user__email")


def supervisors(actor: Actor, organisation: Organisation) -> QuerySet[Membership]:
    return members(actor, organisation=organisation, include_inactive=False).filter(role=Role.SUPERVISOR)


def operation_areas(actor: Actor) -> QuerySet[Place]:
    """Places an organisation can name as areas of operation: provinces, territories/towns, communes."""
    return places(actor).filter(level__gte=PlaceLevel.PROVINCE, level__lte=PlaceLevel.COMMUNE)
