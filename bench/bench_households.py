"""Households: household page, vulnerability index for every household (set-based), programme comparison.

Targets (issue 9, national scale): household page < 150 ms p95; index for all households < 60 s;
programme comparison page < 1 s. The pages are timed on the cached database of the scale asked; then, when
that database holds fewer than the national 500,000 households, the national volume of households, survey
rounds and enrolments is added with set-based SQL (PostgreSQL generate_series) inside a transaction rolled
back at the end, and the index and the comparison page are timed again on it.
"""

from __future__ import annotations

import datetime
import os

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count

from kinga.core import clock
from kinga.core.access import Actor
from kinga.core.indicators import IndicatorQuery, compute
from kinga.core.models import Membership
from kinga.households import services
from kinga.households.models import (
    Enrolment,
    FinanceGroup,
    Harvest,
    Household,
    Loan,
    MuacMeasurement,
    Programme,
    Survey,
)
from kinga.households.services import scores, totals


class _Rollback(Exception):
    pass


def run(ctx) -> None:
    n_households = Household.objects.count()
    n_surveys = Survey.objects.count()
    n_enrolments = Enrolment.objects.count()
    print(f"bench households: {n_households} households, {n_surveys} surveys, {n_enrolments} enrolments")
    caseworker = Membership.objects.filter(role="caseworker", is_active=True).first()
    client = ctx.client_for_role("caseworker")
    household = (
        Household.objects.filter(organisation_id=caseworker.organisation_id)
        .annotate(n=Count("enrolments"))
        .order_by("-n")
        .first()
    )
    ctx.time_requests(
        "households: household page", client, f"/households/{household.uuid}/", n=200, rows=n_households
    )
    ctx.time_requests("households: list (by vulnerability)", client, "/households/", n=100, rows=n_households)
    ctx.time_requests("households: name search", client, "/households/?q=Ilunga", n=100, rows=n_households)
    ctx.time_calls("households: index for all households", scores.score_all, n=3, warmup=0, rows=n_households)
    programme = Programme.objects.annotate(n=Count("enrolments")).order_by("-n").first()
    viewer = ctx.client_for_role("viewer")
    url = f"/households/programmes/{programme.uuid}/"
    ctx.time_requests("households: programme comparison page", viewer, url, n=20, rows=programme.n)
    ctx.time_requests("households: figures page", viewer, "/households/tableau/", n=20, rows=n_households)
    _time_production(ctx, client, viewer)
    _time_survey_writes(ctx, caseworker, household, n_surveys)

    target = 500_000
    if os.environ.get("BENCH_HOUSEHOLDS_NATIONAL_VOLUME", "1") == "0":
        return
    if n_households >= target or connection.vendor != "postgresql" or settings.DEBUG:
        return
    try:
        with transaction.atomic():
            _add_national_volume(target - n_households, programme, household)
            n = Household.objects.count()
            print(f"bench households: national volume added ({n} households), rolled back at the end")
            ctx.time_calls(
                "households: index for all households (national volume)",
                scores.score_all,
                n=2,
                warmup=0,
                rows=n,
            )
            ctx.time_requests(
                "households: programme comparison page (national volume)",
                viewer,
                url,
                n=10,
                rows=Enrolment.objects.filter(programme=programme).count(),
            )
            ctx.time_requests(
                "households: household page (national volume)",
                client,
                f"/households/{household.uuid}/",
                n=100,
                rows=n,
            )
            raise _Rollback
    except _Rollback:
        pass


def _time_production(ctx, caseworker, viewer) -> None:
    """Micro-finance groups (their totals and arrears computed from the loans), a group's page, the production by
    product, and the plan's production and malnutrition rates over the whole province."""
    n_loans, n_harvests = Loan.objects.count(), Harvest.objects.count()
    ctx.time_requests(
        "households: micro-finance groups (coordination)",
        viewer,
        "/households/micro-finance/",
        n=50,
        rows=n_loans,
    )
    group = FinanceGroup.objects.annotate(n=Count("loans")).order_by("-n").first()
    if group is not None:
        ctx.time_requests(
            "households: micro-finance group page",
            viewer,
            f"/households/micro-finance/{group.uuid}/",
            n=50,
            rows=group.n,
        )
    ctx.time_requests(
        "households: production by product", viewer, "/households/production/", n=50, rows=n_harvests
    )
    year = IndicatorQuery(
        clock.today() - datetime.timedelta(days=365), clock.today(), breakdowns=("territory",)
    )
    ctx.time_calls(
        "households: production rate (a year, by territory)",
        lambda: compute("HOUSEHOLDS_PRODUCTION_RATE", year),
        n=5,
        rows=n_harvests,
    )
    ctx.time_calls(
        "households: malnutrition rate (a year, by territory)",
        lambda: compute("HOUSEHOLDS_MALNUTRITION_RATE", year),
        n=5,
        rows=MuacMeasurement.objects.count(),
    )


