"""The governance indicators of the plan's axis 2, computed from the governance records (docs/indicators.md,
« governance »): equipment and infrastructures given to the state services, social infrastructures put in service.
Both count what happened in the period (a flow); territory: the ADM2 of the record's place."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from kinga.core.indicators import SPAN, IndicatorQuery, IndicatorValue, indicator_source, span_bucket
from kinga.governance.models import EquipmentDonation, SocialInfrastructure

PROVENANCE = _("computed from the governance records")


def _period_area(qs: QuerySet, query: IndicatorQuery, date_field: str) -> QuerySet:
    qs = qs.filter(**{f"{date_field}__gte": query.start, f"{date_field}__lte": query.end})
    if SPAN in query.breakdowns:
        qs = qs.annotate(**{SPAN: span_bucket(query, date_field)})
    prefix = query.area_path_prefix()
    if prefix:
        qs = qs.filter(Q(territory__path__startswith=prefix) | Q(place__path__startswith=prefix))
    return qs


def _grouped(qs: QuerySet, query: IndicatorQuery, expression) -> list[IndicatorValue]:
    keys = (["territory__pcode"] if "territory" in query.breakdowns else []) + (
        [SPAN] if SPAN in query.breakdowns else []
    )
    if not keys:
        return [IndicatorValue(value=qs.aggregate(n=Coalesce(expression, 0))["n"])]
    values = []
    for row in qs.order_by().values(*keys).annotate(n=Coalesce(expression, 0)).order_by(*keys):
        breakdown = (
            {"territory": row.get("territory__pcode") or ""} if "territory" in query.breakdowns else {}
        )
        if SPAN in query.breakdowns:
            breakdown[SPAN] = row[SPAN]
        values.append(IndicatorValue(value=row["n"], breakdown=breakdown))
    return values


@indicator_source(
    "GOVERNANCE_INFRASTRUCTURE_EQUIPMENT", breakdowns=("territory",), provenance=PROVENANCE, spans=True
)
def equipment_given(query: IndicatorQuery) -> list[IndicatorValue]:
    """Infrastructures and equipment given to state and security services in the period: the quantities handed
    over (ten motorcycles count ten)."""
    return _grouped(_period_area(EquipmentDonation.objects.all(), query, "given_on"), query, Sum("quantity"))


@indicator_source(
    "GOVERNANCE_SOCIAL_INFRASTRUCTURES", breakdowns=("territory",), provenance=PROVENANCE, spans=True
)
def social_infrastructures(query: IndicatorQuery) -> list[IndicatorValue]:
    """Social infrastructures built or restored and put in service in the period."""
    return _grouped(
        _period_area(SocialInfrastructure.objects.all(), query, "in_service_on"), query, Count("id")
    )
