"""API of household production and nutrition under /api/v1/: micro-finance groups (with their computed totals and
arrears), loans and repayments, harvests, nutrition visits. Scoped through kinga.core.access, writes through the
services (field-level JSON on refusal)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action

from kinga.core import access, plugins
from kinga.core.api_base import ScopedViewSetMixin, create_through_service
from kinga.households import selectors_production as selectors
from kinga.households import services
from kinga.households.models import (
    FinanceGroup,
    GroupMember,
    Harvest,
    Household,
    Loan,
    LoanRepayment,
    MuacMeasurement,
    NutritionVisit,
)
from kinga.households.models.production import FOOD_GROUPS

IDENTITY = "households.view_identity"
COUNTS = "households.view_counts"
UUID_RE = "[0-9a-fA-F-]{36}"
MONEY = {"max_digits": 14, "decimal_places": 2, "read_only": True}


def _household_field():
    # Named by its UUID; the view then reads it again through the actor's scope (another organisation's: 404).
    return serializers.SlugRelatedField(slug_field="uuid", queryset=selectors.households_by_uuid())


def _scoped_household(actor, household: Household) -> Household:
    return access.get_object_or_404(actor, Household, perm=IDENTITY, pk=household.pk)


class CreateListRetrieve(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = UUID_RE
    http_method_names = ["get", "post", "head", "options"]


# --- micro-finance -----------------------------------------------------------------------------------------


class GroupSerializer(serializers.ModelSerializer):
    place = serializers.SlugRelatedField(slug_field="pcode", queryset=selectors.places_by_pcode())
    organisation = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    members = serializers.IntegerField(source="member_count", read_only=True)
    lent = serializers.SerializerMethodField()
    repaid = serializers.SerializerMethodField()
    arrears = serializers.SerializerMethodField()
    late_loans = serializers.SerializerMethodField()
    available = serializers.SerializerMethodField()

    class Meta:
        model = FinanceGroup
        fields = [
            "uuid",
            "name",
            "kind",
            "organisation",
            "place",
            "formed_on",
            "capital_usd",
            "members",
            "lent",
            "repaid",
            "arrears",
            "late_loans",
            "available",
        ]
        read_only_fields = ["uuid", "organisation"]

    def _totals(self, group):
        totals = self.context.get("totals") or {}
        return totals.get(group.pk) or selectors.group_totals(group)

    @extend_schema_field(serializers.DecimalField(**MONEY))
    def get_lent(self, group):
        return str(self._totals(group).lent)

    @extend_schema_field(serializers.DecimalField(**MONEY))
    def get_repaid(self, group):
        return str(self._totals(group).repaid)

    @extend_schema_field(serializers.DecimalField(**MONEY))
    def get_arrears(self, group):
        return str(self._totals(group).arrears)

    @extend_schema_field(serializers.IntegerField())
    def get_late_loans(self, group):
        return self._totals(group).late_loans

    @extend_schema_field(serializers.DecimalField(**MONEY))
    def get_available(self, group):
        return str(self._totals(group).available)


class GroupMemberSerializer(serializers.ModelSerializer):
    household = _household_field()

    class Meta:
        model = GroupMember
        fields = ["uuid", "household", "joined_on", "left_on"]
        read_only_fields = ["uuid", "left_on"]


class LoanRepaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = LoanRepayment
        fields = ["uuid", "paid_on", "amount_usd"]
        read_only_fields = ["uuid"]


class LoanSerializer(serializers.ModelSerializer):
    group = serializers.SlugRelatedField(slug_field="uuid", queryset=selectors.groups_by_uuid())
    household = _household_field()
    repaid = serializers.DecimalField(**MONEY)
    amount_due = serializers.DecimalField(**MONEY)
    repayments = LoanRepaymentSerializer(many=True, read_only=True)

    class Meta:
        model = Loan
        fields = [
            "uuid",
            "group",
            "household",
            "purpose",
            "amount_usd",
            "interest_percent",
            "issued_on",
            "due_on",
            "amount_due",
            "repaid",
            "repayments",
        ]
        read_only_fields = ["uuid"]


class GroupViewSet(CreateListRetrieve):
    """Community micro-finance groups with their fund's totals today (lent, repaid, arrears, available)."""

    model = FinanceGroup
    serializer_class = GroupSerializer
    permissions_by_action = {
        "create": "households.manage_programmes",
        "members": "households.enrol",
        "*": COUNTS,
    }
    filterset_fields = ["kind"]

    def scoped_queryset(self):
        return selectors.groups(self.actor)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        page = getattr(self, "_page", None)
        if page:
            context["totals"] = selectors.totals_of(page)
        return context

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._page = selectors.with_member_counts(list(page)) if page is not None else None
        return self._page

    def get_object(self):
        return selectors.with_member_counts([super().get_object()])[0]

    def create(self, request, *args, **kwargs):
        def save(data):
            group = services.create_group(actor=self.actor, **data)
            return selectors.with_member_counts([group])[0]

        return create_through_service(GroupSerializer, request.data, save)

    @extend_schema(request=GroupMemberSerializer, responses=GroupMemberSerializer)
    @action(detail=True, methods=["post"])
    def members(self, request, uuid=None):
        """Add a member household (of the group's organisation)."""
        group = self.get_object()

        def save(data):
            household = _scoped_household(self.actor, data.pop("household"))
            return services.add_group_member(actor=self.actor, group=group, household=household, **data)

        return create_through_service(GroupMemberSerializer, request.data, save)


