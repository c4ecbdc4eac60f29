"""Outcome reads: a household's trajectory over rounds, a programme's before/after comparison, counts.

Every figure is one aggregate query grouped in the database, through kinga.core.access scoping.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast

from kinga.core import access
from kinga.core.access import Actor
from kinga.households.models import (
    Cooperative,
    CooperativeMember,
    CooperativeNetwork,
    Deposit,
    Enrolment,
    EnrolmentStatus,
    Household,
    Programme,
    ProgrammeKind,
    Survey,
    SurveyRound,
)

COUNTS = "households.view_counts"
MIN_CELL = 5  # aggregates over fewer households are not shown (re-identification)

income_per_person = Cast(F("monthly_income_usd"), FloatField()) / Cast(F("household_size"), FloatField())


def _round_aggregates(surveys) -> dict[int, dict]:
    rows = (
        surveys.values("round__number")
        .annotate(
            households=Count("household_id", distinct=True),
            income_pp=Avg(income_per_person),
            hunger=Avg(Cast("hunger_scale", FloatField())),
            mine=Avg(
                Case(
                    When(children_working_at_mine__gt=0, then=Value(100.0)),
                    default=Value(0.0),
                    output_field=FloatField(),
                )
            ),
            out_of_school=Avg(
                Case(
                    When(school_age_out_of_school__gt=0, then=Value(100.0)),
                    default=Value(0.0),
                    output_field=FloatField(),
                )
            ),
        )
        .order_by("round__number")
    )
    return {r["round__number"]: r for r in rows}


@dataclass
class Comparison:
    rounds: list[SurveyRound]
    enrolled: dict[int, dict]
    others: dict[int, dict]
    before_after: dict
    enrolled_count: int
    suppressed: bool


def programme_comparison(actor: Actor, programme: Programme) -> Comparison:
    """Enrolled households' averages per round next to surveyed households not enrolled (same area),
    and each enrolled household's last survey before enrolment against its first survey after."""
    access.require(actor, COUNTS)
    rounds = list(SurveyRound.objects.order_by("number"))
    enrolled_ids = Enrolment.objects.filter(programme=programme).values("household_id")
    surveys = Survey.objects.all()
    if programme.area_id:
        surveys = surveys.filter(household__place_path__startswith=programme.area.path)
    enrolled = _round_aggregates(surveys.filter(household_id__in=enrolled_ids))
    others = _round_aggregates(surveys.exclude(household_id__in=enrolled_ids))
    before = Survey.objects.filter(
        household=OuterRef("household"), round__starts_on__lte=OuterRef("enrolled_on")
    ).order_by("-round__number")
    after = Survey.objects.filter(
        household=OuterRef("household"), round__starts_on__gt=OuterRef("enrolled_on")
    ).order_by("round__number")

    def pp(qs):
        return Subquery(qs.annotate(v=income_per_person).values("v")[:1], output_field=FloatField())

    enrolments = Enrolment.objects.filter(programme=programme).annotate(
        b_income=pp(before),
        a_income=pp(after),
        b_hunger=Subquery(before.values("hunger_scale")[:1], output_field=IntegerField()),
        a_hunger=Subquery(after.values("hunger_scale")[:1], output_field=IntegerField()),
        b_mine=Subquery(before.values("children_working_at_mine")[:1], output_field=IntegerField()),
        a_mine=Subquery(after.values("children_working_at_mine")[:1], output_field=IntegerField()),
    )
    pairs = enrolments.filter(b_income__isnull=False, a_income__isnull=False)
    before_after = pairs.aggregate(
        n=Count("id"),
        income_before=Avg("b_income"),
        income_after=Avg("a_income"),
        hunger_before=Avg(Cast("b_hunger", FloatField())),
        hunger_after=Avg(Cast("a_hunger", FloatField())),
        mine_before=Count("id", filter=Q(b_mine__gt=0)),
        mine_after=Count("id", filter=Q(a_mine__gt=0)),
    )
    count = Enrolment.objects.filter(programme=programme).values("household_id").distinct().count()
    return Comparison(
        rounds=rounds,
        enrolled=enrolled,
        others=others,
        before_after=before_after,
        enrolled_count=count,
        suppressed=0 < count < MIN_CELL,
    )


def dashboard(actor: Actor) -> dict:
    """Counts for everyone with households.view_counts (coordinators and funders see only these)."""
    access.require(actor, COUNTS)
    households = Household.objects.all()
    if not actor.is_system_wide and not actor.aggregates_only:
        households = households.filter(organisation_id=actor.organisation_id)
    enrolments = Enrolment.objects.filter(household__in=households)
    by_kind = dict(
        enrolments.values("programme__kind")
        .annotate(n=Count("household_id", distinct=True))
        .values_list("programme__kind", "n")
    )
    funded = Exists(Deposit.objects.filter(enrolment=OuterRef("pk")))
    return {
        "households": households.count(),
        "surveyed": Survey.objects.filter(household__in=households).values("household_id").distinct().count(),
        "surveys": Survey.objects.filter(household__in=households).count(),
        "priority": households.filter(is_priority=True).count(),
        "by_kind": [(label, by_kind.get(kind, 0)) for kind, label in ProgrammeKind.choices],
        "hectares": enrolments.filter(status=EnrolmentStatus.ACTIVE).aggregate(s=Sum("hectares"))["s"]
        or Decimal(0),
        "accounts_funded": enrolments.filter(
            programme__kind=ProgrammeKind.SAVINGS, account_opened_on__isnull=False
        )
        .filter(funded)
        .count(),
        "literacy_completed": enrolments.filter(
            programme__kind=ProgrammeKind.LITERACY, status=EnrolmentStatus.COMPLETED
        ).count(),
        "cooperatives": Cooperative.objects.count(),
        "networks": CooperativeNetwork.objects.count(),
        "cooperative_members": CooperativeMember.objects.filter(left_on__isnull=True).count(),
        "rounds": _round_aggregates(Survey.objects.filter(household__in=households)),
        "round_list": list(SurveyRound.objects.order_by("number")),
    }
