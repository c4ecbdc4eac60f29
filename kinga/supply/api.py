"""The supply chain's API under /api/v1/supply/…: same rules, scopes and audit as the screens."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kinga.core import access, audit, plugins
from kinga.core.api_base import ScopedViewSetMixin
from kinga.core.models import Organisation
from kinga.supply import report, selectors, serializers, services
from kinga.supply.models import (
    CooperativeDocument,
    DocumentType,
    EvacuationAuthorisation,
    Lot,
    Miner,
    Production,
)


def _pick(queryset, field: str, value, message: str):
    obj = queryset.filter(uuid=value).first()
    if obj is None:
        raise ValidationError({field: [message]})
    return obj


class _CreateMixin:
    def _cooperative(self, data):
        return _pick(
            selectors.cooperatives(self.actor),
            "cooperative_uuid",
            data.pop("cooperative_uuid"),
            _("Unknown cooperative."),
        )

    def _site(self, data):
        return _pick(selectors.sites(self.actor), "site_uuid", data.pop("site_uuid"), _("Unknown site."))


class DocumentTypeViewSet(
    ScopedViewSetMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    model = DocumentType
    serializer_class = serializers.DocumentTypeSerializer
    permissions_by_action = {
        "create": "supply.configure",
        "update": "supply.configure",
        "partial_update": "supply.configure",
        "*": "supply.view",
    }

    def perform_create(self, serializer):
        serializer.instance = services.save_document_type(actor=self.actor, **serializer.validated_data)

    def perform_update(self, serializer):
        values = {**serializers.DocumentTypeSerializer(serializer.instance).data, **serializer.validated_data}
        values.pop("uuid", None)
        serializer.instance = services.save_document_type(
            actor=self.actor, document_type=serializer.instance, **values
        )


class CooperativeDocumentViewSet(
    _CreateMixin, ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    model = CooperativeDocument
    serializer_class = serializers.CooperativeDocumentSerializer
    permissions_by_action = {"create": "supply.record", "*": "supply.view"}
    filterset_fields = ["valid_until"]

    def scoped_queryset(self):
        return super().scoped_queryset().select_related("cooperative", "document_type")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        cooperative = self._cooperative(data)
        code = data.pop("document_type_code")
        document_type = selectors.document_types(self.actor, active_only=True).filter(code=code).first()
        if document_type is None:
            raise ValidationError({"document_type_code": [_("Unknown document type.")]})
        serializer.instance = services.record_document(
            actor=self.actor, cooperative=cooperative, document_type=document_type, **data
        )


class MinerViewSet(_CreateMixin, ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    model = Miner
    serializer_class = serializers.MinerSerializer
    permissions_by_action = {"create": "supply.record", "*": "supply.view"}
    filterset_fields = ["sex"]

    def scoped_queryset(self):
        return super().scoped_queryset().select_related("cooperative")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        cooperative = self._cooperative(data)
        serializer.instance = services.register_miner(actor=self.actor, cooperative=cooperative, **data)


class ProductionViewSet(
    _CreateMixin, ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    model = Production
    serializer_class = serializers.ProductionSerializer
    permissions_by_action = {"create": "supply.record", "*": "supply.view"}
    filterset_fields = ["mineral", "month"]

    def scoped_queryset(self):
        return super().scoped_queryset().select_related("site", "cooperative")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        site, cooperative = self._site(data), self._cooperative(data)
        serializer.instance = services.record_production(
            actor=self.actor, site=site, cooperative=cooperative, **data
        )


class LotViewSet(_CreateMixin, ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    model = Lot
    serializer_class = serializers.LotSerializer
    permissions_by_action = {"create": "supply.record", "decide": "supply.authorise", "*": "supply.view"}
    filterset_fields = ["status", "mineral", "date", "site_status"]

    def scoped_queryset(self):
        return super().scoped_queryset().select_related("site", "cooperative", "buyer")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        site, cooperative = self._site(data), self._cooperative(data)
        buyer = _pick(
            selectors.buyers(self.actor), "buyer_uuid", data.pop("buyer_uuid"), _("Unknown company.")
        )
        serializer.instance = services.record_lot(
            actor=self.actor, site=site, cooperative=cooperative, buyer=buyer, **data
        )

    @extend_schema(request=None, responses=serializers.AuthorisationSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, uuid=None):
        """Decide the lot's evacuation now; a refusal comes back with its reasons (HTTP 201 either way)."""
        decision = services.decide_evacuation(actor=self.actor, lot=self.get_object())
        return Response(serializers.AuthorisationSerializer(decision).data, status=status.HTTP_201_CREATED)


class AuthorisationViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    model = EvacuationAuthorisation
    serializer_class = serializers.AuthorisationSerializer
    permissions_by_action = {
        "request_override": "supply.request_override",
        "decide_override": "supply.override",
        "*": "supply.view",
    }
    filterset_fields = ["outcome", "override_state", "site_status"]

    def scoped_queryset(self):
        return super().scoped_queryset().select_related("lot")

    @extend_schema(request=serializers.ReasonSerializer, responses=serializers.AuthorisationSerializer)
    @action(detail=True, methods=["post"], url_path="request-override")
    def request_override(self, request, uuid=None):
        body = serializers.ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = services.request_override(
            actor=self.actor, authorisation=self.get_object(), reason=body.validated_data["reason"]
        )
        return Response(serializers.AuthorisationSerializer(result).data)

    @extend_schema(
        request=serializers.OverrideDecisionSerializer, responses=serializers.AuthorisationSerializer
    )
    @action(detail=True, methods=["post"], url_path="decide-override")
    def decide_override(self, request, uuid=None):
        body = serializers.OverrideDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = services.decide_override(
            actor=self.actor,
            authorisation=self.get_object(),
            approve=body.validated_data["approve"],
            reason=body.validated_data["reason"],
        )
        return Response(serializers.AuthorisationSerializer(result).data)


class DueDiligenceViewSet(viewsets.ViewSet):
    """GET ?buyer=<company uuid>&start=YYYY-MM-DD&end=YYYY-MM-DD: the buyer's due-diligence report (counts only)."""

    permission_classes = ScopedViewSetMixin.permission_classes

    def permission_for(self, action):
        return "supply.report"

    @extend_schema(
        parameters=[
            OpenApiParameter("buyer", str, required=False),
            OpenApiParameter("start", OpenApiTypes.DATE, required=True),
            OpenApiParameter("end", OpenApiTypes.DATE, required=True),
        ],
        responses=serializers.DueDiligenceSerializer,
    )
    def list(self, request):
        actor = access.actor_from_request(request)
        buyers = selectors.buyers(actor)
        if request.query_params.get("buyer"):
            buyer = access.get_object_or_404(
                actor, Organisation, perm="supply.report", queryset=buyers, uuid=request.query_params["buyer"]
            )
        elif buyers.count() == 1:
            buyer = buyers.first()
        else:
            raise ValidationError({"buyer": [_("Choose the buying company.")]})
        dates = {}
        for name in ("start", "end"):
            try:
                dates[name] = datetime.date.fromisoformat(request.query_params.get(name, ""))
            except ValueError:
                raise ValidationError({name: [_("Give a date as YYYY-MM-DD.")]}) from None
        if dates["end"] < dates["start"]:
            raise ValidationError({"end": [_("The end of the period comes before its start.")]})
        result = report.due_diligence(actor, buyer=buyer, **dates)
        audit.record_export(
            actor=actor,
            what="supply.due_diligence",
            rows=result.totals["lots"],
            filters={"buyer": str(buyer.uuid), **dates, "format": "json"},
        )
        return Response(serializers.DueDiligenceSerializer(result).data)


def register() -> None:
    plugins.register_api("supply/due-diligence", DueDiligenceViewSet, basename="supply-due-diligence")
    plugins.register_api("supply/document-types", DocumentTypeViewSet, basename="supply-document-type")
    plugins.register_api("supply/documents", CooperativeDocumentViewSet, basename="supply-document")
    plugins.register_api("supply/miners", MinerViewSet, basename="supply-miner")
    plugins.register_api("supply/production", ProductionViewSet, basename="supply-production")
    plugins.register_api("supply/lots", LotViewSet, basename="supply-lot")
    plugins.register_api("supply/authorisations", AuthorisationViewSet, basename="supply-authorisation")
