from rest_framework import serializers

from kinga.core.models import Place
from kinga.households.models import (
    Cooperative,
    CooperativeMember,
    Delivery,
    Deposit,
    Enrolment,
    Household,
    HouseholdMember,
    IncomeSourceKind,
    Programme,
    Survey,
    SurveyRound,
)
from kinga.plan.models import Activity, Commitment


def place_field() -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(slug_field="uuid", queryset=Place.objects.all())


class MemberSerializer(serializers.ModelSerializer):
    age = serializers.IntegerField(write_only=True, required=False, allow_null=True)
    birth_date = serializers.DateField(required=False, allow_null=True)
    child_case = serializers.SlugRelatedField(slug_field="uuid", read_only=True)

    class Meta:
        model = HouseholdMember
        fields = [
            "uuid",
            "full_name",
            "phone",
            "relationship",
            "sex",
            "birth_date",
            "birth_date_estimated",
            "age",
            "schooling",
            "attends_school",
            "occupation",
            "works_at_mine_site",
            "disability_or_chronic_illness",
            "child_case",
        ]
        read_only_fields = ["uuid", "birth_date_estimated", "child_case"]
        # Encrypted fields are blank=True at the model level; the name is what identifies a member.
        extra_kwargs = {"full_name": {"required": True, "allow_blank": False}}


class SurveySerializer(serializers.ModelSerializer):
    round = serializers.SlugRelatedField(slug_field="code", queryset=SurveyRound.objects.all())
    income_sources = serializers.DictField(
        child=serializers.DecimalField(max_digits=10, decimal_places=2), write_only=True, required=False
    )
    income_by_source = serializers.SerializerMethodField()

    class Meta:
        model = Survey
        fields = [
            "uuid",
            "round",
            "surveyed_on",
            "household_size",
            "head_sex",
            "head_age",
            "monthly_income_usd",
            "income_sources",
            "income_by_source",
            "has_productive_assets",
            "assets",
            "housing",
            "hunger_scale",
            "children_working",
            "children_working_at_mine",
            "school_age_out_of_school",
            "members_disabled_or_ill",
            "access_to_water",
            "access_to_health",
            "access_to_school",
            "access_to_credit",
            "business_opportunities",
        ]
        read_only_fields = ["uuid", "monthly_income_usd"]
        # Range checks belong to the service (one place for the rules, French messages).
        extra_kwargs = {
            name: {"validators": [], "min_value": None, "max_value": None}
            for name in ("household_size", "head_age", "hunger_scale", "children_working")
        }

    def get_income_by_source(self, survey) -> dict:
        return {s.kind: str(s.monthly_amount_usd) for s in survey.income_sources.all()}

    def validate_income_sources(self, value):
        unknown = set(value) - set(IncomeSourceKind.values)
        if unknown:
            raise serializers.ValidationError(f"Unknown income sources: {', '.join(sorted(unknown))}")
        return value


class HouseholdSerializer(serializers.ModelSerializer):
    place = place_field()
    score = serializers.DecimalField(max_digits=6, decimal_places=2, read_only=True, allow_null=True)
    members = MemberSerializer(many=True, read_only=True)
    surveys = SurveySerializer(many=True, read_only=True)
    # Read: the record's version; sent back with a change, the version the client read (409 if outdated).
    version = serializers.IntegerField(required=False, min_value=1)

    class Meta:
        model = Household
        fields = [
            "uuid",
            "survey_id",
            "place",
            "head_name",
            "contact_phone",
            "address",
            "latitude",
            "longitude",
            "size",
            "is_priority",
            "score",
            "members",
            "surveys",
            "version",
        ]
        read_only_fields = ["uuid", "is_priority", "score", "members", "surveys"]
        extra_kwargs = {
            "size": {"min_value": None, "max_value": None},
            "head_name": {"required": True, "allow_blank": False},
        }


class ProgrammeSerializer(serializers.ModelSerializer):
    area = serializers.SlugRelatedField(
        slug_field="uuid", queryset=Place.objects.all(), required=False, allow_null=True
    )
    organisation = serializers.StringRelatedField(read_only=True)
    plan_activity = serializers.SlugRelatedField(
        slug_field="uuid", queryset=Activity.objects.all(), required=False, allow_null=True
    )
    commitment = serializers.SlugRelatedField(
        slug_field="uuid", queryset=Commitment.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = Programme
        fields = [
            "uuid",
            "name",
            "kind",
            "organisation",
            "area",
            "starts_on",
            "ends_on",
            "max_hectares",
            "min_score",
            "capacity",
            "plan_activity",
            "commitment",
        ]
        read_only_fields = ["uuid", "organisation"]


class DeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = Delivery
        fields = ["uuid", "delivered_on", "kind", "description", "quantity", "unit", "value_usd"]
        read_only_fields = ["uuid"]


class DepositSerializer(serializers.ModelSerializer):
    class Meta:
        model = Deposit
        fields = ["uuid", "deposited_on", "amount_usd"]
        read_only_fields = ["uuid"]


class EnrolmentSerializer(serializers.ModelSerializer):
    programme = serializers.SlugRelatedField(slug_field="uuid", queryset=Programme.objects.all())
    household = serializers.SlugRelatedField(slug_field="uuid", queryset=Household.objects.all())
    member = serializers.SlugRelatedField(
        slug_field="uuid", queryset=HouseholdMember.objects.all(), required=False, allow_null=True
    )
    cooperative = serializers.SlugRelatedField(
        slug_field="uuid", queryset=Cooperative.objects.all(), required=False, allow_null=True
    )
    deliveries = DeliverySerializer(many=True, read_only=True)
    deposits = DepositSerializer(many=True, read_only=True)

    class Meta:
        model = Enrolment
        fields = [
            "uuid",
            "programme",
            "household",
            "member",
            "status",
            "enrolled_on",
            "ended_on",
            *Enrolment.DETAILS,
            "deliveries",
            "deposits",
        ]
        read_only_fields = ["uuid", "deliveries", "deposits"]
        extra_kwargs = {"hectares": {"min_value": None, "max_value": None}}


class CooperativeSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="organisation.name")
    acronym = serializers.CharField(source="organisation.acronym", required=False, allow_blank=True)
    place = place_field()
    network = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    supported_by = serializers.StringRelatedField(read_only=True)
    organisation_uuid = serializers.UUIDField(source="organisation.uuid", read_only=True)

    class Meta:
        model = Cooperative
        fields = [
            "uuid",
            "organisation_uuid",
            "name",
            "acronym",
            "kind",
            "registration_number",
            "registered_on",
            "place",
            "hectares",
            "network",
            "supported_by",
        ]
        read_only_fields = ["uuid", "organisation_uuid", "network", "supported_by"]


class CooperativeMemberSerializer(serializers.ModelSerializer):
    age = serializers.IntegerField(write_only=True, required=False, allow_null=True)
    birth_date = serializers.DateField(required=False, allow_null=True)

    class Meta:
        model = CooperativeMember
        fields = [
            "uuid",
            "full_name",
            "phone",
            "sex",
            "birth_date",
            "birth_date_estimated",
            "age",
            "is_artisanal_miner",
            "joined_on",
            "left_on",
        ]
        read_only_fields = ["uuid", "birth_date_estimated", "left_on"]
        # Encrypted fields are blank=True at the model level; the name is what identifies a member.
        extra_kwargs = {"full_name": {"required": True, "allow_blank": False}}
