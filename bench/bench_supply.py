"""Supply chain: evacuation decision (< 20 ms p95) and a buyer's yearly due-diligence report (< 2 s)."""

import datetime

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from kinga.core.access import actor_for
from kinga.core.models import Membership
from kinga.supply import decision, services
from kinga.supply.models import Lot
from kinga.supply.report import due_diligence


def run(ctx) -> None:
    today = timezone.localdate()
    lots_total = Lot.objects.count()
    sample = list(Lot.objects.select_related("site", "cooperative").order_by("?")[:200])
    if not sample:
        raise RuntimeError("No lot in the bench database: run kinga synth first")
    it = iter(sample * 3)
    ctx.time_calls(
        "evacuation decision rules (site status + documents)",
        lambda: decision.evaluate(next(it), today),
        rows=lots_total,
    )

    inspector = (
        Membership.objects.filter(role="site_inspector", is_active=True).select_related("user").first()
    )
    actor = actor_for(inspector.user, inspector.pk)
    refused = list(Lot.objects.filter(status="refused").select_related("site", "cooperative")[:200])

    def decide_and_roll_back():
        with transaction.atomic():
            services.decide_evacuation(actor=actor, lot=next(rit))
            transaction.set_rollback(True)

    rit = iter(refused * 3)
    if refused:
        ctx.time_calls(
            "evacuation decision service (written, rolled back)", decide_and_roll_back, rows=lots_total
        )

    # The buyer with the most lots over the last year.
    start = today - datetime.timedelta(days=365)
    top = (
        Lot.objects.filter(date__gte=start).values("buyer_id").annotate(n=Count("id")).order_by("-n").first()
    )
    officer = (
        Membership.objects.filter(organisation_id=top["buyer_id"], role="company_officer", is_active=True)
        .select_related("user")
        .first()
    )
    officer_actor = actor_for(officer.user, officer.pk)
    buyer = officer.organisation
    ctx.time_calls(
        f"due-diligence report, 1 year ({top['n']} lots of the buyer)",
        lambda: due_diligence(officer_actor, buyer=buyer, start=start, end=today),
        n=20,
        rows=top["n"],
    )
    client = ctx.client_for(officer)
    url = f"/supply/diligence/?start={start.isoformat()}&end={today.isoformat()}"
    ctx.time_requests("due-diligence report page, 1 year", client, url, n=20, rows=top["n"])
    ctx.time_requests("due-diligence report XLSX, 1 year", client, url + "&format=xlsx", n=10, rows=top["n"])
    coordinator = Membership.objects.filter(role="coordinator", is_active=True).select_related("user").first()
    ctx.time_requests(
        "lot list (coordinator)", ctx.client_for(coordinator), "/supply/lots/", n=50, rows=lots_total
    )
