"""Households: household page, vulnerability index for every household (set-based), programme comparison.

Targets (issue 9, national scale): household page < 150 ms p95; index for all households < 60 s;
programme comparison page < 1 s.
"""

from __future__ import annotations


def run(ctx) -> None:
    from django.db.models import Count

    from kinga.core.models import Membership
    from kinga.households import index
    from kinga.households.models import Enrolment, Household, Programme, Survey

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
    ctx.time_calls("households: index for all households", index.score_all, n=3, warmup=0, rows=n_households)
    programme = Programme.objects.annotate(n=Count("enrolments")).order_by("-n").first()
    coordinator = ctx.client_for_role("viewer")
    ctx.time_requests(
        "households: programme comparison page",
        coordinator,
        f"/households/programmes/{programme.uuid}/",
        n=20,
        rows=programme.n,
    )
    ctx.time_requests(
        "households: figures page", coordinator, "/households/tableau/", n=20, rows=n_households
    )
