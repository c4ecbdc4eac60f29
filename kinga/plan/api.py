"""API of the plan (/api/v1/plan-...): the tree, indicators, money, progress, reconciliation and budget."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework import serializers as drf_serializers
from rest_framework.decorators import action as api_action
from rest_framework.response import Response

from kinga.core import access, api_periods
from kinga.core.api_base import ScopedReadOnlyViewSet, ScopedViewSetMixin, create_through_service
from kinga.core.models import Organisation, Place
from kinga.core.plugins import register_api
from kinga.plan import selectors, serializers, services
from kinga.plan.indicators import parse_breakdowns
from kinga.plan.models import (
    Action,
    Activity,
    Axis,
    Commitment,
    FundingTransaction,
    Indicator,
    IndicatorValue,
    ProgressReport,
)
from kinga.plan.reconcile import reconcile


def _lookup(actor, model, field: str, **lookup):
    try:
        return access.scoped(actor, model).get(**lookup)
    except (model.DoesNotExist, ValueError, ValidationError):
        raise ValidationError({field: [_("Unknown %(f)s.") % {"f": field}]}) from None


class AxisViewSet(ScopedReadOnlyViewSet):
    model = Axis
    serializer_class = serializers.AxisSerializer
    permissions_by_action = {"*": "plan.view"}

    @api_action(detail=False, methods=["get"])
    def reconcile(self, request):
        """The budget reconciliation (same shape as `kinga plan reconcile --json`); ?current=1 for the revised plan."""
        plan = selectors.current_plan(self.actor)
        if plan is None:
            return Response({"detail": _("No plan is loaded.")}, status=404)
        return Response(reconcile(plan, current=request.query_params.get("current") in ("1", "true")))

    @api_action(detail=False, methods=["get"])
    def budget(self, request):
        """Per axis and action: planned, committed, disbursed, spent, execution rate, funding gap."""
        plan = selectors.current_plan(self.actor)
        if plan is None:
            return Response({"detail": _("No plan is loaded.")}, status=404)

        def money(m):
            return {
                "planned_usd": str(m.planned),
                "committed_usd": str(m.committed),
                "disbursed_usd": str(m.disbursed),
                "spent_usd": str(m.spent),
                "execution_rate": m.execution_rate,
                "funding_gap_usd": str(m.funding_gap),
            }

        return Response(
            [
                {
                    "number": a.axis.number,
                    "synthesis_usd": str(a.axis.synthesis_usd),
                    **money(a.money),
                    "actions": [
                        {"uuid": str(r.action.uuid), "code": r.action.code, **money(r.money)}
                        for r in a.actions
                    ],
                }
                for a in selectors.plan_tree(self.actor, plan)
            ]
        )


class ActionViewSet(ScopedReadOnlyViewSet):
    model = Action
    serializer_class = serializers.ActionSerializer
    permissions_by_action = {"*": "plan.view"}

    def scoped_queryset(self):
        return super().scoped_queryset().select_related("axis").order_by("axis__number", "number")


class ActivityViewSet(ScopedReadOnlyViewSet):
    model = Activity
    serializer_class = serializers.ActivitySerializer
    permissions_by_action = {"*": "plan.view"}

    def scoped_queryset(self):
        return (
            super()
            .scoped_queryset()
            .select_related("action")
            .order_by("action__axis__number", "action__number", "position")
        )


class IndicatorViewSet(ScopedReadOnlyViewSet):
    model = Indicator
    serializer_class = serializers.IndicatorSerializer
    permissions_by_action = {"*": "plan.view"}
    lookup_field = "code"

    def scoped_queryset(self):
        return super().scoped_queryset().select_related("action").order_by("position")


class CommitmentViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    model = Commitment
    serializer_class = serializers.CommitmentSerializer
    permissions_by_action = {"create": "plan.record_funding", "*": "plan.view"}

    def scoped_queryset(self):
        return (
            super().scoped_queryset().select_related("funder", "action", "activity").order_by("-date", "-pk")
        )

    def create(self, request, *args, **kwargs):
        actor = self.actor

        def record(data):
            action = _lookup(actor, Action, "action", uuid=data["action"]["uuid"])
            activity = None
            if (data.get("activity") or {}).get("uuid"):
                activity = _lookup(actor, Activity, "activity", uuid=data["activity"]["uuid"])
            return services.record_commitment(
                actor=actor,
                funder=_lookup(actor, Organisation, "funder", uuid=data["funder"]["uuid"]),
                action=action,
                activity=activity,
                date=data["date"],
                amount=data["amount"],
                currency=data["currency"],
                document_ref=data.get("document_ref", ""),
                note=data.get("note", ""),
            )

        return create_through_service(self.get_serializer, request.data, record)


class TransactionViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    model = FundingTransaction
    serializer_class = serializers.TransactionSerializer
    permissions_by_action = {"create": "plan.record_funding", "*": "plan.view"}

    def scoped_queryset(self):
        return super().scoped_queryset().select_related("commitment").order_by("-date", "-pk")

    def create(self, request, *args, **kwargs):
        actor = self.actor
        return create_through_service(
            self.get_serializer,
            request.data,
            lambda data: services.record_transaction(
                actor=actor,
                commitment=_lookup(actor, Commitment, "commitment", uuid=data["commitment"]["uuid"]),
                kind=data["kind"],
                date=data["date"],
                amount=data["amount"],
                currency=data["currency"],
                document_ref=data.get("document_ref", ""),
                note=data.get("note", ""),
                override_reason=data.get("override_reason", ""),
            ),
        )


class ProgressReportViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    model = ProgressReport
    serializer_class = serializers.ProgressReportSerializer
    permissions_by_action = {"create": "plan.report_progress", "*": "plan.view"}

    def scoped_queryset(self):
        return super().scoped_queryset().select_related("activity").order_by("-date", "-pk")

    def create(self, request, *args, **kwargs):
        actor = self.actor

        def report(data):
            data = dict(data)
            activity = _lookup(actor, Activity, "activity", uuid=data.pop("activity")["uuid"])
            return services.report_progress(actor=actor, activity=activity, **data)

        return create_through_service(self.get_serializer, request.data, report)


class IndicatorValueViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    model = IndicatorValue
    serializer_class = serializers.IndicatorValueSerializer
    permissions_by_action = {"create": "plan.enter_indicator", "*": "plan.view"}

    def scoped_queryset(self):
        return super().scoped_queryset().select_related("indicator", "area").order_by("-period_end", "pk")

    def create(self, request, *args, **kwargs):
        actor = self.actor
        return create_through_service(
            self.get_serializer,
            request.data,
            lambda data: services.enter_indicator_value(
                actor=actor,
                indicator=_lookup(actor, Indicator, "indicator", code=data["indicator"]["code"]),
                area=_lookup(actor, Place, "area", pcode=data["area"]["pcode"]),
                period_start=data["period_start"],
                period_end=data["period_end"],
                value=data["value"],
                breakdown=data.get("breakdown") or None,
                note=data.get("note", ""),
            ),
        )


class IndicatorResultsRequestSerializer(drf_serializers.Serializer):
    """?by= (the period and territory: kinga.core.api_periods)."""

    by = drf_serializers.CharField(
        required=False, allow_blank=True, help_text="territory,sex,age_band (any of them, comma-separated)"
    )

    def validate_by(self, value):
        return _validated(lambda: parse_breakdowns(value))


def _validated(parse):
    try:
        return parse()
    except ValidationError as error:
        raise drf_serializers.ValidationError(error.messages) from None


class IndicatorResultSerializer(drf_serializers.Serializer):
    code = drf_serializers.CharField(source="indicator.code")
    label = drf_serializers.CharField(source="indicator.label_fr")
    unit = drf_serializers.CharField(source="indicator.unit")
    period = drf_serializers.CharField(source="period.iso")
    value = drf_serializers.DecimalField(max_digits=18, decimal_places=4)
    breakdown = drf_serializers.DictField(child=drf_serializers.CharField())
    target = drf_serializers.DecimalField(max_digits=18, decimal_places=4, allow_null=True)
    source_text = drf_serializers.CharField()
    not_broken_down = drf_serializers.ListField(child=drf_serializers.CharField())


class IndicatorResultViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    """Every indicator of the plan for a period, computed from the records or entered by hand, broken down by
    territory, sex and age band as asked (an indicator that cannot be split gives its total; `not_broken_down`
    says by what). Counts only."""

    model = Indicator
    permissions_by_action = {"*": "plan.view"}
    serializer_class = IndicatorResultSerializer
    pagination_class = None

    def scoped_queryset(self):
        return super().scoped_queryset().none()

    @extend_schema(
        parameters=[
            api_periods.period_parameter(default=None),
            api_periods.TERRITORY_PARAMETER,
            OpenApiParameter("by", str, description="territory,sex,age_band"),
        ],
        responses={200: IndicatorResultSerializer(many=True), 400: OpenApiTypes.OBJECT},
    )
    def list(self, request, *args, **kwargs):
        errors = {}
        period = area = None
        try:
            period, area = api_periods.period_and_territory(request, default=None, territory=self._territory)
        except drf_serializers.ValidationError as error:
            errors.update(error.detail)
        incoming = IndicatorResultsRequestSerializer(data=request.query_params)
        if not incoming.is_valid():
            errors.update(incoming.errors)
        if errors:  # every wrong parameter at once, each on its field
            raise drf_serializers.ValidationError(errors)
        cells = selectors.indicator_values(
            self.actor, period=period, area=area, by=incoming.validated_data.get("by") or ()
        )
        return Response(IndicatorResultSerializer(cells, many=True).data)

    def _territory(self, pcode: str) -> Place | None:
        if not pcode:
            return None
        area = access.scoped(self.actor, Place).filter(pcode=pcode).first()
        if area is None:
            raise ValidationError(_("Unknown territory p-code."))
        return area


def register() -> None:
    register_api("plan/indicator-results", IndicatorResultViewSet, basename="plan-indicator-result")
    register_api("plan-axes", AxisViewSet, basename="plan-axis")
    register_api("plan-actions", ActionViewSet, basename="plan-action")
    register_api("plan-activities", ActivityViewSet, basename="plan-activity")
    register_api("plan-indicators", IndicatorViewSet, basename="plan-indicator")
    register_api("plan-commitments", CommitmentViewSet, basename="plan-commitment")
    register_api("plan-transactions", TransactionViewSet, basename="plan-transaction")
    register_api("plan-progress", ProgressReportViewSet, basename="plan-progress")
    register_api("plan-indicator-values", IndicatorValueViewSet, basename="plan-indicator-value")
