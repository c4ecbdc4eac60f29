"""The register of care facilities under /api/v1/cases/facilities/ and /api/v1/cases/facility-works/: lists and
details within kinga.core.access (read like the directory: cases.view_counts), a facility's occupancy by month;
writes go through the screens and the services."""

from __future__ import annotations

from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kinga.core import plugins
from kinga.core.api_base import ScopedViewSetMixin

from . import selectors_facilities as selectors
from .models import Facility, FacilityWork

VIEW = {"*": "cases.view_counts"}


def _uuid(source=None):
    return serializers.SlugRelatedField(slug_field="uuid", read_only=True, source=source)


class FacilitySerializer(serializers.ModelSerializer):
    service = _uuid()
    name = serializers.CharField(source="service.name", read_only=True)
    service_type = serializers.CharField(source="service.service_type", read_only=True)
    organisation = _uuid("service.organisation")
    place = _uuid("service.place")
    capacity = serializers.IntegerField(source="service.capacity", read_only=True, allow_null=True)
    works_cost = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = Facility
        fields = [
            "uuid",
            "service",
            "name",
            "service_type",
            "organisation",
            "place",
            "status",
            "status_since",
            "capacity",
            "works_cost",
        ]


class MonthSerializer(serializers.Serializer):
    month = serializers.DateField()
    admitted = serializers.IntegerField()
    in_care = serializers.IntegerField()
    capacity = serializers.IntegerField(allow_null=True)
    rate = serializers.DecimalField(max_digits=7, decimal_places=1, allow_null=True)


class FacilityWorkSerializer(serializers.ModelSerializer):
    facility = _uuid()
    funded_by = _uuid()

    class Meta:
        model = FacilityWork
        fields = [
            "uuid",
            "facility",
            "kind",
            "description",
            "started_on",
            "completed_on",
            "cost_usd",
            "funded_by",
            "reference",
        ]


class FacilityViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    model = Facility
    serializer_class = FacilitySerializer
    permissions_by_action = VIEW
    filterset_fields = ["status"]

    def scoped_queryset(self):
        return selectors.facilities(self.actor)

    @action(detail=True, methods=["get"], serializer_class=MonthSerializer, pagination_class=None)
    def occupancy(self, request, uuid=None):
        """The last twelve months: admissions, children in care, capacity and occupancy (%)."""
        return Response(MonthSerializer(selectors.occupancy(self.get_object()), many=True).data)


class FacilityWorkViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    model = FacilityWork
    serializer_class = FacilityWorkSerializer
    permissions_by_action = VIEW
    filterset_fields = ["kind"]

    def scoped_queryset(self):
        return super().scoped_queryset().select_related("facility", "funded_by")


def register_facilities_api() -> None:
    plugins.register_api("cases/facilities", FacilityViewSet, basename="cases-facilities")
    plugins.register_api("cases/facility-works", FacilityWorkViewSet, basename="cases-facility-works")
