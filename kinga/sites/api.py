"""API of the mine-sites app: sites (with status, timeline and map data), inspections, ZEA."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kinga.core import access
from kinga.core.api_base import ScopedViewSetMixin
from kinga.core.models import Organisation, Place
from kinga.sites import selectors, services
from kinga.sites.models import INSPECTION_FIELDS, Inspection, Site, Status, Zone

IPIS_CREDIT = "Source : IPIS open data (ipisresearch.be)"


class SiteSerializer(serializers.ModelSerializer):
    place = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    territory = serializers.SlugRelatedField(slug_field="pcode", read_only=True)
    current_status = serializers.CharField(read_only=True)

    class Meta:
        model = Site
        fields = [
            "uuid",
            "code",
            "name",
            "site_type",
            "place",
            "territory",
            "latitude",
            "longitude",
            "minerals",
            "workers_count",
            "state_services",
            "source",
            "place_warning",
            "qualification",
            "qualification_date",
            "qualification_source",
            "current_status",
            "status_reason",
            "status_date",
            "red_since",
            "correction_deadline",
            "children_seen",
            "last_inspection_date",
        ]
        read_only_fields = fields


class InspectionSerializer(serializers.ModelSerializer):
    site = serializers.UUIDField(source="site.uuid")
    organisations = serializers.ListField(child=serializers.UUIDField(), required=False, write_only=True)
    actions = serializers.ListField(child=serializers.DictField(), required=False, write_only=True)

    class Meta:
        model = Inspection
        fields = [
            "uuid",
            "site",
            "date",
            "source",
            "onsite",
            "organisations",
            *INSPECTION_FIELDS,
            "children_seen",
            "qualification",
            "ipis_vid",
            "actions",
        ]
        read_only_fields = ["uuid", "source", "onsite", "children_seen", "qualification", "ipis_vid"]


class ZoneSerializer(serializers.ModelSerializer):
    place = serializers.SlugRelatedField(slug_field="uuid", read_only=True)

    class Meta:
        model = Zone
        fields = [
            "uuid",
            "code",
            "name",
            "place",
            "expired_title",
            "stage",
            "area_ha",
            "latitude",
            "longitude",
            "processing_units",
            "located_on",
            "viability_decided_on",
            "equipped_on",
        ]
        read_only_fields = fields


def _filters_from(request, actor) -> dict:
    params = request.query_params
    kwargs: dict = {"q": params.get("q", ""), "mineral": params.get("mineral", "")}
    if params.get("status") in Status.values:
        kwargs["status"] = params["status"]
    if params.get("children_seen") in ("1", "true"):
        kwargs["children_seen"] = True
    if params.get("territory"):
        key = params["territory"]
        lookup = {"pcode": key} if not ("-" in key and len(key) == 36) else {"uuid": key}
        kwargs["territory"] = access.get_object_or_404(actor, Place, **lookup)
    return kwargs


class SiteViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    # A site is named by its UUID: /api/v1/sites/movements/ and the like are other resources of the app.
    lookup_value_regex = "[0-9a-fA-F-]{36}"
    """Mine sites with their child-labour status (filters: q, territory (p-code or uuid), mineral, status,
    children_seen). IPIS data: Source : IPIS open data (ipisresearch.be)."""

    model = Site
    serializer_class = SiteSerializer
    permissions_by_action = {"*": "sites.view"}

    def scoped_queryset(self):
        return selectors.sites(self.actor, **_filters_from(self.request, self.actor))

    @action(detail=False, methods=["get"])
    def map(self, request):
        body = selectors.map_json(self.actor, **_filters_from(request, self.actor))
        return HttpResponse(body, content_type="application/json")

    @action(detail=True, methods=["get"])
    def status(self, request, uuid=None):
        site = self.get_object()
        at = request.query_params.get("at")

        try:
            day = datetime.date.fromisoformat(at) if at else None
        except ValueError:
            raise ValidationError({"at": [_("Expected a date as YYYY-MM-DD.")]}) from None
        state = selectors.child_labour_status(site, at=day)
        return Response(
            {
                "status": state.status,
                "reason": state.reason,
                "since": state.date,
                "red_since": state.red_since,
                "correction_deadline": state.correction_deadline,
                "overdue": state.overdue,
                "authorisations_suspended": state.authorisations_suspended,
            }
        )

    @action(detail=True, methods=["get"])
    def timeline(self, request, uuid=None):
        site = self.get_object()
        return Response(
            [
                {
                    "date": e.date,
                    "kind": e.kind,
                    "title": str(e.title),
                    "detail": e.detail,
                    "status": e.status,
                    "old_status": e.old_status,
                    "children": e.children,
                    "inspection": str(e.inspection.uuid) if e.inspection else None,
                }
                for e in selectors.timeline(self.actor, site)
            ]
        )


class InspectionViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    model = Inspection
    serializer_class = InspectionSerializer
    permissions_by_action = {"create": "sites.inspect", "*": "sites.view"}

    def scoped_queryset(self):
        qs = selectors.inspections(self.actor).prefetch_related("organisations")
        if self.request.query_params.get("site"):
            qs = qs.filter(site__uuid=self.request.query_params["site"])
        return qs

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        site = access.get_object_or_404(self.actor, Site, uuid=data.pop("site")["uuid"])
        wanted = data.pop("organisations", None) or []
        organisations = list(access.scoped(self.actor, Organisation).filter(uuid__in=wanted))
        if len(organisations) != len(set(wanted)):
            raise ValidationError({"organisations": [_("Unknown organisation.")]})
        actions = []
        for item in data.pop("actions", []):
            try:
                actions.append(
                    (str(item.get("description", "")), datetime.date.fromisoformat(str(item.get("deadline"))))
                )
            except ValueError:
                raise ValidationError({"actions": [_("Expected a date as YYYY-MM-DD.")]}) from None
        serializer.instance = services.record_inspection(
            actor=self.actor,
            site=site,
            date=data.pop("date"),
            organisations=organisations,
            actions=actions,
            **data,
        )


class ZoneViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    model = Zone
    serializer_class = ZoneSerializer
    permissions_by_action = {"*": "sites.view"}

    def scoped_queryset(self):
        return super().scoped_queryset().select_related("place")

    @action(detail=False, methods=["get"])
    def progress(self, request):
        return Response(selectors.zone_progress(self.actor))
