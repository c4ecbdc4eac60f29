"""Outcome reads: a household's trajectory over rounds, a programme's before/after comparison, counts.

Every figure is one aggregate query grouped in the database, through kinga.core.access scoping; figures over
every surveyed household add up the kept per-round totals (kinga.households.totals).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    Exists,
    F,
    OuterRef,
)

from kinga.core import access, memo
from kinga.core.access import Actor
from kinga.households.models import (
    Cooperative,
    CooperativeMember,
    CooperativeNetwork,
    Enrolment,
    HouseholdFigures,
    Programme,
    ProgrammeKind,
    RoundTotals,
    Survey,
    SurveyRound,
)
from kinga.households.services import figures, totals

COUNTS = "households.view_counts"
MIN_CELL = 5  # aggregates over fewer households are not shown (re-identification)
# Memoised between two writes of its records (kinga.core.memo; declared in wiring.wire()).
PROGRAMME_OUTCOMES = "programme_outcomes"


def _round_sums(surveys) -> dict[int, dict]:
    """totals.SUMS per round id straight from surveys, in one pass (they subtract from the kept totals)."""
    rows = surveys.order_by().values("round_id").annotate(**totals.survey_sums())
    return {r.pop("round_id"): r for r in rows}


def _minus(total: dict[int, dict], part: dict[int, dict]) -> dict[int, dict]:
    zero = dict.fromkeys(totals.SUMS, 0)
    return {k: {key: t[key] - part.get(k, zero)[key] for key in totals.SUMS} for k, t in total.items()}


def _figures(sums: dict[int, dict], rounds: list[SurveyRound]) -> dict[int, dict]:
    """Per round number: households surveyed and their means (percentages for the yes/no items)."""
    out = {}
    for rnd in rounds:
        s = sums.get(rnd.id)
        if not s or not s["households"]:
            continue
        n = s["households"]
        out[rnd.number] = {
            "round__number": rnd.number,
            "households": n,
            "income_pp": float(s["income_per_person"]) / n,
            "hunger": float(s["hunger_scale"]) / n,
            "mine": 100.0 * s["with_child_at_mine"] / n,
            "out_of_school": 100.0 * s["with_child_out_of_school"] / n,
        }
    return out


@dataclass
class Comparison:
    rounds: list[SurveyRound]
    enrolled: dict[int, dict]
    others: dict[int, dict]
    before_after: dict
    enrolled_count: int
    suppressed: bool


# Each enrolment's last survey in a round started on or before its enrolment date and its first survey in a
# round started after, ranked by window functions in one pass over the enrolled households' surveys (one
# correlated subquery per enrolment and figure took seconds at national scale). Portable: PostgreSQL, SQLite.
_BEFORE_AFTER_SQL = """
WITH ranked AS (
    SELECT e.id AS enrolment_id,
           r.starts_on <= e.enrolled_on AS is_before,
           CAST(s.monthly_income_usd AS DOUBLE PRECISION) / CAST(s.household_size AS DOUBLE PRECISION) AS income,
           s.hunger_scale AS hunger,
           s.children_working_at_mine AS mine,
           ROW_NUMBER() OVER (
               PARTITION BY e.id, r.starts_on <= e.enrolled_on
               ORDER BY CASE WHEN r.starts_on <= e.enrolled_on THEN -r.number ELSE r.number END
           ) AS rank
    FROM {enrolment} e
    JOIN {survey} s ON s.household_id = e.household_id
    JOIN {round} r ON r.id = s.round_id
    WHERE e.programme_id = %s
)
SELECT COUNT(*),
       AVG(b.income), AVG(a.income),
       AVG(CAST(b.hunger AS DOUBLE PRECISION)), AVG(CAST(a.hunger AS DOUBLE PRECISION)),
       COALESCE(SUM(CASE WHEN b.mine > 0 THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN a.mine > 0 THEN 1 ELSE 0 END), 0)
