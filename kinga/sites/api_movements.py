"""API of the movements of people around sites: the counts per site and month (read, and recorded by a field
team's tool), the relocations away from mining titles, and the year's summary by territory and month."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kinga.core import access, clock, plugins
from kinga.core.api_base import ScopedViewSetMixin, create_through_service
from kinga.core.models import Place
from kinga.sites import selectors_movements as movements
from kinga.sites import services
from kinga.sites.models import MovementObservation, Relocation, Site
from kinga.sites.models_movements import COUNTS

VIEW = "sites.view_movements"


def _uuid(**kwargs):
    return serializers.SlugRelatedField(slug_field="uuid", read_only=True, **kwargs)


class ObservationSerializer(serializers.ModelSerializer):
    site = serializers.SlugRelatedField(slug_field="uuid", queryset=movements.sites_by_uuid())
    territory = _uuid()
    organisation = _uuid()
    month = serializers.DateField(
        help_text="The month's first day (YYYY-MM-01); another day is read as its month."
    )

    class Meta:
        model = MovementObservation
        fields = ["uuid", "site", "territory", "month", "source", "organisation", *COUNTS]
        read_only_fields = ["uuid", "territory", "organisation"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        # No actor when the OpenAPI schema is generated (a fake view, an anonymous request).
        if request is not None and not getattr(self.context.get("view"), "swagger_fake_view", False):
            self.fields["site"].queryset = access.scoped(access.actor_from_request(request), Site)


class RelocationSerializer(serializers.ModelSerializer):
    site = _uuid()
    from_place = _uuid()
    territory = _uuid()
    destination = _uuid()
    organisation = _uuid()

    class Meta:
        model = Relocation
        fields = [
            "uuid",
            "mining_title",
            "site",
            "from_place",
            "territory",
            "destination",
            "month",
            "households",
            "people",
            "children",
            "reference",
            "organisation",
        ]


class ObservationViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    model = MovementObservation
    serializer_class = ObservationSerializer
    permissions_by_action = {"create": "sites.record_movements", "*": VIEW}
    filterset_fields = ["month", "source"]

    def scoped_queryset(self):
        qs = movements.observations(self.actor).select_related("site", "territory", "organisation")
        if self.request.query_params.get("site"):
            qs = qs.filter(site__uuid=self.request.query_params["site"])
        return qs

    def create(self, request, *args, **kwargs):
        return create_through_service(
            self.get_serializer,
            request.data,
            lambda data: services.record_observation(
                actor=self.actor,
                site=data["site"],
                month=data["month"],
                source=data["source"],
                **{name: data.get(name) for name in COUNTS},
            ),
        )

    @action(detail=False, methods=["get"])
    def summary(self, request):
        """The year's counts (`year`, default this year; `territory`: a territory's UUID) by territory and month:
        per site and month the highest count any organisation gave."""
        try:
            year = int(request.query_params.get("year") or clock.today().year)
        except ValueError:
            return Response({"year": [_("Give a year, e.g. 2026.")]}, status=400)
        territory = None
        if request.query_params.get("territory"):
            territory = access.get_object_or_404(self.actor, Place, uuid=request.query_params["territory"])
        summary = movements.summary(self.actor, year=year, territory=territory)

        def figures(f):
            return {
                **{name: getattr(f, name) for name in COUNTS},
                "households_relocated": f.households_relocated,
                "people_relocated": f.people_relocated,
                "children_relocated": f.children_relocated,
            }

        return Response(
            {
                "year": year,
                "total": figures(summary.total),
                "territories": [
                    {"territory": row.label, "figures": figures(row.figures)} for row in summary.territories
                ],
                "months": [
                    {"month": datetime.date.isoformat(row.key), "figures": figures(row.figures)}
                    for row in summary.months
                ],
            }
        )


class RelocationViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    model = Relocation
    serializer_class = RelocationSerializer
    permissions_by_action = {"*": VIEW}
    filterset_fields = ["month"]

    def scoped_queryset(self):
        return movements.relocations(self.actor).select_related(
            "site", "from_place", "territory", "destination", "organisation"
        )


def register() -> None:
    plugins.register_api("sites/movements", ObservationViewSet, basename="sites-movement")
    plugins.register_api("sites/relocations", RelocationViewSet, basename="sites-relocation")
