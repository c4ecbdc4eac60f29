"""Mine sites: site list and map data server time, status recomputation after a rules change, IPIS import.

The issue's targets are set at national scale (10,000 sites, 200,000 inspections). When the bench database
holds fewer sites (province scale: 1,000), this bench adds the national volume of synthetic sites and
inspections inside a transaction that it rolls back at the end: the cached database is left as it was.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.db import transaction

from kinga.core.actors import system_actor
from kinga.core.synth import SCALES, SynthContext
from kinga.sites import services
from kinga.sites.models import Inspection, Site
from kinga.sites.services import import_ipis
from kinga.sites.synth import generate_sites

IPIS_FILE = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "ipis"
    / "cod_mines_curated_all_opendata_p_ipis.csv"
)


class _Rollback(Exception):
    pass


def run(ctx) -> None:
    try:
        with transaction.atomic():
            _run(ctx)
            raise _Rollback
    except _Rollback:
        pass


def _run(ctx) -> None:
    target_sites = SCALES["national"]["sites"]
    if Site.objects.count() < target_sites:
        synth = SynthContext(scale="national", seed=4242, append=True)
        t0 = time.perf_counter()
        generate_sites(synth)
        print(
            f"bench sites: national volume added in {time.perf_counter() - t0:.1f} s (rolled back at the end)"
        )
    n_sites, n_inspections = Site.objects.count(), Inspection.objects.count()
    print(f"bench sites: {n_sites} sites, {n_inspections} inspections")

    client = ctx.client_for_role("caseworker")
    ctx.time_requests("sites: list page", client, "/sites/", n=100, rows=n_sites)
    ctx.time_requests("sites: list filtered (status red)", client, "/sites/?status=red", n=100, rows=n_sites)
    ctx.time_requests("sites: map data (all sites)", client, "/sites/carte/donnees.json", n=100, rows=n_sites)
    ctx.time_requests(
        "sites: map data (children seen)", client, "/sites/carte/donnees.json?children=1", n=100, rows=n_sites
    )
    ctx.time_requests("sites: API map", client, "/api/v1/sites/map/", n=50, rows=n_sites)
    site = Site.objects.order_by("id").first()
    ctx.time_requests(
        "sites: site page with timeline", client, f"/sites/{site.uuid}/", n=100, rows=n_inspections
    )

    admin = system_actor()
    timings = []
    for outcome in ("red", "yellow", "red", "yellow", "red"):
        t0 = time.perf_counter()
        changed = services.update_rules(actor=admin, outcomes={"pregnant_women": outcome})
        timings.append(time.perf_counter() - t0)
        print(f"bench sites: rules change → {changed} sites changed status in {timings[-1]:.2f} s")
    timings.sort()
    ctx.add(
        "sites: recompute every status after a rules change median", timings[len(timings) // 2], "s", n_sites
    )
    ctx.add("sites: recompute every status after a rules change max", timings[-1], "s", n_sites)

    if IPIS_FILE.exists():
        runs = []
        for _ in range(3):
            sid = transaction.savepoint()
            t0 = time.perf_counter()
            import_ipis(IPIS_FILE, actor=admin)
            runs.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            again = import_ipis(IPIS_FILE, actor=admin)
            second = time.perf_counter() - t0
            assert not again.changed
            transaction.savepoint_rollback(sid)
        runs.sort()
        ctx.add("sites: IPIS import (6,955 visits, fresh) median", runs[1], "s", 6955)
        ctx.add("sites: IPIS import second run (no change)", second, "s", 6955)
    else:
        print(f"bench sites: {IPIS_FILE} not found, IPIS import not measured")
