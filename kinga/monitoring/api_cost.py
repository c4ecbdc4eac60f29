"""API: the cost per result for a period and a territory (amounts and counts only)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from kinga.core import access, api_periods, periods
from kinga.core.api_base import HasPermission
from kinga.monitoring import selectors_cost
from kinga.monitoring.api import period_and_territory


class CostRowSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=["total", "axis", "action", "activity", "funder"])
    code = serializers.CharField(help_text="Numéro de l'axe, de l'action (1.2) ou de l'activité (1.2.3)")
    label = serializers.CharField()
    spent_usd = serializers.DecimalField(max_digits=16, decimal_places=2)
    attached_usd = serializers.DecimalField(max_digits=16, decimal_places=2)
    coverage_percent = serializers.IntegerField(allow_null=True)
    results = serializers.DictField(child=serializers.IntegerField())
    cost_usd = serializers.DictField(
        child=serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    )


class CostPerResultSerializer(serializers.Serializer):
    period = serializers.CharField()
    territory = serializers.CharField(allow_blank=True)
    sentences = serializers.ListField(child=serializers.CharField())
    total = CostRowSerializer()
    rows = CostRowSerializer(many=True)
    funders = CostRowSerializer(many=True)


def _row(row: selectors_cost.CostRow) -> dict:
    return {
        "level": row.level,
        "code": row.code,
        "label": row.label,
        "spent_usd": row.spent,
        "attached_usd": row.attached,
        "coverage_percent": row.coverage,
        "results": row.results,
        "cost_usd": row.costs,
    }


class CostPerResultViewSet(viewsets.ViewSet):
    """Money spent next to what it produced, per axis, action, activity and funder (amounts and counts only)."""

    permission_classes = [HasPermission]

    def permission_for(self, action):
        return selectors_cost.PERMISSION

    @extend_schema(
        parameters=[api_periods.period_parameter(default=periods.YEAR), api_periods.TERRITORY_PARAMETER],
        responses=CostPerResultSerializer,
    )
    def list(self, request):
        actor = access.actor_from_request(request)
        period, territory = period_and_territory(request, actor, default=periods.YEAR)
        costs = selectors_cost.cost_per_result(actor, period=period, area=territory)
        data = {
            "period": costs.period.iso,
            "territory": territory.pcode if territory is not None else "",
            "sentences": costs.sentences,
            "total": _row(costs.total),
            "rows": [_row(r) for r in costs.rows],
            "funders": [_row(r) for r in costs.funders],
        }
        return Response(CostPerResultSerializer(data).data)
