"""Reads of the households app, always through kinga.core.access scoping."""

from __future__ import annotations

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.urls import NoReverseMatch, reverse

from kinga.cases import selectors as case_selectors
from kinga.core import access, clock, crypto
from kinga.core.access import Actor
from kinga.core.models import Place
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


def survey_round(actor: Actor, uuid) -> SurveyRound:
    return access.get_object_or_404(actor, SurveyRound, perm=COUNTS, uuid=uuid)


def round_covering(actor: Actor, day) -> SurveyRound | None:
    """The round whose dates hold `day` (rounds do not overlap), or None."""
    return rounds(actor).filter(starts_on__lte=day, ends_on__gte=day).first()


def programmes(actor: Actor, *, kind: str = "") -> QuerySet[Programme]:
    qs = access.scoped(actor, Programme, perm=COUNTS).select_related("organisation", "area")
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def cooperatives(
    actor: Actor, *, q: str = "", kind: str = "", with_counts: bool = False
) -> QuerySet[Cooperative]:
    qs = access.scoped(actor, Cooperative, perm=COUNTS).select_related("organisation", "network", "place")
    if with_counts:
        qs = qs.annotate(member_count=Count("members", filter=Q(members__left_on__isnull=True)))
    if q:
        qs = qs.filter(Q(organisation__name__icontains=q) | Q(organisation__acronym__iexact=q))
    if kind:
        qs = qs.filter(kind=kind)
    # Ordered so that paginated lists are stable.
    return qs.order_by("organisation__name", "pk")


def cooperative_members(
    actor: Actor, cooperative: Cooperative, *, q: str = ""
) -> QuerySet[CooperativeMember]:
    qs = access.scoped(actor, CooperativeMember, perm=IDENTITY).filter(cooperative=cooperative)
    if q:
        match = _name_match(q, CooperativeMemberNameIndex, "member")
        qs = qs.filter(match) if match is not None else qs.none()
    return qs


def enrolments_with_programme() -> QuerySet[Enrolment]:
    """Base queryset of an enrolment page (scoped by the caller through access.get_object_or_404)."""
    return Enrolment.objects.select_related("programme", "household", "member", "cooperative__organisation")


def cooperative_summary(cooperative: Cooperative) -> dict:
    """Members by sex, artisanal miners and age bands: counts, no identity."""
    active = cooperative.members.filter(left_on__isnull=True)
    return active.aggregate(
        total=Count("id"),
        women=Count("id", filter=Q(sex="F")),
        men=Count("id", filter=Q(sex="M")),
        ema=Count("id", filter=Q(is_artisanal_miner=True)),
        ema_women=Count("id", filter=Q(is_artisanal_miner=True, sex="F")),
    )


def can_keep_members(actor: Actor, cooperative: Cooperative) -> bool:
    return actor.is_system_wide or actor.organisation_id in (
        cooperative.organisation_id,
        cooperative.supported_by_id,
    )


def children_status(actor: Actor, household: Household, members) -> list[dict]:
    """The household's children (under 18) with their schooling and work, and the labour status from
    their cases' follow-ups when a child is in care."""

    today = clock.today()
    children = [m for m in members if m.age_on(today) < 18 or m.child_case_id]
    case_ids = [m.child_case_id for m in children if m.child_case_id]
    visible = {}
    statuses = {}
    if case_ids and actor.has("cases.view_identity"):
        visible = {c.pk: c for c in case_selectors.cases_by_ids(actor, case_ids)}
        statuses = case_selectors.latest_labour_status(list(visible))
    elif case_ids:
        # Without access to the case file, the labour status alone (no identity) is still shown.
        statuses = case_selectors.latest_labour_status(case_ids)
    rows = []
    for member in children:
        case = None
        if member.child_case_id:
            status = statuses.get(member.child_case_id)
            c = visible.get(member.child_case_id)
            case = {
                "number": c.number if c else "",
                "url": reverse("cases:detail", args=[c.uuid]) if c and _has_url("cases:detail") else "",
                "status": c.get_status_display() if c else "",
                "date": status["date"] if status else None,
                "working_at_mine": status["working_at_mine"] if status else None,
                "attending": status["attending"] if status else None,
            }
        rows.append({"member": member, "age": member.age_on(today), "case": case})
    return rows


def _has_url(name: str) -> bool:
    try:
        reverse(name, args=["00000000-0000-0000-0000-000000000000"])
    except NoReverseMatch:
        return False
    return True


def case_by_number(actor: Actor, number: str):
    """A case the actor may see, by its number (None otherwise)."""
    if not actor.has("cases.view_identity"):
        return None
    return case_selectors.cases(actor).filter(number__iexact=(number or "").strip()).first()


def cooperative_member_scope(actor, queryset):
    """Members are seen by the cooperative itself and by the organisation that supports it."""
    if actor.is_system_wide:
        return queryset
    if actor.organisation_id is None:
        return queryset.none()
    return queryset.filter(
        Q(cooperative__organisation_id=actor.organisation_id)
        | Q(cooperative__supported_by_id=actor.organisation_id)
    )


def household_labels(households) -> list[str]:
    """The searchable picker's labels of households: the survey identifier and the place (never a name)."""
    places = dict(Place.objects.filter(pk__in={h.place_id for h in households}).values_list("pk", "name"))
    return [f"{h.survey_id} — {places.get(h.place_id, '')}" for h in households]
