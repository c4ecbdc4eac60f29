"""Reads of the registry, scoped: the review queue of an organisation, one pair, its two sides."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from kinga.cases.models import Case, Child
from kinga.core import access
from kinga.core.access import Actor

from .matching.scoring import explain
from .models import CandidatePair, LearntParameters, MatchProfile, Merge, PairStatus
from .profiles import PROFILE_COLUMNS
from .suggestions import display_fields, frame_of


def scope_pairs(actor: Actor, queryset: QuerySet) -> QuerySet:
    """A pair is reviewed by the organisations that hold either child (a case, or the registration)."""
    if actor.is_system:
        return queryset
    org = actor.organisation_id
    if org is None:
        return queryset.none()
    mine = (
        Q(child_a__cases__organisation_id=org)
        | Q(child_b__cases__organisation_id=org)
        | Q(child_a__registered_by_organisation_id=org)
        | Q(child_b__registered_by_organisation_id=org)
    )
    return queryset.filter(mine).distinct()


def queue(actor: Actor, *, status: str = "") -> QuerySet:
    qs = access.scoped(actor, CandidatePair, perm="registry.review").select_related("child_a", "child_b")
    if status in PairStatus.values:
        qs = qs.filter(status=status)
    else:
        qs = qs.filter(status__in=[PairStatus.OPEN, PairStatus.AWAITING_OTHER])
    return qs.order_by("-possible_relapse", "-score", "id")


def get_pair(actor: Actor, uuid) -> CandidatePair:
    return access.get_object_or_404(actor, CandidatePair, perm="registry.review", uuid=uuid)


def active_merge(pair: CandidatePair) -> Merge | None:
    return pair.merges.filter(unmerged_at__isnull=True).select_related("merged_by").first()


def side(actor: Actor, child) -> dict:
    """One side of a pair as the actor may see it."""
    full = (
        actor.sees_identities
        and access.scoped(actor, Child, perm="cases.view_identity").filter(pk=child.pk).exists()
    )
    case = (
        Case.objects.filter(child=child)
        .select_related("organisation", "territory")
        .order_by("-created_at")
        .first()
    )
    return display_fields(child, case, full=full)


def explain_pair(pair: CandidatePair) -> dict[str, str]:
    """How the two children compare, field by field (levels only), from their profiles."""
    profiles = {
        p["child_id"]: p
        for p in MatchProfile.objects.filter(child_id__in=[pair.child_a_id, pair.child_b_id]).values(
            *PROFILE_COLUMNS
        )
    }
    if len(profiles) < 2:
        return {}
    a = dict(profiles[pair.child_a_id])
    a.pop("child_id")
    frame, _raw = frame_of(a, [], [profiles[pair.child_b_id]])

    return explain(frame, 0, 1)


def learnt_parameters(actor: Actor) -> list[LearntParameters]:
    """What the matcher learnt, latest first (aggregates only: no child, no name)."""
    access.require(actor, "registry.learn")
    return list(LearntParameters.objects.order_by("-learnt_at", "-pk")[:10])
