"""Every page of every role (issue 19): each GET page without a parameter in the URL configuration, the first
object page each list links to, and every API list, opened by one member of each role (the busiest caseworker,
supervisor and organisation manager; the first member of the other roles). A page the role may not open (403,
404, a redirect) is left out of that role's rows. Per page and role: median and p95 server time through the test
client, the query count and the response size, sorted slowest first into var/bench/crawl.md (copied into
docs/benchmarks.md), so that a new page is measured without anyone adding it here.

BENCH_CRAWL_REQUESTS (default 5) requests per page after one warm-up; BENCH_CRAWL_ROLES (comma-separated role
codes) narrows the roles.
"""

from __future__ import annotations

import os
import re
import statistics
import time
from pathlib import Path

from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kinga.cases.models import Case
from kinga.core.models import Membership
from kinga.core.roles import Role
from kinga.core.testing import object_links, page_urls
from kinga.urls import router

REQUESTS = int(os.environ.get("BENCH_CRAWL_REQUESTS", "5"))
ROLES = [r for r in os.environ.get("BENCH_CRAWL_ROLES", "").split(",") if r] or list(Role.values)
OUT = Path(__file__).resolve().parent.parent / "var" / "bench" / "crawl.md"
# Who a role's pages are measured as: the member with the most work, where the role has work of its own.
BUSIEST = {
    Role.CASEWORKER: "caseworker",
    Role.SUPERVISOR: "supervisor",
}


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _member(role: str) -> Membership | None:
    members = Membership.objects.filter(role=role, is_active=True).select_related("user")
    if role in BUSIEST:
        field = BUSIEST[role]
        top = (
            Case.objects.exclude(**{f"{field}_id": None})
            .values(f"{field}_id")
            .annotate(n=Count("id"))
            .order_by("-n")
            .first()
        )
        if top is not None:
            found = members.filter(user_id=top[f"{field}_id"]).first()
            if found is not None:
                return found
    if role == Role.ORG_MANAGER:
        top = Case.objects.values("organisation_id").annotate(n=Count("id")).order_by("-n").first()
        if top is not None:
            found = members.filter(organisation_id=top["organisation_id"]).first()
            if found is not None:
                return found
    return members.order_by("pk").first()


def _api_lists() -> list[str]:
    return sorted(f"/api/v1/{prefix}/" for prefix, _viewset, _basename in router.registry)


def _measure(client: Client, url: str) -> dict | None:
    first = client.get(url)
    if first.status_code != 200:
        return None
    timings = []
    for _ in range(REQUESTS):
        t0 = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - t0) * 1000)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    timings.sort()
    return {
        "median": statistics.median(timings),
        "p95": timings[max(0, int(len(timings) * 0.95) - 1)] if len(timings) > 1 else timings[0],
        "queries": len(captured.captured_queries),
        "bytes": len(response.content),
        "page": first.content.decode(errors="replace") if "html" in first.get("Content-Type", "") else "",
    }


def run(ctx) -> None:
    rows = []
    for role in ROLES:
        membership = _member(role)
        if membership is None:
            print(f"bench crawl: no member with role {role}")
            continue
        client = ctx.client_for(membership)
        seen: set[str] = set()
        queue = [*page_urls(), *_api_lists()]
        while queue:
            url = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)
            found = _measure(client, url)
            if found is None:
                continue
            if not url.startswith("/api/") and url.count("/") <= 3:
                # One level down: the first object page a list links to (a case file, a site, a lot).
                queue.extend(link for link in object_links(found["page"], limit=1) if link not in seen)
            rows.append({"role": role, "url": url, **{k: v for k, v in found.items() if k != "page"}})
            ctx.add(f"crawl {role} {url} p95", found["p95"], "ms", found["queries"])
    rows.sort(key=lambda r: -r["p95"])
    lines = [
        f"Every page of every role, {ctx.scale} scale, {REQUESTS} requests each after a warm-up (test client, no "
        "network). Object pages: the first each list links to.",
        "",
        "| role | page | median (ms) | p95 (ms) | queries | size (KB) |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        path = _UUID.sub("<uuid>", r["url"])
        lines.append(
            f"| {r['role']} | `{path}` | {r['median']:.0f} | {r['p95']:.0f} | {r['queries']} | "
            f"{r['bytes'] / 1024:.0f} |"
        )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(lines) + "\n")
    over = sum(1 for r in rows if r["p95"] > 200)
    ctx.add("crawl: pages measured (page × role)", len(rows), "pages")
    ctx.add("crawl: pages over 200 ms p95", over, "pages")
    print(f"bench crawl: {len(rows)} pages × roles, {over} over 200 ms p95; table in {OUT}")
