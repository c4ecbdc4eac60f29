"""API of the community app (/api/v1/community/...): alerts from SMS/USSD gateways and field forms
(KoboToolbox REST service), networks, awareness sessions, 4W records, meetings and action items."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kinga.core import access
from kinga.core import selectors as core_selectors
from kinga.core.api_base import ScopedViewSetMixin, create_through_service
from kinga.plan.attribution import AttributionRead, AttributionWrite

from . import selectors, services
from .models import (
    ActionItem,
    ActionItemStatus,
    Alert,
    AwarenessSession,
    Channel,
    FourW,
    Meeting,
    Network,
    TrainedGroup,
    Training,
    TrainingTopic,
)

# ---------------------------------------------------------------------------------------------- serializers


class NetworkSerializer(serializers.ModelSerializer):
    place = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    place_pcode = serializers.CharField(source="place.pcode", read_only=True)
    site = serializers.SlugRelatedField(slug_field="code", read_only=True)
    organisation = serializers.SlugRelatedField(slug_field="uuid", read_only=True)

    class Meta:
        model = Network
        fields = [
            "uuid",
            "name",
            "area_kind",
            "place",
            "place_pcode",
            "site",
            "organisation",
            "is_active",
            "founded_on",
        ]


class AlertSerializer(serializers.ModelSerializer):
    site = serializers.SlugRelatedField(slug_field="code", read_only=True)
    place = serializers.SlugRelatedField(slug_field="pcode", read_only=True)
    network = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    organisation = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    children = serializers.SerializerMethodField()
    cases_registered = serializers.SerializerMethodField()

    class Meta:
        model = Alert
        fields = [
            "uuid",
            "reference",
            "received_at",
            "observed_at",
            "site",
            "place",
            "location_text",
            "children_count",
            "children",
            "activity",
            "urgency",
            "channel",
            "network",
            "organisation",
            "is_anonymous",
            "status",
            "due_at",
            "verified_at",
            "children_found",
            "processing_error",
            "cases_registered",
            # Optimistic locking (kinga.core.concurrency): the version a triage page or client acts on.
            "version",
        ]

    def get_children(self, alert) -> list[dict]:
        return [{"sex": c.sex, "age_band": c.age_band, "count": c.count} for c in alert.children.all()]

    def get_cases_registered(self, alert) -> int:
        # Counted with the list's query (AlertViewSet) where it can be: not one count per alert.
        counted = getattr(alert, "n_case_links", None)
        return alert.case_links.count() if counted is None else counted


class AlertIntakeSerializer(serializers.Serializer):
    """What an SMS/USSD gateway or a form server sends. `children` is a list of {sex, age_band, count};
    field-form names such as `filles_5_11` or `girls_12_14` are accepted too."""

    channel = serializers.ChoiceField(
        choices=[Channel.SMS, Channel.USSD, Channel.API, Channel.ODK, Channel.PHONE]
    )
    external_id = serializers.CharField(max_length=100, required=False, allow_blank=True)
    site = serializers.CharField(max_length=60, required=False, allow_blank=True)
    place = serializers.CharField(max_length=60, required=False, allow_blank=True)
    location_text = serializers.CharField(max_length=300, required=False, allow_blank=True)
    observed_at = serializers.CharField(max_length=40, required=False, allow_blank=True)
    children = serializers.ListField(child=serializers.DictField(), required=False, max_length=20)
    activity = serializers.CharField(max_length=20, required=False, allow_blank=True)
    urgency = serializers.CharField(max_length=10, required=False, allow_blank=True)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    reporter_contact = serializers.CharField(max_length=40, required=False, allow_blank=True)
    reporter_member = serializers.UUIDField(required=False)
    anonymous = serializers.BooleanField(required=False, default=False)


class AlertReceiptSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    reference = serializers.CharField()
    status = serializers.CharField()
    processed = serializers.BooleanField()
    processing_error = serializers.CharField()
    feedback_code = serializers.CharField()


class SessionSerializer(AttributionRead, serializers.ModelSerializer):
    place = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    organisation = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    participants = serializers.SerializerMethodField()

    class Meta:
        model = AwarenessSession
        fields = [
            "uuid",
            "kind",
            "theme",
            "audience",
            "date",
            "place",
            "organisation",
            "radio_station",
            "broadcasts",
            "parents_committed_f",
            "parents_committed_m",
            "report_written",
            "participants",
            "plan_activity",
            "commitment",
        ]

    def get_participants(self, session) -> list[dict]:
        return [
            {"audience": p.audience, "sex": p.sex, "count": p.count} for p in session.participations.all()
        ]


class SessionWriteSerializer(AttributionWrite):
    kind = serializers.CharField(max_length=8, required=False, default="session")
    theme = serializers.CharField(max_length=32)
    audience = serializers.CharField(max_length=16)
    date = serializers.DateField()
    place_pcode = serializers.CharField(max_length=20)
    participants = serializers.ListField(child=serializers.DictField(), required=False, max_length=40)
    radio_station = serializers.CharField(max_length=120, required=False, allow_blank=True)
    broadcasts = serializers.IntegerField(min_value=0, required=False)
    parents_committed_f = serializers.IntegerField(min_value=0, required=False, default=0)
    parents_committed_m = serializers.IntegerField(min_value=0, required=False, default=0)
    report_written = serializers.BooleanField(required=False, default=False)


class TrainingSerializer(AttributionRead, serializers.ModelSerializer):
    place = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    organisation = serializers.SlugRelatedField(slug_field="uuid", read_only=True)

    class Meta:
        model = Training
        fields = [
            "uuid",
            "group",
            "topic",
            "start",
            "end",
            "place",
            "organisation",
            "trained_f",
            "trained_m",
            "plan_activity",
            "commitment",
        ]


class TrainingWriteSerializer(AttributionWrite):
    group = serializers.ChoiceField(choices=TrainedGroup.choices)
    topic = serializers.ChoiceField(choices=TrainingTopic.choices)
    start = serializers.DateField()
    end = serializers.DateField(required=False, allow_null=True, default=None)
    place_pcode = serializers.CharField(max_length=20)
    trained_f = serializers.IntegerField(min_value=0, required=False, default=0)
    trained_m = serializers.IntegerField(min_value=0, required=False, default=0)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class FourWSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    place = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    place_pcode = serializers.CharField(write_only=True)
    implementing_partner = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    funder = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    plan_action = serializers.SlugRelatedField(
        slug_field="uuid", queryset=selectors.plan_actions(), required=False, allow_null=True
    )

    class Meta:
        model = FourW
        fields = [
            "uuid",
            "organisation",
            "implementing_partner",
            "funder",
            "plan_action",
            "sector",
            "subsector",
            "activity",
            "place",
            "place_pcode",
            "status",
            "start",
            "end",
            "targeted_f",
            "targeted_m",
            "reached_f",
            "reached_m",
            "reached_by_age",
            "source",
        ]
        read_only_fields = ["uuid", "organisation", "place", "source"]


class ActionItemSerializer(serializers.ModelSerializer):
    owner = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    meeting = serializers.SlugRelatedField(slug_field="uuid", read_only=True)

    class Meta:
        model = ActionItem
        fields = ["uuid", "meeting", "description", "owner", "due_date", "status"]
        read_only_fields = ["uuid", "meeting", "description", "owner", "due_date"]


class ItemStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ActionItemStatus.choices)
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class MeetingSerializer(serializers.ModelSerializer):
    convening_organisation = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    participant_organisations = serializers.SlugRelatedField(slug_field="uuid", many=True, read_only=True)
    has_minutes = serializers.BooleanField(read_only=True)
    items = ActionItemSerializer(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "uuid",
            "title",
            "date",
            "convening_organisation",
            "participant_organisations",
            "agenda",
            "decisions",
            "minutes_text",
            "has_minutes",
            "items",
        ]


# ---------------------------------------------------------------------------------------------- viewsets


class NetworkViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    model = Network
    serializer_class = NetworkSerializer
    permissions_by_action = {"*": "community.view"}
    filterset_fields = ["area_kind", "is_active"]

    def scoped_queryset(self):
        return super().scoped_queryset().select_related("place", "site", "organisation")


def _receipt(alert: Alert) -> dict:
    return {
        "uuid": alert.uuid,
        "reference": alert.reference,
        "status": alert.status,
        "processed": not alert.processing_error,
        "processing_error": alert.processing_error,
        "feedback_code": alert.feedback_code,
    }


class AlertViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Alerts. POST stores the alert before reading it: an alert that cannot be read is kept (202) with
    the reason, visible in triage; a readable one answers 201. A repeated `external_id` answers 200."""

    model = Alert
    serializer_class = AlertSerializer
    permissions_by_action = {
        "list": "community.triage",
        "retrieve": "community.triage",
        "create": "community.report_alert",
        "kobo": "community.report_alert",
        "*": "community.triage",
    }
    filterset_fields = ["status", "urgency", "channel"]

    def scoped_queryset(self):
        return (
            super()
            .scoped_queryset()
            .select_related("site", "place", "network", "organisation")
            .prefetch_related("children")
            .annotate(n_case_links=Count("case_links"))
        )

    def _answer(self, alert: Alert, created: bool) -> Response:
        if not created:
            code = status.HTTP_200_OK
        elif alert.processing_error:
            code = status.HTTP_202_ACCEPTED
        else:
            code = status.HTTP_201_CREATED
        return Response(AlertReceiptSerializer(_receipt(alert)).data, status=code)

    @extend_schema(request=AlertIntakeSerializer, responses=AlertReceiptSerializer)
    def create(self, request, *args, **kwargs):
        intake = AlertIntakeSerializer(data=request.data)
        intake.is_valid(raise_exception=True)
        data = dict(intake.validated_data)
        channel = data.pop("channel")
        external_id = data.pop("external_id", "") or None
        contact = data.pop("reporter_contact", "")
        if data.get("reporter_member"):
            data["reporter_member"] = str(data["reporter_member"])
        alert, created = services.receive_alert(
            actor=self.actor, channel=channel, payload=data, external_id=external_id, reporter_contact=contact
        )
        return self._answer(alert, created)

    @extend_schema(request=dict, responses=AlertReceiptSerializer)
    @action(detail=False, methods=["post"], url_path="kobo")
    def kobo(self, request):
        """A KoboToolbox REST-service submission (JSON), as Kobo posts it."""
        payload = request.data
        if not isinstance(payload, dict):
            raise ValidationError({"non_field_errors": [_("The submission must be a JSON object.")]})
        external = str(payload.get("_uuid") or payload.get("meta/instanceID") or "")[:100] or None
        alert, created = services.receive_alert(
            actor=self.actor, channel=Channel.KOBO, payload=dict(payload), external_id=external
        )
        return self._answer(alert, created)


class SessionViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    model = AwarenessSession
    serializer_class = SessionSerializer
    permissions_by_action = {"create": "community.record_awareness", "*": "community.view"}
    filterset_fields = ["kind", "theme", "audience"]

    def scoped_queryset(self):
        return (
            super()
            .scoped_queryset()
            .select_related("place", "organisation", "plan_activity", "commitment")
            .prefetch_related("participations")
        )

    @extend_schema(request=SessionWriteSerializer, responses=SessionSerializer)
    def create(self, request, *args, **kwargs):
        def record(data):
            data = dict(data)
            place = core_selectors.places(self.actor).filter(pcode=data.pop("place_pcode")).first()
            if place is None:
                raise ValidationError({"place_pcode": [_("Unknown p-code.")]})
            return services.record_session(actor=self.actor, place=place, **data)

        return create_through_service(SessionWriteSerializer, request.data, record, answer=SessionSerializer)


class TrainingViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Trainings (capacity building), with the plan activity and funder's commitment they are attributed to."""

    model = Training
    serializer_class = TrainingSerializer
    permissions_by_action = {"create": "community.record_awareness", "*": "community.view"}
    filterset_fields = ["group", "topic"]

    def scoped_queryset(self):
        return (
            super().scoped_queryset().select_related("place", "organisation", "plan_activity", "commitment")
        )

    @extend_schema(request=TrainingWriteSerializer, responses=TrainingSerializer)
    def create(self, request, *args, **kwargs):
        def record(data):
            data = dict(data)
            data["place"] = self._place(data.pop("place_pcode"))
            return services.record_training(actor=self.actor, **data)

        return create_through_service(
            TrainingWriteSerializer, request.data, record, answer=TrainingSerializer
        )

    def _place(self, pcode):
        place = core_selectors.places(self.actor).filter(pcode=pcode).first()
        if place is None:
            raise ValidationError({"place_pcode": [_("Unknown p-code.")]})
        return place


class FourWViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    model = FourW
    serializer_class = FourWSerializer
    permissions_by_action = {
        "create": "community.record_4w",
        "update": "community.record_4w",
        "partial_update": "community.record_4w",
        "destroy": "community.record_4w",
        "*": "community.view",
    }
    filterset_fields = ["status", "plan_action__axis__number", "organisation__type"]

    def scoped_queryset(self):
        qs = super().scoped_queryset()
        if self.action in ("update", "partial_update", "destroy"):
            qs = qs.filter(pk__in=selectors.editable_fourw(self.actor).values("pk"))
        return qs.select_related("organisation", "place", "implementing_partner", "funder", "plan_action")

    def _place(self, data):
        code = data.pop("place_pcode", None)
        if code is None:
            return {}
        place = core_selectors.places(self.actor).filter(pcode=code).first()
        if place is None:
            raise ValidationError({"place_pcode": [_("Unknown p-code.")]})
        return {"place": place}

    def create(self, request, *args, **kwargs):
        def create(data):
            data = dict(data)
            return services.create_fourw(actor=self.actor, **self._place(data), **data)

        return create_through_service(self.get_serializer, request.data, create, answer=FourWSerializer)

    def update(self, request, *args, **kwargs):
        record = self.get_object()
        incoming = self.get_serializer(record, data=request.data, partial=kwargs.get("partial", False))
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        record = services.update_fourw(actor=self.actor, record=record, **self._place(data), **data)
        return Response(FourWSerializer(record).data)

    def destroy(self, request, *args, **kwargs):
        services.delete_fourw(actor=self.actor, record=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeetingViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    model = Meeting
    serializer_class = MeetingSerializer
    permissions_by_action = {"*": "community.view"}

    def scoped_queryset(self):
        return (
            super()
            .scoped_queryset()
            .select_related("convening_organisation")
            .prefetch_related("participant_organisations", "items__owner")
        )


class ActionItemViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Action items; `?mine=1` lists the open items of the caller's organisation."""

    model = ActionItem
    serializer_class = ActionItemSerializer
    permissions_by_action = {"*": "community.view"}
    filterset_fields = ["status"]

    def scoped_queryset(self):
        if self.request.query_params.get("mine") == "1":
            if self.actor.organisation is None:
                return super().scoped_queryset().none()
            return selectors.action_items(self.actor, owner=self.actor.organisation)
        return super().scoped_queryset().select_related("owner", "meeting")

    @extend_schema(request=ItemStatusSerializer, responses=ActionItemSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, uuid=None):
        item = access.get_object_or_404(self.actor, ActionItem, uuid=uuid)
        incoming = ItemStatusSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        item = services.update_action_item(actor=self.actor, item=item, **incoming.validated_data)
        return Response(ActionItemSerializer(item).data)
