"""Per-round survey totals (RoundTotals): kept in step with the surveys, read by the outcome pages.

A key is (round, organisation, place path). Every write path recomputes the keys it touched from the surveys
themselves instead of adding deltas: a recomputation cannot drift, and the same code rebuilds everything.
The callers are the survey services (record_survey), the round import, a household moving place, synth and
`kinga households totals`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Sum

from kinga.households.models import Household, RoundTotals, Survey

# The sums the outcome pages read, in RoundTotals' column names.
SUMS = ("households", "income_per_person", "hunger_scale", "with_child_at_mine", "with_child_out_of_school")

_INSERT = """
INSERT INTO {totals} (round_id, organisation_id, place_path, households, income_per_person, hunger_scale,
                      with_child_at_mine, with_child_out_of_school)
SELECT s.round_id, h.organisation_id, h.place_path, COUNT(*),
       SUM(CAST(s.monthly_income_usd AS DOUBLE PRECISION) / CAST(s.household_size AS DOUBLE PRECISION)),
       SUM(s.hunger_scale),
       SUM(CASE WHEN s.children_working_at_mine > 0 THEN 1 ELSE 0 END),
       SUM(CASE WHEN s.school_age_out_of_school > 0 THEN 1 ELSE 0 END)
FROM {survey} s JOIN {household} h ON h.id = s.household_id
{where}
GROUP BY s.round_id, h.organisation_id, h.place_path
"""

# Two transactions refreshing the same organisation's keys would each miss the other's uncommitted surveys
# and collide on the unique key; PostgreSQL serialises them on this lock (SQLite has one writer anyway).
_LOCK_NAMESPACE = 7_301_905


def _lock(organisation_id: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_NAMESPACE, organisation_id])


def _recompute(where: str, params: list) -> None:
    sql = _INSERT.format(
        totals=RoundTotals._meta.db_table,
        survey=Survey._meta.db_table,
        household=Household._meta.db_table,
        where=where,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@transaction.atomic
def refresh(*, organisation_id: int, round_id: int | None = None, place_paths: Iterable[str] = ()) -> None:
    """Recompute the totals of one organisation: one round or all, some places (old and new place of a
    household that moved) or all of them."""
    _lock(organisation_id)
    paths = sorted(set(place_paths))
    stale = RoundTotals.objects.filter(organisation_id=organisation_id)
    where, params = ["h.organisation_id = %s"], [organisation_id]
    if round_id is not None:
        stale = stale.filter(round_id=round_id)
        where.append("s.round_id = %s")
        params.append(round_id)
    if paths:
        stale = stale.filter(place_path__in=paths)
        where.append(f"h.place_path IN ({', '.join(['%s'] * len(paths))})")
        params.extend(paths)
    stale.delete()
    _recompute("WHERE " + " AND ".join(where), params)


def refresh_household(
    household: Household, *, round_id: int | None = None, former_place_path: str = ""
) -> None:
    paths = [household.place_path] + ([former_place_path] if former_place_path else [])
    refresh(organisation_id=household.organisation_id, round_id=round_id, place_paths=paths)


@transaction.atomic
def rebuild_all() -> tuple[int, float]:
    """Every key from the surveys, in one statement (synth, repair); returns (rows, seconds)."""
    t0 = time.perf_counter()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {RoundTotals._meta.db_table} IN EXCLUSIVE MODE")
    RoundTotals.objects.all().delete()
    _recompute("", [])
    return RoundTotals.objects.count(), time.perf_counter() - t0


def round_sums(totals) -> dict[int, dict]:
    """Sums per round id over a RoundTotals queryset (already filtered by area or organisation)."""
    rows = totals.order_by().values("round_id").annotate(**{name: Sum(name) for name in SUMS})
    return {row.pop("round_id"): row for row in rows}
