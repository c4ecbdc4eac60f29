"""Case management: caseload, name search, case file, a supervisor's overdue list; registration and encryption.

Targets (issue 4): caseload page and search by name p95 < 150 ms; case file page < 200 ms; the overdue-task
list of a supervisor with 20 caseworkers < 200 ms. The synthetic data gives the first NGO a supervisor
leading 20 caseworkers (kinga/cases/synth.py); the pages are timed as members of that team.
"""

from __future__ import annotations

from collections import Counter

from django.db.models import Count

from kinga.cases.models import Case, Child, FollowUp
from kinga.core import crypto
from kinga.core.models import Membership


def run(ctx) -> None:
    n_children, n_cases, n_follow_ups = Child.objects.count(), Case.objects.count(), FollowUp.objects.count()
    print(f"bench cases: {n_children} children, {n_cases} cases, {n_follow_ups} follow-ups")

    # The busiest supervisor's team (20 caseworkers in the synthetic data).
    team_sizes = Counter(
        Membership.objects.filter(role="caseworker", supervisor__isnull=False).values_list(
            "supervisor_id", flat=True
        )
    )
    supervisor_pk, team_size = team_sizes.most_common(1)[0]
    supervisor = Membership.objects.select_related("user").get(pk=supervisor_pk)
    team = Membership.objects.filter(supervisor_id=supervisor_pk, role="caseworker").select_related("user")
    busiest = (
        Case.objects.filter(caseworker_id__in=[m.user_id for m in team])
        .values("caseworker_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    worker = next(m for m in team if m.user_id == busiest["caseworker_id"])
    caseload = busiest["n"]
    team_cases = Case.objects.filter(caseworker_id__in=[m.user_id for m in team]).count()
    print(
        f"bench cases: supervisor with {team_size} caseworkers, {team_cases} cases; busiest caseload {caseload}"
    )

    worker_client, supervisor_client = ctx.client_for(worker), ctx.client_for(supervisor)
    ctx.time_requests("cases: caseload page (caseworker)", worker_client, "/cases/", n=200, rows=caseload)
    sample = Case.objects.filter(caseworker_id=worker.user_id).select_related("child").first()
    name = f"{sample.child.given_name} {sample.child.family_name}"
    ctx.time_requests(
        "cases: search by name (caseworker, 2 tokens)",
        worker_client,
        f"/cases/?q={name}",
        n=200,
        rows=caseload,
    )
    ctx.time_requests(
        "cases: search by name (supervisor, 1 token)",
        supervisor_client,
        f"/cases/?q={sample.child.family_name}",
        n=200,
        rows=team_cases,
    )
    manager = Membership.objects.filter(
        organisation_id=supervisor.organisation_id, role="org_manager"
    ).first()
    if manager:
        org_cases = Case.objects.filter(organisation_id=supervisor.organisation_id).count()
        ctx.time_requests(
            "cases: search by name (organisation manager, 2 tokens)",
            ctx.client_for(manager),
            f"/cases/?q={name}",
            n=200,
            rows=org_cases,
        )
    rich = (
        Case.objects.filter(caseworker_id=worker.user_id)
        .annotate(n=Count("follow_ups"))
        .order_by("-n")
        .first()
    )
    ctx.time_requests(
        "cases: case file page (most follow-ups)", worker_client, f"/cases/{rich.uuid}/", n=200, rows=rich.n
    )
    ctx.time_requests(
        "cases: supervisor team view and overdue list (20 caseworkers)",
        supervisor_client,
        "/cases/team/",
        n=200,
        rows=team_cases,
    )
    ctx.time_requests("cases: API list (caseworker)", worker_client, "/api/v1/cases/", n=100, rows=caseload)
    ctx.time_calls("cases: encrypt one name (Fernet)", lambda: crypto.encrypt("Tshibangu"), n=2000)
    ctx.time_calls("cases: blind-index digests of a 2-token name", lambda: crypto.name_digests(name), n=2000)