class LoanViewSet(CreateListRetrieve):
    """Loans of the groups' funds to member households, with what was repaid; repayments by sub-route."""

    model = Loan
    serializer_class = LoanSerializer
    permissions_by_action = {"create": "households.enrol", "repayments": "households.enrol", "*": IDENTITY}
    filterset_fields = ["purpose"]

    def scoped_queryset(self):
        qs = selectors.loans_with_repaid(super().scoped_queryset())
        return qs.select_related("group", "household").prefetch_related("repayments")

    def _answer(self, loan):
        return LoanSerializer(self.scoped_queryset().get(pk=loan.pk))

    def create(self, request, *args, **kwargs):
        def save(data):
            group = access.get_object_or_404(self.actor, FinanceGroup, pk=data.pop("group").pk)
            household = _scoped_household(self.actor, data.pop("household"))
            return services.record_loan(actor=self.actor, group=group, household=household, **data)

        return create_through_service(LoanSerializer, request.data, save, answer=self._answer)

    @extend_schema(request=LoanRepaymentSerializer, responses=LoanRepaymentSerializer)
    @action(detail=True, methods=["post"])
    def repayments(self, request, uuid=None):
        loan = self.get_object()
        return create_through_service(
            LoanRepaymentSerializer,
            request.data,
            lambda data: services.record_repayment(actor=self.actor, loan=loan, **data),
        )


# --- harvests and nutrition --------------------------------------------------------------------------------


class HarvestSerializer(serializers.ModelSerializer):
    household = _household_field()
    enrolment = serializers.SlugRelatedField(slug_field="uuid", read_only=True)

    class Meta:
        model = Harvest
        fields = [
            "uuid",
            "household",
            "enrolment",
            "kind",
            "product",
            "quantity",
            "unit",
            "area_ha",
            "season",
            "season_year",
            "recorded_on",
        ]
        read_only_fields = ["uuid", "enrolment"]
        validators = []  # the service says which field a duplicate concerns
        extra_kwargs = {"area_ha": {"min_value": None, "max_value": None}}


class HarvestViewSet(CreateListRetrieve):
    model = Harvest
    serializer_class = HarvestSerializer
    permissions_by_action = {"create": "households.edit", "*": IDENTITY}
    filterset_fields = ["kind", "product", "season", "season_year"]

    def scoped_queryset(self):
        return super().scoped_queryset().select_related("household", "enrolment")

    def create(self, request, *args, **kwargs):
        def save(data):
            household = _scoped_household(self.actor, data.pop("household"))
            return services.record_harvest(actor=self.actor, household=household, **data)

        return create_through_service(HarvestSerializer, request.data, save)


class MeasurementSerializer(serializers.ModelSerializer):
    member = serializers.SlugRelatedField(slug_field="uuid", queryset=selectors.members_by_uuid())

    class Meta:
        model = MuacMeasurement
        fields = ["member", "muac_mm", "oedema", "age_months", "status"]
        read_only_fields = ["age_months", "status"]
        extra_kwargs = {"muac_mm": {"min_value": None, "max_value": None}}


class VisitSerializer(serializers.ModelSerializer):
    household = _household_field()
    measurements = MeasurementSerializer(many=True, required=False)

    class Meta:
        model = NutritionVisit
        fields = [
            "uuid",
            "household",
            "visited_on",
            *FOOD_GROUPS,
            "food_score",
            "food_consumption",
            "measurements",
        ]
        read_only_fields = ["uuid", "food_score", "food_consumption"]
        extra_kwargs = {group: {"min_value": None, "max_value": None} for group in FOOD_GROUPS}


class NutritionVisitViewSet(CreateListRetrieve):
    """Nutrition visits: the week's food groups (the score and its class computed) and the children's MUAC (the
    status computed)."""

    model = NutritionVisit
    serializer_class = VisitSerializer
    permissions_by_action = {"create": "households.edit", "*": IDENTITY}
    filterset_fields = ["food_consumption", "visited_on"]

    def scoped_queryset(self):
        return super().scoped_queryset().select_related("household").prefetch_related("measurements__member")

    def create(self, request, *args, **kwargs):
        def save(data):
            household = _scoped_household(self.actor, data.pop("household"))
            children = [
                services.ChildMeasure(m["member"], m["muac_mm"], m.get("oedema", False))
                for m in data.pop("measurements", [])
            ]
            days = {group: data.pop(group) for group in FOOD_GROUPS if group in data}
            return services.record_nutrition_visit(
                actor=self.actor, household=household, food_days=days, children=children, **data
            )

        return create_through_service(VisitSerializer, request.data, save)


def register() -> None:
    plugins.register_api("households/finance-groups", GroupViewSet, basename="households-finance-group")
    plugins.register_api("households/loans", LoanViewSet, basename="households-loan")
    plugins.register_api("households/harvests", HarvestViewSet, basename="households-harvest")
    plugins.register_api(
        "households/nutrition-visits", NutritionVisitViewSet, basename="households-nutrition-visit"
    )