FROM ranked b
JOIN ranked a ON a.enrolment_id = b.enrolment_id AND a.rank = 1 AND NOT a.is_before
WHERE b.rank = 1 AND b.is_before
"""


def _before_after(programme: Programme) -> dict:
    sql = _BEFORE_AFTER_SQL.format(
        enrolment=Enrolment._meta.db_table, survey=Survey._meta.db_table, round=SurveyRound._meta.db_table
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [programme.pk])
        row = cursor.fetchone()
    keys = (
        "n",
        "income_before",
        "income_after",
        "hunger_before",
        "hunger_after",
        "mine_before",
        "mine_after",
    )
    return dict(zip(keys, row, strict=True))


def programme_comparison(actor: Actor, programme: Programme) -> Comparison:
    """Enrolled households' averages per round next to surveyed households not enrolled (same area),
    and each enrolled household's last survey before enrolment against its first survey after."""
    access.require(actor, COUNTS)
    rounds = list(SurveyRound.objects.order_by("number"))
    surveys, area_totals = Survey.objects.all(), RoundTotals.objects.all()
    if programme.area_id:
        surveys = surveys.filter(household__place_path__startswith=programme.area.path)
        area_totals = area_totals.filter(place_path__startswith=programme.area.path)
    # The others are everyone in the area (the kept totals, not 1.4 million surveys at national scale) minus
    # the enrolled, whose surveys are read.
    everyone = totals.round_sums(area_totals)
    # Joined from the programme's enrolments (index on the survey's household) rather than IN (subquery),
    # which PostgreSQL hashes against a scan of every survey; a household enrolled twice counts once.
    earlier = Enrolment.objects.filter(
        programme=programme, household=OuterRef("household"), pk__lt=OuterRef("enrolment_id")
    )

    def enrolled_figures() -> tuple:
        enrolled = _round_sums(
            surveys.filter(household__enrolments__programme=programme)
            .alias(enrolment_id=F("household__enrolments__id"))
            .filter(~Exists(earlier))
        )
        count = Enrolment.objects.filter(programme=programme).values("household_id").distinct().count()
        return enrolled, _before_after(programme), count

    # A national programme enrols hundreds of thousands of households, whose surveys are read: memoised between
    # two writes of a households record (kinga.core.memo).
    key = (programme.pk, programme.area.path if programme.area_id else "")
    enrolled, before_after, count = memo.remember(PROGRAMME_OUTCOMES, key, enrolled_figures)
    return Comparison(
        rounds=rounds,
        enrolled=_figures(enrolled, rounds),
        others=_figures(_minus(everyone, enrolled), rounds),
        before_after=before_after,
        enrolled_count=count,
        suppressed=0 < count < MIN_CELL,
    )


def dashboard(actor: Actor) -> dict:
    """Counts for everyone with households.view_counts (coordinators and funders see only these).

    Read from the figures and round totals kept on write (a thousand rows at national scale), never by
    counting the half million households, their surveys and enrolments on each view (0.9 s before)."""
    access.require(actor, COUNTS)
    kept = HouseholdFigures.objects.all()
    round_totals = RoundTotals.objects.all()
    if not actor.is_system_wide and not actor.aggregates_only:
        kept = kept.filter(organisation_id=actor.organisation_id)
        round_totals = round_totals.filter(organisation_id=actor.organisation_id)
    rounds = list(SurveyRound.objects.order_by("number"))
    sums = totals.round_sums(round_totals)
    counts = figures.sums(kept)
    return {
        "households": counts["households"],
        "surveyed": counts["surveyed"],
        "surveys": sum(s["households"] for s in sums.values()),
        "priority": counts["priority"],
        "by_kind": [(label, counts[f"enrolled_{kind}"]) for kind, label in ProgrammeKind.choices],
        "hectares": counts["hectares_active"],
        "accounts_funded": counts["accounts_funded"],
        "literacy_completed": counts["literacy_completed"],
        "cooperatives": Cooperative.objects.count(),
        "networks": CooperativeNetwork.objects.count(),
        "cooperative_members": CooperativeMember.objects.filter(left_on__isnull=True).count(),
        "rounds": _figures(sums, rounds),
        "round_list": rounds,
    }
