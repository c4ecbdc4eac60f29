"""The field submissions over the API: the review queue, one submission with its answers (identities masked for
roles that do not see them), and the data manager's replay with corrections or rejection."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kinga.core.api_base import ScopedViewSetMixin

from . import selectors, services
from .models import State, Submission


class SubmissionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Submission
        fields = [
            "id",
            "source",
            "channel",
            "form_id",
            "instance_id",
            "root_id",
            "state",
            "reasons",
            "received_at",
            "submitted_at",
            "record_type",
            "record_uuid",
            "rejection_reason",
        ]
        read_only_fields = fields


class AnswerSerializer(serializers.Serializer):
    path = serializers.CharField()
    value = serializers.CharField()
    corrected = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField())
    hidden = serializers.BooleanField(help_text="masked: the role does not see identities")
    editable = serializers.BooleanField(help_text="false for a repeat (its rows are corrected on the server)")


class SubmissionDetailSerializer(SubmissionSerializer):
    answers = serializers.SerializerMethodField()

    class Meta(SubmissionSerializer.Meta):
        fields = [*SubmissionSerializer.Meta.fields, "answers"]
        read_only_fields = fields

    @extend_schema_field(AnswerSerializer(many=True))
    def get_answers(self, submission) -> list[dict]:
        rows = selectors.answer_rows(self.context["actor"], submission)
        return AnswerSerializer([row.__dict__ for row in rows], many=True).data


class ReplaySerializer(serializers.Serializer):
    corrections = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=2000),
        required=False,
        help_text="question path → corrected value (empty: drop an earlier correction)",
    )
    without_files = serializers.BooleanField(
        required=False,
        default=False,
        help_text="apply without the files the answers name (a photo refused by its checks is left out)",
    )


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class SubmissionViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Submissions from KoboToolbox and ODK of the actor's organisation: `?state=` (default: all)."""

    model = Submission
    serializer_class = SubmissionSerializer
    permissions_by_action = {"*": selectors.REVIEW}
    lookup_field = "id"
    lookup_url_kwarg = "uuid"

    def scoped_queryset(self):
        state = self.request.query_params.get("state", "")
        return selectors.submissions(self.actor, state=state if state in State.values else "")

    def get_serializer_class(self):
        return SubmissionDetailSerializer if self.action != "list" else SubmissionSerializer

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "actor": self.actor}

    def _answer(self, submission):
        return Response(SubmissionDetailSerializer(submission, context=self.get_serializer_context()).data)

    @extend_schema(request=ReplaySerializer, responses=SubmissionDetailSerializer)
    @action(detail=True, methods=["post"])
    def replay(self, request, uuid=None):
        submission = self.get_object()
        data = ReplaySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        submission = services.replay(
            actor=self.actor,
            submission=submission,
            corrections=data.validated_data.get("corrections") or {},
            without_files=data.validated_data["without_files"],
        )
        return self._answer(submission)

    @extend_schema(request=RejectSerializer, responses=SubmissionDetailSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, uuid=None):
        submission = self.get_object()
        data = RejectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(
            services.reject(actor=self.actor, submission=submission, reason=data.validated_data["reason"])
        )
