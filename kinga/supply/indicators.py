"""The supply chain's indicators for the plan (codes and counting rules in docs/indicators.md, section "Supply")."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, StrIndex

from kinga.core import clock, memo
from kinga.core.indicators import SPAN, IndicatorQuery, IndicatorValue, indicator_source, span_bucket
from kinga.core.models import AuditAction, AuditEvent, Organisation, OrganisationType, Place, PlaceLevel
from kinga.supply.models import CooperativeDocument, DocumentType, EvacuationAuthorisation, Production

TERRITORY = "territory"
MINERAL = "mineral"


def _site_area(qs, query: IndicatorQuery, site_field: str = "site"):
    prefix = query.area_path_prefix()
    return qs.filter(**{f"{site_field}__place__path__startswith": prefix}) if prefix else qs


def _group_keys(query: IndicatorQuery, site_field: str = "site") -> dict[str, str]:
    keys = {}
    if TERRITORY in query.breakdowns:
        keys[TERRITORY] = f"{site_field}__territory__pcode"
    if MINERAL in query.breakdowns:
        keys[MINERAL] = "mineral"
    return keys


def _values(
    qs, query: IndicatorQuery, aggregate, site_field: str = "site", date_field: str | None = None
) -> list[IndicatorValue]:
    keys = _group_keys(query, site_field)
    if date_field and SPAN in query.breakdowns:
        # Several periods in one query (kinga.core.indicators.SPAN): grouped by the span the date falls in.
        qs = qs.annotate(span=span_bucket(query, date_field))
        keys[SPAN] = "span"
    if not keys:
        return [IndicatorValue(value=qs.aggregate(v=aggregate)["v"] or 0)]
    rows = qs.order_by().values(*keys.values()).annotate(v=aggregate)
    return [
        IndicatorValue(
            value=row["v"] or 0,
            breakdown={name: "" if row[field] is None else row[field] for name, field in keys.items()},
        )
        for row in rows
    ]


@indicator_source("SUPPLY_PRODUCTION_STATISTICS", breakdowns=(TERRITORY, MINERAL), spans=True)
def production_statistics(query: IndicatorQuery) -> list[IndicatorValue]:
    """Production declared by cooperatives for the months of the period, in kg (tonnage × 1000)."""
    qs = _site_area(
        Production.objects.filter(month__gte=query.start.replace(day=1), month__lte=query.end), query
    )
    kg = Sum(
        ExpressionWrapper(
            F("tonnage") * Value(Decimal(1000)), output_field=DecimalField(max_digits=18, decimal_places=3)
        )
    )
    return _values(qs, query, kg, date_field="month")


@indicator_source("SUPPLY_COOPERATIVES_WITH_DOCUMENTS", breakdowns=(TERRITORY,))
def cooperatives_with_documents(query: IndicatorQuery) -> list[IndicatorValue]:
    """Cooperatives holding, on the period's last day, a valid document of every required type (0 required types:
    none is counted, the rule is not configured). Territory: the place of the cooperative's profile."""
    required = DocumentType.objects.filter(is_active=True, is_required=True)
    day = query.end
    valid = (
        CooperativeDocument.objects.filter(
            cooperative=OuterRef("pk"), document_type__in=required, issued_on__lte=day
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
        .order_by()
        .values("cooperative")
        .annotate(n=Count("document_type", distinct=True))
        .values("n")
    )
    qs = Organisation.objects.filter(type=OrganisationType.COOPERATIVE, is_active=True).annotate(
        held=Coalesce(Subquery(valid), 0)
    )
    qs = qs.filter(
        held__gte=Subquery(required.order_by().values("is_required").annotate(n=Count("id")).values("n"))
    )
    prefix = query.area_path_prefix()
    if prefix:
        qs = qs.filter(cooperative__place_path__startswith=prefix)
    if TERRITORY in query.breakdowns:
        territory = Place.objects.filter(level=PlaceLevel.TERRITORY).annotate(
            at=StrIndex(OuterRef("cooperative__place_path"), F("path"))
        )
        qs = qs.annotate(territory=Subquery(territory.filter(at=1).values("pcode")[:1]))
        rows = qs.order_by().values("territory").annotate(n=Count("id"))
        return [IndicatorValue(value=r["n"], breakdown={TERRITORY: r["territory"] or ""}) for r in rows]
    return [IndicatorValue(value=qs.count())]


@indicator_source("SUPPLY_LOTS_AUTHORISED", breakdowns=(TERRITORY, MINERAL))
def lots_authorised(query: IndicatorQuery) -> list[IndicatorValue]:
    """Lots given leave to go during the period: authorised (with or without a warning), or a refusal overridden."""
    since, before = clock.day_bounds(query.start, query.end)
    decided = EvacuationAuthorisation.objects.filter(
        Q(outcome__in=["authorised", "warning"], decided_at__gte=since, decided_at__lt=before)
        | Q(override_state="approved", override_decided_at__gte=since, override_decided_at__lt=before)
    )
    return _lots_of(decided, query)


@indicator_source("SUPPLY_LOTS_REFUSED", breakdowns=(TERRITORY, MINERAL))
def lots_refused(query: IndicatorQuery) -> list[IndicatorValue]:
    """Lots refused at least once during the period (a lot refused then authorised counts in both)."""
    since, before = clock.day_bounds(query.start, query.end)
    decided = EvacuationAuthorisation.objects.filter(
        outcome="refused", decided_at__gte=since, decided_at__lt=before
    )
    return _lots_of(decided, query)


def _lots_of(decisions, query: IndicatorQuery) -> list[IndicatorValue]:
    """Distinct lots of the period's decisions, counted from the decisions (their dates are indexed; starting from
    the lots scanned a million of them at national scale)."""
    decisions = _site_area(decisions, query, "lot__site")
    keys = {}
    if TERRITORY in query.breakdowns:
        keys[TERRITORY] = "lot__site__territory__pcode"
    if MINERAL in query.breakdowns:
        keys[MINERAL] = "lot__mineral"
    lots = Count("lot_id", distinct=True)
    if not keys:
        return [IndicatorValue(value=decisions.aggregate(v=lots)["v"] or 0)]
    rows = decisions.order_by().values(*keys.values()).annotate(v=lots)
    return [
        IndicatorValue(value=row["v"], breakdown={name: row[field] or "" for name, field in keys.items()})
        for row in rows
    ]


@indicator_source("SUPPLY_BUYERS_REPORTING", breakdowns=())
def buyers_reporting(query: IndicatorQuery) -> list[IndicatorValue]:
    """Companies that produced their due-diligence report (page export, PDF, spreadsheet or API) in the period,
    as recorded by the audit trail."""
    n = (
        AuditEvent.objects.filter(
            action=AuditAction.EXPORT,
            target_type="supply.due_diligence",
            organisation__type=OrganisationType.COMPANY,
            at__date__gte=query.start,
            at__date__lte=query.end,
        )
        .values("organisation")
        .distinct()
        .count()
    )
    return [IndicatorValue(value=n)]


# Which cooperatives hold every required document on a day: memoised until the next write of a supply, households
# (the cooperative's place) record or of an organisation (kinga.core.memo).
memo.register("SUPPLY_COOPERATIVES_WITH_DOCUMENTS", apps=("supply", "households", "core.Organisation"))
# Distinct lots decided in the period (a hundred thousand decisions a quarter at national scale).
memo.register("SUPPLY_LOTS_AUTHORISED", apps=("supply",))
memo.register("SUPPLY_LOTS_REFUSED", apps=("supply",))
memo.register("SUPPLY_PRODUCTION_STATISTICS", apps=("supply",))
