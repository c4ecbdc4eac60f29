"""API of the DHIS2 link: the sendings to DHIS2 (list, one, send a period) and the indicator exports
(/api/v1/plan/dhis2-pushes/, /api/v1/plan/indicator-exports/)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from kinga.core import periods
from kinga.core.api_base import ScopedViewSetMixin
from kinga.core.plugins import register_api
from kinga.plan import dhis2, selectors, services
from kinga.plan.models import Dhis2Push


class PeriodSerializerField(serializers.CharField):
    """A period as DHIS2 writes it, given to the view as a kinga.core.periods.Period (no length validator: it
    would run on the Period)."""

    def to_internal_value(self, data):
        text = super().to_internal_value(data)[:40]
        try:
            return periods.parse(text)
        except ValidationError as error:
            raise serializers.ValidationError(error.messages) from None


class PushRequestSerializer(serializers.Serializer):
    period = PeriodSerializerField(help_text="2026Q3, 2026 or 202609 (DHIS2's period notation).")


class PushSerializer(serializers.ModelSerializer):
    class Meta:
        model = Dhis2Push
        fields = [
            "uuid",
            "period",
            "server_url",
            "status",
            "values_sent",
            "imported",
            "updated",
            "ignored",
            "conflicts",
            "message",
            "pushed_at",
        ]
        read_only_fields = fields


class Dhis2PushViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Sendings of the plan's indicators to DHIS2, with what DHIS2 answered. POST sends a period."""

    model = Dhis2Push
    serializer_class = PushSerializer
    permissions_by_action = {"*": "plan.push_dhis2"}

    def scoped_queryset(self):
        return super().scoped_queryset().order_by("-pushed_at")

    @extend_schema(request=PushRequestSerializer, responses={201: PushSerializer, 400: OpenApiTypes.OBJECT})
    def create(self, request, *args, **kwargs):
        incoming = PushRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        plan = selectors.current_plan(self.actor)
        if plan is None:
            return Response({"detail": _("No plan is loaded.")}, status=404)
        try:
            push = services.push_period(actor=self.actor, plan=plan, period=incoming.validated_data["period"])
        except services.Dhis2PushFailed as failure:
            # Stored and refused: the record says why; 502, DHIS2 (the upstream) did not take the values.
            return Response(PushSerializer(failure.push).data, status=502)
        return Response(PushSerializer(push).data, status=201)


class ExportRequestSerializer(serializers.Serializer):
    # Not "format": DRF reads ?format= as the choice of its own renderer.
    type = serializers.ChoiceField(choices=list(dhis2.FORMATS), help_text="dhis2, adx or hxl")
    period = PeriodSerializerField(help_text="2026Q3, 2026 or 202609")


class IndicatorExportViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    """The plan's indicators for a period as a file: DHIS2 dataValueSets JSON, ADX XML or HXL CSV."""

    model = Dhis2Push  # only for the permission check: the export reads the plan's indicators
    permissions_by_action = {"*": "plan.export"}
    serializer_class = ExportRequestSerializer

    def scoped_queryset(self):
        return super().scoped_queryset().none()

    @extend_schema(
        parameters=[
            OpenApiParameter("type", str, enum=list(dhis2.FORMATS), required=True),
            OpenApiParameter("period", str, required=True, description="2026Q3, 2026 or 202609"),
        ],
        responses={
            (200, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT, description="DHIS2 dataValueSets"
            ),
            (200, "application/adx+xml"): OpenApiResponse(OpenApiTypes.STR, description="ADX"),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="HXL CSV"),
            400: OpenApiTypes.OBJECT,
        },
    )
    def list(self, request, *args, **kwargs):
        incoming = ExportRequestSerializer(data=request.query_params)
        incoming.is_valid(raise_exception=True)
        plan = selectors.current_plan(self.actor)
        if plan is None:
            return Response({"detail": _("No plan is loaded.")}, status=404)
        exported = dhis2.export_file(
            actor=self.actor,
            plan=plan,
            fmt=incoming.validated_data["type"],
            period=incoming.validated_data["period"],
        )
        response = HttpResponse(exported.content, content_type=exported.content_type)
        response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
        return response


def register() -> None:
    register_api("plan/dhis2-pushes", Dhis2PushViewSet, basename="plan-dhis2-push")
    register_api("plan/indicator-exports", IndicatorExportViewSet, basename="plan-indicator-export")
