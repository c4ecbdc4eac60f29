"""Reads of the activities' deliverables. A validated document is the plan's, read by every member; one awaiting
validation or sent back is read only by the organisation that filed it and by the coordination (administrators,
coordinators), who review it."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from kinga.core import access
from kinga.core.access import Actor
from kinga.core.roles import Role
from kinga.plan.models import Activity, Deliverable, DeliverableStatus

REVIEWERS = frozenset({Role.ADMIN, Role.COORDINATOR})


def scope(actor: Actor, queryset: QuerySet) -> QuerySet:
    if actor.is_system or actor.role in REVIEWERS:
        return queryset
    mine = Q(organisation_id=actor.organisation_id) if actor.organisation_id else Q(pk__in=[])
    return queryset.filter(Q(status=DeliverableStatus.VALIDATED) | mine)


def deliverables(actor: Actor) -> QuerySet[Deliverable]:
    return access.scoped(actor, Deliverable).select_related("organisation", "progress_report")


def of_activity(actor: Actor, activity: Activity) -> QuerySet[Deliverable]:
    return deliverables(actor).filter(activity=activity)


def awaiting_review(actor: Actor) -> QuerySet[Deliverable]:
    return (
        deliverables(actor)
        .filter(status=DeliverableStatus.SUBMITTED)
        .select_related("activity__action__axis")
    )


def counts_by_activity(actor: Actor) -> dict[int, dict[str, int]]:
    """Per activity: its validated deliverables and those awaiting validation the actor may see (one query)."""
    rows = (
        deliverables(actor)
        .order_by()
        .values("activity_id")
        .annotate(
            validated=Count("id", filter=Q(status=DeliverableStatus.VALIDATED)),
            pending=Count("id", filter=Q(status=DeliverableStatus.SUBMITTED)),
        )
    )
    return {row["activity_id"]: row for row in rows}
