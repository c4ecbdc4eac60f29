"""API of the activities' deliverables under /api/v1/plan/deliverables/: what each actor may read (validated
documents for all; those awaiting validation or sent back for their organisation and the coordination). Filing
and validating go through the screens (a file and a reviewer's decision)."""

from __future__ import annotations

from rest_framework import serializers, viewsets

from kinga.core.api_base import ScopedViewSetMixin
from kinga.core.plugins import register_api
from kinga.plan import selectors_deliverables
from kinga.plan.models import Deliverable


class DeliverableSerializer(serializers.ModelSerializer):
    activity = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    activity_code = serializers.CharField(source="activity.code", read_only=True)
    organisation = serializers.SlugRelatedField(slug_field="uuid", read_only=True)

    class Meta:
        model = Deliverable
        fields = [
            "uuid",
            "activity",
            "activity_code",
            "kind",
            "title",
            "description",
            "organisation",
            "submitted_on",
            "status",
            "reviewed_on",
            "review_note",
        ]


class DeliverableViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    model = Deliverable
    serializer_class = DeliverableSerializer
    permissions_by_action = {"*": "plan.view"}
    filterset_fields = ["status", "kind"]

    def scoped_queryset(self):
        return selectors_deliverables.deliverables(self.actor).select_related("activity__action__axis")


def register() -> None:
    register_api("plan/deliverables", DeliverableViewSet, basename="plan-deliverable")
