"""Reads of the core, always through kinga.core.access scoping."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from kinga.core import access
from kinga.core.access import Actor
from kinga.core.models import ApiToken, AuditEvent, Membership, Organisation, Place


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
    actor: Actor, *, action: str = "", target_type: str = "", actor_email: str = "", target_id: str = ""
) -> QuerySet[AuditEvent]:
    qs = access.scoped(actor, AuditEvent).select_related("actor", "organisation")
    if action:
        qs = qs.filter(action=action)
    if target_type:
        qs = qs.filter(target_type=target_type)
    if actor_email:
        qs = qs.filter(actor__email__iexact=actor_email.strip())
    if target_id:
        qs = qs.filter(target_id=target_id.strip())
    return qs


def my_tokens(actor: Actor) -> QuerySet[ApiToken]:
    return access.scoped(actor, ApiToken).order_by("-created_at")


def my_memberships(actor: Actor) -> QuerySet[Membership]:
    # A user's own memberships are theirs to see whatever their role.
    return actor.user.memberships.filter(is_active=True).select_related("organisation")
