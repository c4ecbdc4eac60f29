"""The governance API under /api/v1/governance/…: donations, social infrastructures and advocacy tracks (lists and
details, same scopes as the screens), and the involvement of state and security agents by month (counts only).
Writes go through the screens and the services."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from kinga.core import access, plugins
from kinga.core.api_base import HasPermission, ScopedViewSetMixin
from kinga.core.models import Place, PlaceLevel
from kinga.governance import selectors
from kinga.governance.models import AdvocacyStep, AdvocacyTrack, EquipmentDonation, SocialInfrastructure

VIEW = {"*": "governance.view"}


def _uuid():
    # Related records are named by their UUID, never by a database id.
    return serializers.SlugRelatedField(slug_field="uuid", read_only=True)


class DonationSerializer(serializers.ModelSerializer):
    recipient = _uuid()
    # An organisation of the registry (its UUID), or null and the name of a donor outside the registry.
    donor = _uuid()
    place = _uuid()

    class Meta:
        model = EquipmentDonation
        fields = [
            "uuid",
            "description",
            "category",
            "quantity",
            "recipient",
            "recipient_unit",
            "place",
            "given_on",
            "cost_usd",
            "donor",
            "donor_name",
            "reference",
        ]


class InfrastructureSerializer(serializers.ModelSerializer):
    place = _uuid()
    organisation = _uuid()
    funded_by = _uuid()

    class Meta:
        model = SocialInfrastructure
        fields = [
            "uuid",
            "name",
            "kind",
            "work",
            "place",
            "organisation",
            "funded_by",
            "cost_usd",
            "works_started_on",
            "in_service_on",
        ]


class StepSerializer(serializers.ModelSerializer):
    date = serializers.DateField(source="action.date")
    target = serializers.CharField(source="action.target")
    subject = serializers.CharField(source="action.subject")
    result = serializers.CharField(source="action.outcome")

    class Meta:
        model = AdvocacyStep
        fields = ["uuid", "date", "milestone", "target", "subject", "result"]


class TrackSerializer(serializers.ModelSerializer):
    organisation = _uuid()
    place = _uuid()
    steps = StepSerializer(many=True, read_only=True)

    class Meta:
        model = AdvocacyTrack
        fields = [
            "uuid",
            "title",
            "goal",
            "organisation",
            "place",
            "started_on",
            "outcome",
            "outcome_on",
            "outcome_note",
            "steps",
        ]


class DonationViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    model = EquipmentDonation
    serializer_class = DonationSerializer
    permissions_by_action = VIEW
    filterset_fields = ["category", "given_on"]

    def scoped_queryset(self):
        return super().scoped_queryset().select_related("recipient", "donor", "place")


class InfrastructureViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    model = SocialInfrastructure
    serializer_class = InfrastructureSerializer
    permissions_by_action = VIEW
    filterset_fields = ["kind", "work"]

    def scoped_queryset(self):
        return super().scoped_queryset().select_related("place", "organisation", "funded_by")


class TrackViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    model = AdvocacyTrack
    serializer_class = TrackSerializer
    permissions_by_action = VIEW
    filterset_fields = ["outcome"]

    def scoped_queryset(self):
        return (
            super()
            .scoped_queryset()
            .select_related("organisation", "place")
            .prefetch_related("steps__action")
        )


class InvolvementSerializer(serializers.Serializer):
    month = serializers.DateField()
    inspections = serializers.IntegerField()
    interfering = serializers.IntegerField()
    taxation = serializers.IntegerField()
    involved = serializers.IntegerField()
    agents_trained = serializers.IntegerField()
    agents_trained_ethics = serializers.IntegerField()


class InvolvementViewSet(viewsets.ViewSet):
    """The last 24 months: on-site inspections, those that found security forces involved or illegal taxation,
    and the state and security agents trained (counts only)."""

    permission_classes = [HasPermission]

    def permission_for(self, action):
        return "governance.view"

    @extend_schema(
        parameters=[OpenApiParameter("territory", str, description="ADM2 p-code; empty: the province")],
        responses=InvolvementSerializer(many=True),
    )
    def list(self, request):
        actor = access.actor_from_request(request)
        pcode = request.query_params.get("territory", "")
        place = None
        if pcode:
            place = access.scoped(actor, Place).filter(pcode=pcode, level=PlaceLevel.TERRITORY).first()
            if place is None:
                raise serializers.ValidationError({"territory": [_("Unknown territory.")]})
        months = selectors.involvement(actor, place=place)
        return Response(InvolvementSerializer(months, many=True).data)


def register() -> None:
    plugins.register_api("governance/equipment-donations", DonationViewSet, basename="governance-donation")
    plugins.register_api(
        "governance/social-infrastructures", InfrastructureViewSet, basename="governance-infrastructure"
    )
    plugins.register_api("governance/advocacy-tracks", TrackViewSet, basename="governance-track")
    plugins.register_api("governance/involvement", InvolvementViewSet, basename="governance-involvement")
