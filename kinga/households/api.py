"""API of the households app under /api/v1/: scoped through kinga.core.access, writes through services."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied as DRFPermissionDenied
from rest_framework.response import Response

from kinga.core import access, plugins
from kinga.core.api_base import (
    HasPermission,
    ScopedViewSetMixin,
    SearchSerializer,
    create_through_service,
)
from kinga.households import index, outcomes, selectors, services
from kinga.households.models import Cooperative, Enrolment, Household, Programme
from kinga.households.serializers import (
    CooperativeMemberSerializer,
    CooperativeSerializer,
    DeliverySerializer,
    DepositSerializer,
    EnrolmentSerializer,
    HouseholdSerializer,
    MemberSerializer,
    ProgrammeSerializer,
    SurveySerializer,
)
from kinga.households.services.households import HOUSEHOLD_EDITABLE

IDENTITY = "households.view_identity"
COUNTS = "households.view_counts"
UUID_RE = "[0-9a-fA-F-]{36}"


class HouseholdViewSet(
    ScopedViewSetMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Households with members, surveys and current score. Members and surveys are added by sub-routes."""

    model = Household
    serializer_class = HouseholdSerializer
    lookup_value_regex = UUID_RE
    http_method_names = ["get", "post", "patch", "head", "options"]
    permissions_by_action = {
        "create": "households.edit",
        "partial_update": "households.edit",
        "members": "households.edit",
        "surveys": "households.edit",
        "*": IDENTITY,
    }

    def scoped_queryset(self):
        return self._households(q="")

    def _households(self, *, q: str):
        qs = selectors.households(self.actor, q=q, order="created")
        return qs.prefetch_related("members", "surveys__round", "surveys__income_sources")

    @extend_schema(request=SearchSerializer, responses=HouseholdSerializer(many=True))
    @action(detail=False, methods=["post"])
    def search(self, request):
        """Households by a member's name or the survey identifier, posted (names stay out of URLs and logs)."""
        query = SearchSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        page = self.paginate_queryset(self._households(q=query.validated_data["q"]))
        return self.get_paginated_response(HouseholdSerializer(page, many=True).data)

    def create(self, request, *args, **kwargs):
        return create_through_service(
            HouseholdSerializer,
            request.data,
            lambda data: services.create_household(
                actor=self.actor, **{k: v for k, v in data.items() if k != "version"}
            ),
        )

    def partial_update(self, request, *args, **kwargs):
        household = self.get_object()
        serializer = self.get_serializer(household, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = {k: v for k, v in serializer.validated_data.items() if k in HOUSEHOLD_EDITABLE}
        services.update_household(
            actor=self.actor, household=household, version=serializer.validated_data.get("version"), **changes
        )
        return Response(HouseholdSerializer(self.get_object()).data)

    @extend_schema(request=MemberSerializer, responses=MemberSerializer)
    @action(detail=True, methods=["post"])
    def members(self, request, uuid=None):
        household = access.get_object_or_404(self.actor, Household, perm=IDENTITY, uuid=uuid)
        return create_through_service(
            MemberSerializer,
            request.data,
            lambda data: services.add_member(actor=self.actor, household=household, **data),
        )

    @extend_schema(request=SurveySerializer, responses=SurveySerializer)
    @action(detail=True, methods=["post"])
    def surveys(self, request, uuid=None):
        household = access.get_object_or_404(self.actor, Household, perm=IDENTITY, uuid=uuid)
        return create_through_service(
            SurveySerializer,
            request.data,
            lambda data: services.record_survey(actor=self.actor, household=household, **data),
        )

    @extend_schema(responses={200: dict})
    @action(detail=True, methods=["get"], url_path="index")
    def vulnerability(self, request, uuid=None):
        """The current index of the household, explained item by item (computed now)."""
        household = self.get_object()
        survey = selectors.household_surveys(self.actor, household).last()
        if survey is None:
            return Response({"score": None, "items": []})
        explanation = index.explain(survey, index.current_version())
        return Response(
            {
                "version": explanation.version.code,
                "round": survey.round.code,
                "score": str(explanation.score),
                "items": [
                    {
                        "code": i.code,
                        "label": i.label,
                        "holds": i.holds,
                        "weight": str(i.weight),
                        "points": str(i.points),
                        "reason": i.reason,
                    }
                    for i in explanation.items
                ],
            }
        )


class ProgrammeViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    model = Programme
    serializer_class = ProgrammeSerializer
    lookup_value_regex = UUID_RE
    permissions_by_action = {"create": "households.manage_programmes", "*": COUNTS}
    filterset_fields = ["kind"]

    def scoped_queryset(self):
        return super().scoped_queryset().select_related("organisation", "area", "plan_activity", "commitment")

    def create(self, request, *args, **kwargs):
        return create_through_service(
            ProgrammeSerializer,
            request.data,
            lambda data: services.create_programme(actor=self.actor, **data),
        )

    @extend_schema(responses={200: dict})
    @action(detail=True, methods=["get"])
    def comparison(self, request, uuid=None):
        """Enrolled households' averages per round against the others; before/after enrolment."""
        programme = self.get_object()
        c = outcomes.programme_comparison(self.actor, programme)
        if c.suppressed:
            return Response({"enrolled": c.enrolled_count, "suppressed": True})

        def rows(d):
            return {
                str(k): {
                    key: v[key] for key in ("households", "income_pp", "hunger", "mine", "out_of_school")
                }
                for k, v in d.items()
            }

        return Response(
            {
                "enrolled": c.enrolled_count,
                "suppressed": False,
                "rounds": [{"number": r.number, "code": r.code, "name": r.name} for r in c.rounds],
                "enrolled_by_round": rows(c.enrolled),
                "others_by_round": rows(c.others),
                "before_after": c.before_after,
            }
        )


class EnrolmentViewSet(
    ScopedViewSetMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    model = Enrolment
    serializer_class = EnrolmentSerializer
    lookup_value_regex = UUID_RE
    http_method_names = ["get", "post", "patch", "head", "options"]
    permissions_by_action = {
        "create": "households.enrol",
        "partial_update": "households.enrol",
        "deliveries": "households.enrol",
        "deposits": "households.enrol",
        "*": IDENTITY,
    }
    filterset_fields = ["status"]

    def scoped_queryset(self):
        return (
            super()
            .scoped_queryset()
            .select_related("programme", "household", "member", "cooperative")
            .prefetch_related("deliveries", "deposits")
        )

    def create(self, request, *args, **kwargs):
        def enrol(data):
            data = dict(data)
            household = access.get_object_or_404(
                self.actor, Household, perm=IDENTITY, pk=data.pop("household").pk
            )
            data.pop("status", None)
            data.pop("ended_on", None)
            return services.enrol(actor=self.actor, household=household, **data)

        return create_through_service(EnrolmentSerializer, request.data, enrol)

    def partial_update(self, request, *args, **kwargs):
        enrolment = self.get_object()
        serializer = self.get_serializer(enrolment, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        for fixed in ("programme", "household", "member", "enrolled_on"):
            if fixed in data:
                raise ValidationError({fixed: ["This field cannot be changed."]})
        services.update_enrolment(
            actor=self.actor,
            enrolment=enrolment,
            status=data.pop("status", None),
            ended_on=data.pop("ended_on", None),
            **data,
        )
        return Response(EnrolmentSerializer(self.get_object()).data)

    @extend_schema(request=DeliverySerializer, responses=DeliverySerializer)
    @action(detail=True, methods=["post"])
    def deliveries(self, request, uuid=None):
        enrolment = self.get_object()
        return create_through_service(
            DeliverySerializer,
            request.data,
            lambda data: services.add_delivery(actor=self.actor, enrolment=enrolment, **data),
        )

    @extend_schema(request=DepositSerializer, responses=DepositSerializer)
    @action(detail=True, methods=["post"])
    def deposits(self, request, uuid=None):
        enrolment = self.get_object()
        return create_through_service(
            DepositSerializer,
            request.data,
            lambda data: services.add_deposit(actor=self.actor, enrolment=enrolment, **data),
        )


class CooperativeViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Cooperatives (visible to every role with counts); their members only to the cooperative and its
    supporting organisation, for roles that see identities."""

    model = Cooperative
    serializer_class = CooperativeSerializer
    lookup_value_regex = UUID_RE
    permissions_by_action = {"create": "households.manage_cooperatives", "*": COUNTS}
    filterset_fields = ["kind"]

    def scoped_queryset(self):
        return super().scoped_queryset().select_related("organisation", "network", "place", "supported_by")

    def create(self, request, *args, **kwargs):
        def create(data):
            data = dict(data)
            org = data.pop("organisation", {})
            return services.create_cooperative(
                actor=self.actor, name=org.get("name", ""), acronym=org.get("acronym", ""), **data
            )

        return create_through_service(CooperativeSerializer, request.data, create)

    @extend_schema(request=CooperativeMemberSerializer, responses=CooperativeMemberSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def members(self, request, uuid=None):
        cooperative = self.get_object()
        if request.method == "POST":
            access.require(self.actor, "households.edit")
            if not selectors.can_keep_members(self.actor, cooperative):
                raise DRFPermissionDenied()
            return create_through_service(
                CooperativeMemberSerializer,
                request.data,
                lambda data: services.add_cooperative_member(
                    actor=self.actor, cooperative=cooperative, **data
                ),
            )
        members = selectors.cooperative_members(self.actor, cooperative)
        page = self.paginate_queryset(members)
        return self.get_paginated_response(CooperativeMemberSerializer(page, many=True).data)

    @extend_schema(request=SearchSerializer, responses=CooperativeMemberSerializer(many=True))
    @action(detail=True, methods=["post"], url_path="members/search")
    def member_search(self, request, uuid=None):
        """The cooperative's members by name, posted (names stay out of URLs and logs)."""
        cooperative = self.get_object()
        query = SearchSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        members = selectors.cooperative_members(self.actor, cooperative, q=query.validated_data["q"])
        page = self.paginate_queryset(members)
        return self.get_paginated_response(CooperativeMemberSerializer(page, many=True).data)


@extend_schema(responses={200: dict})
class StatsViewSet(viewsets.ViewSet):
    """Counts for every role with households.view_counts (coordinators and funders see only these)."""

    permission_classes = [HasPermission]

    def permission_for(self, action):
        return COUNTS

    def list(self, request):
        data = outcomes.dashboard(access.actor_from_request(request))
        return Response(
            {
                "households": data["households"],
                "surveyed": data["surveyed"],
                "surveys": data["surveys"],
                "priority": data["priority"],
                "households_by_support": {str(label): n for label, n in data["by_kind"]},
                "hectares": str(data["hectares"]),
                "accounts_funded": data["accounts_funded"],
                "literacy_completed": data["literacy_completed"],
                "cooperatives": data["cooperatives"],
                "networks": data["networks"],
                "cooperative_members": data["cooperative_members"],
            }
        )


def register() -> None:
    plugins.register_api("households", HouseholdViewSet, basename="household")
    plugins.register_api("household-programmes", ProgrammeViewSet, basename="household-programme")
    plugins.register_api("household-enrolments", EnrolmentViewSet, basename="household-enrolment")
    plugins.register_api("cooperatives", CooperativeViewSet, basename="cooperative")
    plugins.register_api("household-stats", StatsViewSet, basename="household-stats")
