"""The households dashboard's counts (HouseholdFigures): kept in step with the records, read by the dashboard.

A key is (organisation, place path), as for the per-round survey totals (totals.py), and for the same reason
every write path recomputes the keys it touched from the records instead of adding deltas: a recomputation
cannot drift, and the same code rebuilds everything. The callers are the household, programme and survey
services, the survey import, the priority refresh, synth and `kinga households totals`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum

from kinga.households.models import (
    Deposit,
    Enrolment,
    EnrolmentStatus,
    Household,
    HouseholdFigures,
    ProgrammeKind,
    Survey,
)

COUNTS = (
    "households",
    "priority",
    "surveyed",
    *(f"enrolled_{kind}" for kind in ProgrammeKind.values),
    "accounts_funded",
    "literacy_completed",
)
SUMS = (*COUNTS, "hectares_active")

# Two transactions refreshing the same organisation's keys would each miss the other's uncommitted records and
# collide on the unique key; PostgreSQL serialises them on this lock (SQLite has one writer anyway).
_LOCK_NAMESPACE = 7_301_906


def _lock(organisation_id: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_NAMESPACE, organisation_id])


def _key(prefix: str) -> dict:
    """A household's key, named as on HouseholdFigures, read through `prefix` (a related model's path to it)."""
    return {"organisation_id": F(f"{prefix}organisation_id"), "place_path": F(f"{prefix}place_path")}


def _compute(households: QuerySet) -> list[HouseholdFigures]:
    """The figures of every key of these households, in five grouped reads."""
    rows: dict[tuple, dict] = defaultdict(
        lambda: {name: 0 for name in COUNTS} | {"hectares_active": Decimal(0)}
    )
    for row in (
        households.order_by()
        .values("organisation_id", "place_path")
        .annotate(n=Count("id"), priority=Count("id", filter=Q(is_priority=True)))
    ):
        key = (row["organisation_id"], row["place_path"])
        rows[key]["households"], rows[key]["priority"] = row["n"], row["priority"]
    if not rows:
        return []
    surveyed = Survey.objects.filter(household__in=households.order_by().values("pk"))
    for row in (
        surveyed.order_by().values(**_key("household__")).annotate(n=Count("household_id", distinct=True))
    ):
        rows[(row["organisation_id"], row["place_path"])]["surveyed"] = row["n"]
    enrolments = Enrolment.objects.filter(household__in=households.order_by().values("pk"))
    for row in (
        enrolments.order_by()
        .values("programme__kind", **_key("household__"))
        .annotate(n=Count("household_id", distinct=True))
    ):
        rows[(row["organisation_id"], row["place_path"])][f"enrolled_{row['programme__kind']}"] = row["n"]
    funded = Exists(Deposit.objects.filter(enrolment=OuterRef("pk")))
    for row in (
        enrolments.order_by()
        .values(**_key("household__"))
        .annotate(
            hectares=Sum("hectares", filter=Q(status=EnrolmentStatus.ACTIVE)),
            literacy=Count(
                "id", filter=Q(programme__kind=ProgrammeKind.LITERACY, status=EnrolmentStatus.COMPLETED)
            ),
        )
    ):
        key = rows[(row["organisation_id"], row["place_path"])]
        key["hectares_active"], key["literacy_completed"] = row["hectares"] or Decimal(0), row["literacy"]
    for row in (
        enrolments.filter(programme__kind=ProgrammeKind.SAVINGS, account_opened_on__isnull=False)
        .filter(funded)
        .order_by()
        .values(**_key("household__"))
        .annotate(n=Count("id"))
    ):
        rows[(row["organisation_id"], row["place_path"])]["accounts_funded"] = row["n"]
    return [
        HouseholdFigures(organisation_id=org, place_path=path, **figures)
        for (org, path), figures in rows.items()
    ]


@transaction.atomic
def refresh(*, organisation_id: int, place_paths: Iterable[str] = ()) -> None:
    """Recompute the figures of one organisation: some places (old and new place of a household that moved)
    or all of them."""
    _lock(organisation_id)
    paths = sorted(set(place_paths))
    stale = HouseholdFigures.objects.filter(organisation_id=organisation_id)
    households = Household.objects.filter(organisation_id=organisation_id)
    if paths:
        stale, households = stale.filter(place_path__in=paths), households.filter(place_path__in=paths)
    stale.delete()
    HouseholdFigures.objects.bulk_create(_compute(households))


def refresh_household(household: Household, *, former_place_path: str = "") -> None:
    paths = [household.place_path] + ([former_place_path] if former_place_path else [])
    refresh(organisation_id=household.organisation_id, place_paths=paths)


def refresh_keys(keys: Iterable[tuple[int, str]]) -> None:
    """Recompute the given (organisation id, place path) keys."""
    by_organisation: dict[int, set[str]] = defaultdict(set)
    for organisation_id, path in keys:
        by_organisation[organisation_id].add(path)
    for organisation_id in sorted(by_organisation):
        refresh(organisation_id=organisation_id, place_paths=by_organisation[organisation_id])


@transaction.atomic
def rebuild_all() -> int:
    """Every key from the records (synth, repair); returns the number of keys."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {HouseholdFigures._meta.db_table} IN EXCLUSIVE MODE")
    HouseholdFigures.objects.all().delete()
    return len(HouseholdFigures.objects.bulk_create(_compute(Household.objects.all()), batch_size=1000))


def sums(figures: QuerySet) -> dict:
    """The dashboard's figures added up over a HouseholdFigures queryset (already filtered by organisation)."""
    totals = figures.aggregate(**{name: Sum(name) for name in SUMS})
    return {
        name: (value if value is not None else (Decimal(0) if name == "hectares_active" else 0))
        for name, value in totals.items()
    }


def differences() -> list[str]:
    """Keys whose stored figures differ from the records (`kinga households totals --check`)."""
    stored = {
        (f.organisation_id, f.place_path): {name: getattr(f, name) for name in SUMS}
        for f in HouseholdFigures.objects.all()
    }
    fresh = {
        (f.organisation_id, f.place_path): {name: getattr(f, name) for name in SUMS}
        for f in _compute(Household.objects.all())
    }
    return [
        f"{key}: {stored.get(key)} != {fresh.get(key)}"
        for key in sorted(set(stored) | set(fresh))
        if stored.get(key) != fresh.get(key)
    ]


def build_after_migrate(sender=None, using="default", verbosity=1, **kwargs) -> None:
    """post_migrate: a database that has households but no figures yet (the migration that added them, or a
    restore of the records alone) gets them built from the records, with today's models."""
    tables = set(connection.introspection.table_names())
    needed = {m._meta.db_table for m in (HouseholdFigures, Household, Survey, Enrolment, Deposit)}
    if not needed <= tables:
        return
    if Household.objects.exists() and not HouseholdFigures.objects.exists():
        rebuild_all()
