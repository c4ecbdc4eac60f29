"""Per-round survey totals (RoundTotals): kept in step with the surveys, read by the outcome pages.

A key is (round, organisation, place path). Every write path recomputes the keys it touched from the surveys
themselves instead of adding deltas: a recomputation cannot drift, and the same code rebuilds everything.
The callers are the survey services (record_survey), the round import, a household moving place, synth and
`kinga households totals`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection, transaction
from django.db.models import Count, F, FloatField, Q, Sum
from django.db.models.functions import Cast

from kinga.households.models import Household, RoundTotals, Survey


def survey_sums() -> dict:
    """The sums the outcome pages read, as aggregates over surveys named like RoundTotals' columns: the one
    definition used to keep the totals and to read the enrolled households' surveys. A household has at most
    one survey a round (survey_one_per_round), so counting surveys counts households."""
    return {
        "households": Count("id"),
        "income_per_person": Sum(
            Cast(F("monthly_income_usd"), FloatField()) / Cast(F("household_size"), FloatField()),
            output_field=FloatField(),
        ),
        "hunger_scale": Sum("hunger_scale"),
        "with_child_at_mine": Count("id", filter=Q(children_working_at_mine__gt=0)),
        "with_child_out_of_school": Count("id", filter=Q(school_age_out_of_school__gt=0)),
    }


SUMS = tuple(survey_sums())

# Two transactions refreshing the same organisation's keys would each miss the other's uncommitted surveys
# and collide on the unique key; PostgreSQL serialises them on this lock (SQLite has one writer anyway).
_LOCK_NAMESPACE = 7_301_905


def _lock(organisation_id: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_NAMESPACE, organisation_id])


def _recompute(surveys) -> int:
    """Writes the totals of these surveys' keys (grouped in the database: a few thousand rows at most)."""
    rows = (
        surveys.order_by()
        .values(
            "round_id", organisation_id=F("household__organisation_id"), place_path=F("household__place_path")
        )
        .annotate(**survey_sums())
    )
    return len(RoundTotals.objects.bulk_create([RoundTotals(**row) for row in rows], batch_size=1000))


@transaction.atomic
def refresh(*, organisation_id: int, round_id: int | None = None, place_paths: Iterable[str] = ()) -> None:
    """Recompute the totals of one organisation: one round or all, some places (old and new place of a
    household that moved) or all of them."""
    _lock(organisation_id)
    paths = sorted(set(place_paths))
    stale = RoundTotals.objects.filter(organisation_id=organisation_id)
    surveys = Survey.objects.filter(household__organisation_id=organisation_id)
    if round_id is not None:
        stale, surveys = stale.filter(round_id=round_id), surveys.filter(round_id=round_id)
    if paths:
        stale = stale.filter(place_path__in=paths)
        surveys = surveys.filter(household__place_path__in=paths)
    stale.delete()
    _recompute(surveys)


# The keys to recompute when the current `batched()` block ends: (organisation, round or None) → place paths.
_BATCH: ContextVar[dict[tuple[int, int | None], set[str]] | None] = ContextVar(
    "kinga_round_totals_batch", default=None
)


def refresh_household(
    household: Household, *, round_id: int | None = None, former_place_path: str = ""
) -> None:
    paths = [household.place_path] + ([former_place_path] if former_place_path else [])
    pending = _BATCH.get()
    if pending is not None:
        pending.setdefault((household.organisation_id, round_id), set()).update(paths)
        return
    refresh(organisation_id=household.organisation_id, round_id=round_id, place_paths=paths)


@contextmanager
def batched() -> Iterator[None]:
    """Many surveys recorded in a row (a worker applying a batch of field submissions): the keys they touch are
    recomputed once each when the block ends (also after an error), not once per survey. Within the block the
    totals lag behind the surveys written in it. Nested blocks are the outer one."""
    if _BATCH.get() is not None:
        yield
        return
    pending: dict[tuple[int, int | None], set[str]] = {}
    token = _BATCH.set(pending)
    try:
        yield
    finally:
        _BATCH.reset(token)
        for (organisation_id, round_id), paths in sorted(
            pending.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)
        ):
            refresh(organisation_id=organisation_id, round_id=round_id, place_paths=paths)


@transaction.atomic
def rebuild_all() -> tuple[int, float]:
    """Every key from the surveys, in one grouped read (synth, repair); returns (rows, seconds)."""
    t0 = time.perf_counter()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {RoundTotals._meta.db_table} IN EXCLUSIVE MODE")
    RoundTotals.objects.all().delete()
    rows = _recompute(Survey.objects.all())
    return rows, time.perf_counter() - t0


def round_sums(totals) -> dict[int, dict]:
    """Sums per round id over a RoundTotals queryset (already filtered by area or organisation)."""
    rows = totals.order_by().values("round_id").annotate(**{name: Sum(name) for name in SUMS})
    return {row.pop("round_id"): row for row in rows}
