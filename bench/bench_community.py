"""Community: triage queue and network page server time, 4W export of 100,000 rows with flat memory.

The issue's targets are set at national scale (2,000 networks, 50,000 alerts, 20,000 sessions, 100,000 4W
rows). When the bench database holds less (province scale), this bench adds the national volume of synthetic
community records inside a transaction that it rolls back at the end: the cached database is left as it was.

Memory: the export is consumed chunk by chunk while the process's resident memory (VmRSS) is sampled; the bench
records the growth over the baseline for 10,000 and for 100,000 rows. Flat memory means both are about equal.
"""

from __future__ import annotations

import gc
import tempfile
import time
import tracemalloc

from django.db import transaction
from django.db.models import Count

from bench.measure import rss_mb
from kinga.community import fourw_io, selectors
from kinga.community.models import Alert, AwarenessSession, FourW, Network
from kinga.community.synth import generate_community
from kinga.core.actors import system_actor
from kinga.core.models import Membership
from kinga.core.synth import SCALES, SynthContext
from kinga.core.testing import client_for


class _Rollback(Exception):
    pass


def run(ctx) -> None:
    try:
        with transaction.atomic():
            _run(ctx)
            raise _Rollback
    except _Rollback:
        pass


def _export_memory(ctx, actor, qs, rows: int, fmt: str) -> None:
    last_pk = qs.order_by("pk").values_list("pk", flat=True)[rows - 1]
    part = qs.filter(pk__lte=last_pk)
    gc.collect()
    baseline = rss_mb()
    peak = baseline
    tracemalloc.start()
    t0 = time.perf_counter()
    if fmt == "csv":
        size = 0
        for i, piece in enumerate(fourw_io.csv_chunks(part)):
            size += len(piece)
            if i % 2000 == 0:
                peak = max(peak, rss_mb())
    else:
        with tempfile.TemporaryFile() as handle:
            fourw_io.write_xlsx(part, handle)
            size = handle.tell()
        peak = max(peak, rss_mb())
    elapsed = time.perf_counter() - t0
    _current, py_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    ctx.add(f"community: 4W {fmt} export {rows} rows, time", elapsed * 1000, "ms", rows)
    ctx.add(f"community: 4W {fmt} export {rows} rows, RSS growth", peak - baseline, "MB", rows)
    ctx.add(f"community: 4W {fmt} export {rows} rows, Python heap peak", py_peak / 1e6, "MB", rows)
    print(
        f"bench community: 4W {fmt} {rows} rows in {elapsed:.1f} s, {size / 1e6:.1f} MB written, "
        f"RSS {baseline:.0f} → {peak:.0f} MB, Python heap peak {py_peak / 1e6:.1f} MB"
    )


def _run(ctx) -> None:
    target = SCALES["national"]
    if FourW.objects.count() < target["fourw"] or Alert.objects.count() < target["alerts"]:
        synth = SynthContext(scale="national", seed=4343, append=True)
        t0 = time.perf_counter()
        generate_community(synth)
        print(
            f"bench community: national volume added in {time.perf_counter() - t0:.1f} s (rolled back at the end)"
        )
    counts = {
        "networks": Network.objects.count(),
        "alerts": Alert.objects.count(),
        "sessions": AwarenessSession.objects.count(),
        "fourw": FourW.objects.count(),
    }
    print(f"bench community: {counts}")

    # The caseworker of the organisation with the most alerts: the heaviest triage queue.
    busiest = (
        Alert.objects.exclude(organisation=None)
        .values("organisation")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    caseworker = Membership.objects.filter(organisation_id=busiest["organisation"], role="caseworker").first()
    if caseworker is None:
        raise RuntimeError("no caseworker in the busiest organisation")

    client = client_for(caseworker)
    ctx.time_requests(
        "community: triage queue (open)", client, "/community/alertes/", n=200, rows=counts["alerts"]
    )
    ctx.time_requests(
        "community: triage queue (overdue)",
        client,
        "/community/alertes/?overdue=1",
        n=100,
        rows=counts["alerts"],
    )
    network = (
        Network.objects.filter(organisation_id=busiest["organisation"])
        .annotate(n=Count("alerts"))
        .order_by("-n")
        .first()
    )
    ctx.time_requests(
        "community: network page", client, f"/community/reseaux/{network.uuid}/", n=200, rows=counts["alerts"]
    )
    ctx.time_requests(
        "community: 4W list (first page)", client, "/community/4w/", n=100, rows=counts["fourw"]
    )

    actor = system_actor()
    qs = selectors.fourw(actor)
    _export_memory(ctx, actor, qs, 10_000, "csv")
    _export_memory(ctx, actor, qs, counts["fourw"], "csv")
    _export_memory(ctx, actor, qs, counts["fourw"], "xlsx")
