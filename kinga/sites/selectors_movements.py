"""Reads of the movements of people around sites: the records an actor may see, and their counts by territory,
by month and by site for a year.

Several organisations may count the same site in the same month (an inspection team and a community network see the
same families arrive): for each site and month the figure kept is the highest count given, never their sum. The
figures of a territory or a month add those per site.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Max, QuerySet, Sum

from kinga.core import access
from kinga.core.access import Actor
from kinga.core.models import Place
from kinga.sites.models import MovementObservation, Relocation, Site
from kinga.sites.models_movements import COUNTS

TOP_SITES = 20


def observations(actor: Actor) -> QuerySet[MovementObservation]:
    return access.scoped(actor, MovementObservation, perm="sites.view_movements")


def relocations(actor: Actor) -> QuerySet[Relocation]:
    return access.scoped(actor, Relocation, perm="sites.view_movements")


@dataclass
class Figures:
    families_arrived: int = 0
    families_departed: int = 0
    children_arrived: int = 0
    children_departed: int = 0
    households_relocated: int = 0
    people_relocated: int = 0
    children_relocated: int = 0

    def add(self, values: dict) -> None:
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + (values.get(name) or 0))

    @property
    def empty(self) -> bool:
        return not any(getattr(self, name) for name in (*COUNTS, "households_relocated"))

    @property
    def families_net(self) -> int:
        return self.families_arrived - self.families_departed

    @property
    def children_net(self) -> int:
        return self.children_arrived - self.children_departed


@dataclass
class Row:
    key: object  # a territory, a month (date) or a site
    label: str
    figures: Figures = field(default_factory=Figures)


@dataclass
class Summary:
    year: int
    territory: Place | None
    total: Figures
    territories: list[Row]
    months: list[Row]
    sites: list[Row]
    sites_observed: int


def _year(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 1)


def _as_date(value) -> datetime.date:
    # SQLite gives a month read through raw SQL back as text.
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value)[:10])


def _grouped(per_site_month) -> list[tuple]:
    """The highest counts per site and month (`per_site_month`), added up in the database in one query: per
    territory and month ("tm" rows), and for the TOP_SITES sites with the most children arriving ("site" rows,
    each with the number of sites observed). A national year is tens of thousands of site-months: summed in
    Python they cost more than the query."""
    inner, params = per_site_month.query.sql_with_params()
    sums = ", ".join(f"SUM({name})" for name in COUNTS)
    # The model's own query and column names in the text; the values are parameters.
    sql = f"""
        WITH psm AS ({inner})
        SELECT 'tm', territory_id, month, CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), {sums} FROM psm GROUP BY territory_id, month
        UNION ALL
        SELECT * FROM (
            SELECT 'site', CAST(NULL AS BIGINT), CAST(NULL AS DATE), site_id, COUNT(*) OVER (), {sums} FROM psm GROUP BY site_id
            ORDER BY SUM(children_arrived) DESC, SUM(families_arrived) DESC, site_id LIMIT {TOP_SITES}
        ) AS top_sites
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def summary(actor: Actor, *, year: int, territory: Place | None = None) -> Summary:
    """The year's counts the actor may see: by territory, by month and for the sites with the most children
    arriving. Two grouped queries (observations per site and month added up per territory and month and for the
    top sites; relocations per territory and month)."""
    start, end = _year(year)
    obs = observations(actor).filter(month__gte=start, month__lte=end)
    moves = relocations(actor).filter(month__gte=start, month__lte=end)
    if territory is not None:
        obs, moves = obs.filter(territory=territory), moves.filter(territory=territory)
    per_site_month = (
        obs.order_by()
        .values("territory_id", "site_id", "month")
        .annotate(**{name: Max(name) for name in COUNTS})
    )
    total = Figures()
    by_territory: dict[int | None, Figures] = {}
    by_month = {datetime.date(year, m, 1): Figures() for m in range(1, 13)}
    top_sites, sites_observed = [], 0
    for kind, territory_id, month, site_id, observed, *values in _grouped(per_site_month):
        figures = {name: value or 0 for name, value in zip(COUNTS, values, strict=True)}
        if kind == "tm":  # one territory's month: the territory's and the month's figures, and the total
            total.add(figures)
            by_territory.setdefault(territory_id, Figures()).add(figures)
            by_month[_as_date(month)].add(figures)
        else:  # one of the sites with the most children arriving
            top_sites.append((site_id, Figures(**figures)))
            sites_observed = observed
    relocated = (
        moves.order_by()
        .values("territory_id", "month")
        .annotate(h=Sum("households"), p=Sum("people"), c=Sum("children"))
    )
    for row in relocated:
        for figures in (
            total,
            by_territory.setdefault(row["territory_id"], Figures()),
            by_month[row["month"]],
        ):
            figures.households_relocated += row["h"] or 0
            figures.people_relocated += row["p"] or 0
            figures.children_relocated += row["c"] or 0
    names = dict(Place.objects.filter(pk__in=[k for k in by_territory if k]).values_list("pk", "name"))
    territories = sorted(
        (Row(key=pk, label=names.get(pk, "—"), figures=f) for pk, f in by_territory.items()),
        key=lambda r: r.label,
    )
    top = top_sites
    site_names = {
        s["id"]: s
        for s in Site.objects.filter(pk__in=[pk for pk, _f in top]).values("id", "uuid", "name", "code")
    }
    sites = [
        Row(
            key=site_names[pk]["uuid"],
            label=f"{site_names[pk]['name']} ({site_names[pk]['code']})",
            figures=f,
        )
        for pk, f in top
    ]
    months = [Row(key=month, label=month.strftime("%m/%Y"), figures=f) for month, f in by_month.items()]
    return Summary(
        year=year,
        territory=territory,
        total=total,
        territories=territories,
        months=months,
        sites=sites,
        sites_observed=sites_observed,
    )


def site_months(actor: Actor, site: Site, *, months: int = 12) -> list[dict]:
    """A site's counts for its latest observed months (highest count per month, as in the summary)."""
    if not actor.has("sites.view_movements"):
        return []
    return list(
        observations(actor)
        .filter(site=site)
        .order_by()
        .values("month")
        .annotate(**{name: Max(name) for name in COUNTS})
        .order_by("-month")[:months]
    )


def years(actor: Actor, today: datetime.date) -> list[int]:
    first = observations(actor).order_by("month").values_list("month", flat=True).first()
    start = first.year if first else today.year
    return list(range(today.year, min(start, today.year) - 1, -1))


def sites_by_uuid() -> QuerySet[Site]:
    """What a count sent to the API names by UUID, before the serializer narrows it to the sender's sites (the
    schema is generated without a sender)."""
    return Site.objects.all()
