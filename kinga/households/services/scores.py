"""The stored vulnerability scores (HouseholdScore): every household at once, or one after its survey changed.

The definition, the items and the SQL are kinga.households.index; these functions store what it computes.
"""

from __future__ import annotations

import time

from django.db import connection, transaction

from kinga.core import clock
from kinga.households import index
from kinga.households.models import Household, HouseholdScore, VulnerabilityIndexVersion

from .households import refresh_priority


def score_all(version: VulnerabilityIndexVersion | None = None) -> tuple[int, int, float]:
    """Recompute every household's score in `version` (default current); returns (scored, not scored, s)."""
    version = version or index.current_version()
    started = time.monotonic()
    select, params = index.score_sql(version)
    params["now"] = clock.now()
    table = HouseholdScore._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE version_id = %(version_id)s", params)  # noqa: S608
        cursor.execute(
            f"INSERT INTO {table} (household_id, version_id, survey_id, score, computed_at) {select}",
            params,
        )
        scored = cursor.rowcount
    refresh_priority()
    total = Household.objects.count()
    return scored, total - scored, time.monotonic() - started


def score_household(
    household: Household, version: VulnerabilityIndexVersion | None = None
) -> HouseholdScore | None:
    """Refresh one household's stored score after its survey changed (the same definition as score_all)."""
    version = version or index.current_version()
    survey = household.surveys.select_related("round").order_by("-round__number").first()
    HouseholdScore.objects.filter(household=household, version=version).delete()
    if survey is None:
        return None
    return HouseholdScore.objects.create(
        household=household,
        version=version,
        survey=survey,
        score=index.explain(survey, version).score,
        computed_at=clock.now(),
    )