def _time_survey_writes(ctx, caseworker, household, n_surveys: int) -> None:
    """What keeping the round totals costs a write: one survey recorded through the service (its key of the
    totals recomputed), and a rebuild of every total; rolled back."""

    actor = Actor(user=caseworker.user, membership=caseworker)
    survey = (
        Survey.objects.filter(household=household).select_related("round").order_by("-round__number").first()
    )
    answers = {
        "surveyed_on": survey.surveyed_on,
        "household_size": survey.household_size,
        "head_sex": survey.head_sex,
        "head_age": survey.head_age,
        "income_sources": {"trade": str(survey.monthly_income_usd)},
        "hunger_scale": survey.hunger_scale,
        "housing": survey.housing,
    }
    try:
        with transaction.atomic():
            ctx.time_calls(
                "households: survey recorded (service, totals kept)",
                lambda: services.record_survey(
                    actor=actor, household=household, round=survey.round, **answers
                ),
                n=50,
                rows=n_surveys,
            )
            ctx.time_calls(
                "households: round totals rebuilt", totals.rebuild_all, n=3, warmup=0, rows=n_surveys
            )
            raise _Rollback
    except _Rollback:
        pass


def _add_national_volume(extra: int, programme, household) -> None:
    """Households copied from an existing one (same organisation and place), 3 surveys each, 300,000
    enrolments in the busiest programme: set-based SQL, no Python loop."""

    with connection.cursor() as c:
        c.execute(
            """
            INSERT INTO households_household (uuid, organisation_id, survey_id, place_id, place_path, territory_id,
                head_name, contact_phone, address, size, is_priority, created_at, updated_at)
            SELECT gen_random_uuid(), h.organisation_id, 'NAT-' || g, h.place_id, h.place_path, h.territory_id,
                   '', '', '', 1 + (g %% 9), false, now(), now()
            FROM households_household h, generate_series(1, %s) g WHERE h.id = %s
            """,
            [extra, household.pk],
        )
        c.execute(
            """
            INSERT INTO households_survey (uuid, household_id, round_id, surveyed_on, household_size, head_sex, head_age,
                monthly_income_usd, has_productive_assets, assets, housing, hunger_scale, children_working,
                children_working_at_mine, school_age_out_of_school, members_disabled_or_ill, access_to_water,
                access_to_health, access_to_school, access_to_credit, business_opportunities, created_at, updated_at)
            SELECT gen_random_uuid(), h.id, r.id, r.starts_on + 10, h.size,
                   CASE WHEN h.id %% 4 = 0 THEN 'F' ELSE 'M' END, 20 + h.id %% 50,
                   (h.id * 7 + r.number * 13) %% 400, h.id %% 3 = 0, '[]', 'precarious', (h.id + r.number) %% 7,
                   LEAST(h.size, h.id %% 2), LEAST(h.size, h.id %% 2) * ((h.id / 2) %% 2), LEAST(h.size, h.id %% 3 / 2),
                   0, true, true, false, false, '', now(), now()
            FROM households_household h CROSS JOIN households_surveyround r
            WHERE h.survey_id LIKE %s AND r.number <= 3
            """,
            ["NAT-%"],
        )
        c.execute(
            """
            INSERT INTO households_enrolment (uuid, programme_id, household_id, status, enrolled_on, trade,
                previous_occupation, new_occupation, business_name, business_status, business_registration, bank,
                created_at, updated_at)
            SELECT gen_random_uuid(), %s, h.id, 'active', DATE '2019-01-01' + (h.id %% 300), '', '', '', '', '', '', '',
                   now(), now()
            FROM households_household h WHERE h.survey_id LIKE %s AND h.id %% 5 < 3
            """,
            [programme.pk, "NAT-%"],
        )
        c.execute("ANALYZE households_household; ANALYZE households_survey; ANALYZE households_enrolment")
    # Written in SQL past the services, so the round totals the comparison page reads are refreshed here.

    totals.refresh(organisation_id=household.organisation_id)
