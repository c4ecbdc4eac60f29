"""The mine-sites app's indicators for the plan (codes in docs/indicators.md, section "Sites")."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q

from kinga.core import memo
from kinga.core.indicators import IndicatorQuery, IndicatorValue, indicator_source
from kinga.sites.models import Inspection, Site, SiteEvidence, Zone, ZoneStudy
from kinga.sites.selectors import with_current_status

LOCATED_STAGES = ["located", "study", "viable", "not_viable", "equipped"]


def _grouped(
    qs, query: IndicatorQuery, territory_field: str, count_field: str = "id"
) -> list[IndicatorValue]:
    prefix = query.area_path_prefix()
    if prefix:
        place_field = territory_field.rsplit("__", 1)[0].replace("territory", "place")
        qs = qs.filter(**{f"{place_field}__path__startswith": prefix})
    if "territory" in query.breakdowns:
        rows = qs.order_by().values(territory_field).annotate(n=Count(count_field, distinct=True))
        return [IndicatorValue(value=r["n"], breakdown={"territory": r[territory_field] or ""}) for r in rows]
    return [IndicatorValue(value=qs.aggregate(n=Count(count_field, distinct=True))["n"])]


@indicator_source("SITES_ZEA_LOCATED", breakdowns=("territory",))
def zea_located(query: IndicatorQuery) -> list[IndicatorValue]:
    """ZEA located by the end of the period (cumulative; target 60)."""
    qs = Zone.objects.filter(stage__in=LOCATED_STAGES, located_on__lte=query.end)
    return _grouped(qs, query, "territory__pcode")


@indicator_source("SITES_ZEA_VIABLE", breakdowns=("territory",))
def zea_viable(query: IndicatorQuery) -> list[IndicatorValue]:
    """ZEA declared viable by the end of the period (cumulative; target 25)."""
    qs = Zone.objects.filter(stage__in=["viable", "equipped"], viability_decided_on__lte=query.end)
    return _grouped(qs, query, "territory__pcode")


@indicator_source("SITES_EQUIPPED", breakdowns=("territory",))
def sites_equipped(query: IndicatorQuery) -> list[IndicatorValue]:
    """ZEA equipped with processing units by the end of the period (cumulative; target 60)."""
    qs = Zone.objects.filter(stage="equipped", equipped_on__lte=query.end)
    return _grouped(qs, query, "territory__pcode")


@indicator_source("SITES_STUDIES_PUBLISHED", breakdowns=("territory",))
def studies_published(query: IndicatorQuery) -> list[IndicatorValue]:
    """Studies of ZEA published during the period."""
    qs = ZoneStudy.objects.filter(published_on__gte=query.start, published_on__lte=query.end)
    return _grouped(qs, query, "zone__territory__pcode")


@indicator_source("SITES_BY_STATUS", breakdowns=("status", "territory"))
def sites_by_status(query: IndicatorQuery) -> list[IndicatorValue]:
    """Sites by child-labour status as last computed (expired when the evidence is too old at the period's end)."""

    qs = with_current_status(Site.objects.all(), today=query.end)
    prefix = query.area_path_prefix()
    if prefix:
        qs = qs.filter(place__path__startswith=prefix)
    keys = ["current_status"] + (["territory__pcode"] if "territory" in query.breakdowns else [])
    rows = qs.order_by().values(*keys).annotate(n=Count("id"))
    values = []
    for r in rows:
        breakdown = {}
        if "status" in query.breakdowns:
            breakdown["status"] = r["current_status"]
        if "territory" in query.breakdowns:
            breakdown["territory"] = r["territory__pcode"] or ""
        values.append(IndicatorValue(value=r["n"], breakdown=breakdown))
    if "status" not in query.breakdowns:
        merged: dict[tuple, int] = {}
        for v in values:
            key = tuple(sorted(v.breakdown.items()))
            merged[key] = merged.get(key, 0) + int(v.value)
        values = [IndicatorValue(value=n, breakdown=dict(k)) for k, n in merged.items()]
    return values


@indicator_source("SITES_CHILDREN_SEEN", breakdowns=("territory",))
def sites_children_seen(query: IndicatorQuery) -> list[IndicatorValue]:
    """Sites where children were seen during the period: an on-site inspection or IPIS visit that saw children,
    a child identified there by a case, or a verified alert with children."""
    seen = Inspection.objects.filter(
        site=OuterRef("pk"), onsite=True, date__gte=query.start, date__lte=query.end
    ).filter(
        Q(children_in_workings=True)
        | Q(children_seen=True)
        | Q(boys_under_15__gt=0)
        | Q(girls_under_15__gt=0)
        | Q(boys_15_17__gt=0)
        | Q(girls_15_17__gt=0)
    )
    evidence = SiteEvidence.objects.filter(
        site=OuterRef("pk"), date__gte=query.start, date__lte=query.end, children__gt=0
    )
    qs = Site.objects.filter(Exists(seen) | Exists(evidence))
    return _grouped(qs, query, "territory__pcode")


# Distinct sites over a period cannot be summed from days: read from the shared cache between two writes of what
# it counts (kinga.core.memo; the indicator table and the dashboard ask it on every view).
memo.register("SITES_CHILDREN_SEEN", apps=("sites.Inspection", "sites.SiteEvidence", "sites.Site"))
