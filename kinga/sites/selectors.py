"""Reads of the mine-sites app, scoped through kinga.core.access.

`child_labour_status(site, at=date)` is the entry point other apps use (the supply chain asks it whether a
lot's site could be evacuated from on the lot's date).
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    FloatField,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Lead
from django.http import Http404
from django.utils.translation import gettext as _

from kinga.core import access, clock, memo
from kinga.core.access import Actor
from kinga.core.models import Place, PlaceLevel
from kinga.sites import status as engine
from kinga.sites.models import (
    Inspection,
    Site,
    SiteEvidence,
    Status,
    StatusChange,
    StatusPolicy,
    StatusRule,
    Zone,
    ZoneStudy,
)

# The plan's ZEA targets (Lualaba plan 2017, axis 3).
# Memoised between two writes of its records (kinga.core.memo; declared in wiring.wire()).
SITE_STATUSES_AT = "site_statuses_at"
ZEA_TARGETS = {"located": 60, "viable": 25, "equipped": 60}


def child_labour_status(site: Site | int, at: datetime.date | None = None) -> engine.StatusAt:
    """The site's child-labour status on `at` (default today), with its reason, replayed from the evidence
    known now under the current rules. `.status` is one of blue/green/yellow/red/expired; `.reason`;
    `.since` the date of the evidence it rests on; `.authorisations_suspended`; `.overdue` (yellow past its
    deadline)."""
    if not isinstance(site, Site):
        site = Site.objects.get(pk=site)
    return engine.status_at(site, at)


def expiry_cutoff(today: datetime.date | None = None) -> datetime.date:
    months = StatusPolicy.objects.values_list("expiry_months", flat=True).first() or 12
    return engine.add_months(today or clock.today(), -months)


def with_current_status(qs: QuerySet[Site], today: datetime.date | None = None) -> QuerySet[Site]:
    """Annotate `current_status`: the stored status, expired when its evidence is older than the policy allows
    (so lists and the map are right even between two recomputations)."""
    today = today or clock.today()
    cutoff = expiry_cutoff(today)
    return qs.annotate(
        current_status=Case(
            When(
                Q(status__in=["green", "yellow", "red"]) & Q(status_date__lte=cutoff), then=Value("expired")
            ),
            default=F("status"),
            output_field=CharField(),
        )
    )


def filter_sites(
    qs: QuerySet[Site],
    *,
    q: str = "",
    territory: Place | None = None,
    mineral: str = "",
    status: str = "",
    children_seen: bool | None = None,
    qualification: str | None = None,
    site_type: str = "",
    inspection_due: bool = False,
) -> QuerySet[Site]:
    if inspection_due:
        qs = qs.filter(inspection_due_q(clock.today())[1])
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__iexact=q))
    if territory is not None:
        if territory.level <= PlaceLevel.PROVINCE:
            qs = qs.filter(place__path__startswith=territory.path)
        else:
            qs = qs.filter(territory=territory)
    if mineral:
        qs = qs.filter(minerals__icontains=mineral)
    if status:
        qs = qs.filter(current_status=status)
    if children_seen is not None:
        qs = qs.filter(children_seen=children_seen)
    if qualification is not None:
        qs = qs.filter(qualification=qualification)
    if site_type:
        qs = qs.filter(site_type=site_type)
    return qs


INSPECTION_SOON_DAYS = 30
_ASSESSED = ["green", "yellow", "red"]


def inspection_due_q(today: datetime.date) -> tuple[Q, Q]:
    """(late, due): sites whose status has expired or whose yellow correction deadline has passed; and those,
    with the ones that reach either within INSPECTION_SOON_DAYS (an inspection then keeps the status current)."""
    soon = today + datetime.timedelta(days=INSPECTION_SOON_DAYS)
    late = (
        Q(status=Status.EXPIRED)
        | Q(status__in=_ASSESSED, status_date__lte=expiry_cutoff(today))
        | Q(status=Status.YELLOW, correction_deadline__lt=today)
    )
    due = (
        late
        | Q(status__in=_ASSESSED, status_date__lte=expiry_cutoff(soon))
        | Q(status=Status.YELLOW, correction_deadline__lte=soon)
    )
    return late, due


def inspections_due(actor: Actor, *, today: datetime.date | None = None, limit: int = 10) -> dict:
    """Sites due an inspection (home page): counts of the late ones and of those due soon (not late yet) in the
    database; the late ones first then the oldest status, each with the date it falls due."""
    today = today or clock.today()
    late, due = inspection_due_q(today)
    qs = access.scoped(actor, Site)
    figures = qs.aggregate(late=Count("id", filter=late), due=Count("id", filter=due & ~late))
    months = StatusPolicy.objects.values_list("expiry_months", flat=True).first() or 12
    rows = list(
        with_current_status(qs.filter(due), today)
        .annotate(is_late=Case(When(late, then=Value(1)), default=Value(0)))
        .select_related("territory")
        .order_by("-is_late", F("status_date").asc(nulls_first=True), "name")[:limit]
    )
    for site in rows:
        dates = [engine.add_months(site.status_date, months)] if site.status_date else []
        if site.status == Status.YELLOW and site.correction_deadline:
            dates.append(site.correction_deadline)
        site.due_on = min(dates) if dates else None
    return {**figures, "rows": rows}


def recent_status_changes(
    actor: Actor, *, today: datetime.date | None = None, days: int = 30, limit: int = 10
) -> dict:
    """Sites whose child-labour status changed in the last `days` days, the newest first (home page)."""
    today = today or clock.today()
    qs = access.scoped(actor, StatusChange).filter(effective_on__gte=today - datetime.timedelta(days=days))
    figures = qs.aggregate(count=Count("id"), to_red=Count("id", filter=Q(new_status=Status.RED)))
    return {**figures, "rows": list(qs.select_related("site").order_by("-effective_on", "-id")[:limit])}


def sites(actor: Actor, **filters) -> QuerySet[Site]:
    qs = with_current_status(access.scoped(actor, Site))
    # prefetch, not a join: the first 50 by name then come straight from the (name, id) index
    return filter_sites(qs, **filters).prefetch_related("territory", "place", "zone").order_by("name", "id")


def site(actor: Actor, uuid) -> Site:
    return access.get_object_or_404(actor, Site, queryset=with_current_status(Site.objects.all()), uuid=uuid)


def map_features(actor: Actor, **filters) -> list[list]:
    """Compact rows for the map: [uuid, lat, lon, status, children_seen(0/1), name, code]."""
    qs = with_current_status(access.scoped(actor, Site)).filter(latitude__isnull=False)
    qs = filter_sites(qs, **filters).annotate(
        f_lat=Cast("latitude", FloatField()), f_lon=Cast("longitude", FloatField())
    )
    return [
        [str(u), lat, lon, st, 1 if ch else 0, name, code]
        for u, lat, lon, st, ch, name, code in qs.order_by().values_list(
            "uuid", "f_lat", "f_lon", "current_status", "children_seen", "name", "code"
        )
    ]


MAP_FIELDS = ["uuid", "lat", "lon", "status", "children_seen", "name", "code"]


def map_json(actor: Actor, **filters) -> str:
    """The map data as compact JSON. On PostgreSQL the database builds the JSON itself (10,000 sites in one
    string, no Python row per site); elsewhere the rows go through Python."""

    head = json.dumps({"fields": MAP_FIELDS, "source": "Source : IPIS open data (ipisresearch.be)"})[:-1]
    if connection.vendor != "postgresql":
        body = json.dumps(map_features(actor, **filters), separators=(",", ":"), ensure_ascii=False)
        return f'{head},"sites":{body}}}'
    qs = with_current_status(access.scoped(actor, Site)).filter(latitude__isnull=False)
    qs = (
        filter_sites(qs, **filters)
        .order_by()
        .values_list("uuid", "latitude", "longitude", "current_status", "children_seen", "name", "code")
    )
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(json_agg(json_build_array(s.uuid, round(s.latitude, 5)::float, "  # noqa: S608
            "round(s.longitude, 5)::float, s.current_status, CASE WHEN s.children_seen THEN 1 ELSE 0 END, "
            f"s.name, s.code))::text, '[]') FROM ({sql}) AS s",
            params,
        )
        body = cursor.fetchone()[0]
    return f'{head},"sites":{body}}}'


def status_counts(actor: Actor, **filters) -> dict[str, int]:
    qs = filter_sites(with_current_status(access.scoped(actor, Site)), **filters)
    counts = dict(qs.order_by().values_list("current_status").annotate(n=Count("id")))
    return {s: counts.get(s, 0) for s in Status.values}


def status_counts_at(
    actor: Actor, days: list[datetime.date], *, area: Place | None = None
) -> list[dict[str, int]]:
    """Sites by child-labour status on each of `days` (oldest first), as their timelines (StatusChange) recorded
    it: the latest change effective on or before the day; a site without one is "not inspected" (blue).

    One pass over the status changes whatever the number of days: each change is in force from its date until the
    site's next change (a window function), and a day counts the changes in force on it. (The first version looked
    up each site's latest change for each day: 80,000 index lookups for 10,000 sites over 8 quarters, a second at
    national scale.)"""
    if not days:
        return []
    sites = access.scoped(actor, Site)
    if area is not None:
        sites = sites.filter(place__path__startswith=area.path)
    in_force = StatusChange.objects.filter(site__in=sites.values("pk")).annotate(
        until=Window(Lead("effective_on"), partition_by=[F("site_id")], order_by=[F("effective_on"), F("id")])
    )
    # Aggregating over a window needs the window computed first: the changes become a derived table, which the
    # ORM does not aggregate over; its SQL is the ORM's own (scoping and area included), with its parameters.
    sql, params = in_force.values("effective_on", "until", "new_status").query.sql_with_params()
    shown = [status for status in Status.values if status != Status.BLUE]
    column = (
        "COUNT(*) FILTER (WHERE effective_on <= %s AND (until IS NULL OR until > %s) AND new_status = %s)"
    )
    columns, values = [], []
    for day in days:
        for status in shown:
            columns.append(column)
            values += [day, day, status]
    sites_sql, sites_params = sites.values("pk").query.sql_with_params()
    # The sites never inspected are the rest of the sites (the ORM's SQL again, its values as parameters).
    columns.append(f"(SELECT COUNT(*) FROM ({sites_sql}) AS sites)")  # noqa: S608
    # Constant columns around the ORM's own SQL; every value is a parameter.
    statement = f"SELECT {', '.join(columns)} FROM ({sql}) AS in_force"  # noqa: S608
    arguments = [*values, *sites_params, *params]

    def count() -> tuple:
        with connection.cursor() as cursor:
            cursor.execute(statement, arguments)
            return cursor.fetchone()

    # Every dashboard asks it (a pass over the country's status changes): memoised between two writes of a site or
    # of its timeline, keyed by the statement and its values (the actor's scope, the area and the days among them).
    found = memo.remember(SITE_STATUSES_AT, (statement, tuple(str(a) for a in arguments)), count)
    total = found[-1]
    result = []
    for i in range(len(days)):
        row = {status: found[i * len(shown) + j] or 0 for j, status in enumerate(shown)}
        row[Status.BLUE] = total - sum(row.values())
        result.append({status: row[status] for status in Status.values})
    return result


LIST_CACHE_SECONDS = 300


def territories_with_sites(actor: Actor) -> QuerySet[Place]:
    ids = cache.get("sites:territory_ids")
    if ids is None:
        ids = list(access.scoped(actor, Site).order_by().values_list("territory_id", flat=True).distinct())
        cache.set("sites:territory_ids", ids, LIST_CACHE_SECONDS)
    return access.scoped(actor, Place).filter(id__in=[i for i in ids if i]).order_by("name")


def minerals() -> list[str]:
    """The minerals named on sites (a few dozen distinct values; cached a few minutes for the filters)."""
    found = cache.get("sites:minerals")
    if found is None:
        seen: set[str] = set()
        for values in Site.objects.order_by().values_list("minerals", flat=True).distinct():
            seen.update(values or [])
        found = sorted(seen, key=str.casefold)
        cache.set("sites:minerals", found, LIST_CACHE_SECONDS)
    return found


@dataclass
class TimelineEntry:
    date: datetime.date
    kind: str  # "status", "inspection", "visit", "child_case", "alert"
    title: str
    detail: str = ""
    status: str = ""
    old_status: str = ""
    inspection: Inspection | None = None
    children: int | None = None


def timeline(actor: Actor, site: Site, *, limit: int = 200) -> list[TimelineEntry]:
    """The site's history, newest first: status changes with their reasons, inspections and visits, children
    identified at the site and verified alerts (as counts: identities stay in the cases)."""
    entries: list[TimelineEntry] = []
    for change in (
        access.scoped(actor, StatusChange).filter(site=site).order_by("-effective_on", "-id")[:limit]
    ):
        entries.append(
            TimelineEntry(
                date=change.effective_on,
                kind="status",
                title=change.get_evidence_display(),
                detail=change.reason,
                status=change.new_status,
                old_status=change.old_status,
            )
        )
    for inspection in (
        access.scoped(actor, Inspection)
        .filter(site=site)
        .prefetch_related("organisations")
        .order_by("-date")[:limit]
    ):
        entries.append(
            TimelineEntry(
                date=inspection.date,
                kind="inspection" if inspection.source == Inspection.Source.KINGA else "visit",
                title=inspection.get_source_display(),
                detail=inspection.findings,
                inspection=inspection,
                children=inspection.children_count,
            )
        )
    for ev in access.scoped(actor, SiteEvidence).filter(site=site).order_by("-date")[:limit]:
        entries.append(
            TimelineEntry(date=ev.date, kind=ev.kind, title=ev.get_kind_display(), children=ev.children)
        )
    order = {"status": 0, "child_case": 1, "alert": 1, "inspection": 2, "visit": 2}
    entries.sort(key=lambda e: (e.date, -order[e.kind]), reverse=True)
    return entries


def inspections(actor: Actor, site: Site | None = None) -> QuerySet[Inspection]:
    qs = access.scoped(actor, Inspection).select_related("site")
    if site is not None:
        qs = qs.filter(site=site)
    return qs.order_by("-date", "-id")


def inspection(actor: Actor, uuid) -> Inspection:
    return access.get_object_or_404(actor, Inspection, uuid=uuid)


def rules_table(actor: Actor) -> tuple[list[dict], StatusPolicy]:
    access.require(actor, "sites.view")
    stored = dict(access.scoped(actor, StatusRule).values_list("condition", "outcome"))
    rows = [
        {"condition": code, "label": label, "default": default, "outcome": stored.get(code, default)}
        for code, (default, label) in engine.CONDITIONS.items()
    ]
    return rows, StatusPolicy.objects.first() or StatusPolicy()


def zones(actor: Actor, *, stage: str = "", q: str = "") -> QuerySet[Zone]:
    qs = access.scoped(actor, Zone).select_related("place").annotate(n_studies=Count("studies"))
    if stage:
        qs = qs.filter(stage=stage)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__iexact=q))
    return qs.order_by("name")


def zone(actor: Actor, uuid) -> Zone:
    return access.get_object_or_404(actor, Zone, uuid=uuid)


def zone_progress(actor: Actor) -> list[dict]:
    """The plan's ZEA targets against what is recorded: located (60), viable (25), equipped (60)."""
    qs = access.scoped(actor, Zone)
    located_stages = ["located", "study", "viable", "not_viable", "equipped"]
    counts = qs.aggregate(
        located=Count("id", filter=Q(stage__in=located_stages)),
        viable=Count("id", filter=Q(stage__in=["viable", "equipped"])),
        equipped=Count("id", filter=Q(stage="equipped")),
    )
    rows = []
    for key, target in ZEA_TARGETS.items():
        value = counts[key]
        rows.append(
            {"key": key, "value": value, "target": target, "percent": min(100, round(100 * value / target))}
        )
    return rows


def studies(actor: Actor, zone: Zone) -> QuerySet[ZoneStudy]:
    return access.scoped(actor, ZoneStudy).filter(zone=zone)


def study_with_document(actor: Actor, uuid) -> ZoneStudy:
    """A study whose document the actor may download: the rules of reading the study; 404 without a file."""
    study = access.get_object_or_404(actor, ZoneStudy, uuid=uuid)
    if not study.document:
        raise Http404(_("Not found."))
    return study
