"""Reads of the households app, always through kinga.core.access scoping."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from kinga.core import access, crypto
from kinga.core.access import Actor
from kinga.households import index
from kinga.households.models import (
    Cooperative,
    CooperativeMember,
    CooperativeMemberNameIndex,
    Enrolment,
    Household,
    HouseholdNameIndex,
    HouseholdScore,
    Programme,
    Survey,
    SurveyRound,
)

IDENTITY = "households.view_identity"
COUNTS = "households.view_counts"


def _name_match(q: str, index_model, fk: str) -> Exists | None:
    digests = [d for _kind, d in crypto.name_digests(q)]
    if not digests:
        return None
    return Exists(index_model.objects.filter(**{fk: OuterRef("pk")}, digest__in=digests))


def households(
    actor: Actor, *, q: str = "", place=None, priority: bool | None = None, order: str = "score"
) -> QuerySet[Household]:
    """Households the actor may see, with their current score; a name search uses the blind index."""
    qs = access.scoped(actor, Household, perm=IDENTITY).select_related("place")
    q = (q or "").strip()
    if q:
        by_id = qs.filter(survey_id__iexact=q)
        match = _name_match(q, HouseholdNameIndex, "household")
        qs = qs.filter(match) | by_id if match is not None else by_id
    if place is not None:
        qs = qs.filter(place_path__startswith=place.path)
    if priority:
        qs = qs.filter(is_priority=True)
    version = index.current_version()
    qs = qs.annotate(
        score=Subquery(
            HouseholdScore.objects.filter(household=OuterRef("pk"), version=version).values("score")[:1]
        )
    )
    if order == "score":
        from django.db.models import F

        return qs.order_by("-is_priority", F("score").desc(nulls_last=True), "-created_at")
    return qs.order_by("-created_at")


def household_surveys(actor: Actor, household: Household) -> QuerySet[Survey]:
    return (
        access.scoped(actor, Survey, perm=IDENTITY)
        .filter(household=household)
        .select_related("round")
        .prefetch_related("income_sources")
        .order_by("round__number")
    )


def household_enrolments(actor: Actor, household: Household) -> QuerySet[Enrolment]:
    return (
        access.scoped(actor, Enrolment, perm=IDENTITY)
        .filter(household=household)
        .select_related("programme", "cooperative__organisation", "member")
        .prefetch_related("deliveries", "deposits")
        .order_by("-enrolled_on")
    )


def rounds(actor: Actor) -> QuerySet[SurveyRound]:
    return access.scoped(actor, SurveyRound, perm=COUNTS).order_by("number")


def programmes(actor: Actor, *, kind: str = "") -> QuerySet[Programme]:
    qs = access.scoped(actor, Programme, perm=COUNTS).select_related("organisation", "area")
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def cooperatives(actor: Actor, *, q: str = "", kind: str = "") -> QuerySet[Cooperative]:
    qs = access.scoped(actor, Cooperative, perm=COUNTS).select_related("organisation", "network", "place")
    if q:
        qs = qs.filter(organisation__name__icontains=q) | qs.filter(organisation__acronym__iexact=q)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def cooperative_members(
    actor: Actor, cooperative: Cooperative, *, q: str = ""
) -> QuerySet[CooperativeMember]:
    qs = access.scoped(actor, CooperativeMember, perm=IDENTITY).filter(cooperative=cooperative)
    if q:
        match = _name_match(q, CooperativeMemberNameIndex, "member")
        qs = qs.filter(match) if match is not None else qs.none()
    return qs
