"""Serializers of the case management API (kinga/cases/api.py): what each endpoint reads and answers.

The answers the views build by hand are described here too, so the OpenAPI schema names every field.
"""

from __future__ import annotations

from rest_framework import serializers

from kinga.plan.attribution import AttributionRead, AttributionWrite

from .models import (
    DOMAINS,
    Case,
    CaseStatus,
    ClosureReason,
    ConsentKind,
    Disability,
    Hazard,
    IdentificationMethod,
    ReferralStatus,
    RelapseSource,
    RiskLevel,
    SchoolStatus,
    Service,
    ServiceType,
    Sex,
    WorkActivity,
)


class CaseSerializer(serializers.ModelSerializer):
    given_name = serializers.CharField(source="child.given_name")
    middle_name = serializers.CharField(source="child.middle_name")
    family_name = serializers.CharField(source="child.family_name")
    other_names = serializers.CharField(source="child.other_names")
    sex = serializers.CharField(source="child.sex")
    date_of_birth = serializers.DateField(source="child.date_of_birth")
    date_of_birth_estimated = serializers.BooleanField(source="child.date_of_birth_estimated")
    caregivers = serializers.JSONField(source="child.caregivers")
    languages = serializers.JSONField(source="child.languages")
    school_status = serializers.CharField(source="child.school_status")
    organisation = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    territory = serializers.SlugRelatedField(slug_field="pcode", read_only=True)
    identification_site = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    caseworker = serializers.SlugRelatedField(slug_field="email", read_only=True)
    supervisor = serializers.SlugRelatedField(slug_field="email", read_only=True)

    class Meta:
        model = Case
        fields = [
            "uuid",
            "number",
            "status",
            "risk",
            "given_name",
            "middle_name",
            "family_name",
            "other_names",
            "sex",
            "date_of_birth",
            "date_of_birth_estimated",
            "caregivers",
            "languages",
            "school_status",
            "organisation",
            "caseworker",
            "supervisor",
            "territory",
            "identification_method",
            "identification_date",
            "identification_site",
            "work_activities",
            "hazards",
            "hours_per_week",
            "working_since",
            "age_at_identification",
            "registration_date",
            "assessment_due",
            "care_plan_due",
            "next_due",
            "next_task",
            "closed_on",
            "closure_reason",
            "exited",
            "relapse_count",
            # Optimistic locking (kinga.core.concurrency): send it back with a step; 409 if someone acted since.
            "version",
        ]
        read_only_fields = fields


class StepSerializer(serializers.Serializer):
    """A workflow step posted on a case. `version` is the case's version the client read (GET); when sent, the
    step is refused with 409 and {"version": [...]} if the case changed since (kinga.core.concurrency)."""

    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="The case's version as read; 409 Conflict if someone changed the case since.",
    )


class RegisterSerializer(serializers.Serializer):
    given_name = serializers.CharField(max_length=100)
    family_name = serializers.CharField(max_length=100)
    middle_name = serializers.CharField(max_length=100, required=False, default="")
    other_names = serializers.CharField(max_length=200, required=False, default="")
    sex = serializers.ChoiceField(choices=Sex.choices)
    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
    estimated_age = serializers.IntegerField(required=False, allow_null=True, default=None)
    residence = serializers.UUIDField(required=False, allow_null=True, default=None)
    place_of_origin = serializers.UUIDField(required=False, allow_null=True, default=None)
    languages = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    disability = serializers.ChoiceField(choices=Disability.choices, required=False, default=Disability.NONE)
    school_status = serializers.ChoiceField(
        choices=SchoolStatus.choices, required=False, default=SchoolStatus.UNKNOWN
    )
    last_grade = serializers.CharField(required=False, default="")
    caregivers = serializers.ListField(child=serializers.DictField(), required=False, default=list)
    notes = serializers.CharField(required=False, default="")
    identification_method = serializers.ChoiceField(choices=IdentificationMethod.choices)
    identification_date = serializers.DateField()
    identification_site = serializers.UUIDField(required=False, allow_null=True, default=None)
    identification_place = serializers.UUIDField(required=False, allow_null=True, default=None)
    work_activities = serializers.ListField(
        child=serializers.ChoiceField(choices=WorkActivity.choices), required=False, default=list
    )
    hazards = serializers.ListField(
        child=serializers.ChoiceField(choices=Hazard.choices), required=False, default=list
    )
    hours_per_week = serializers.IntegerField(required=False, allow_null=True, default=None)
    working_since = serializers.DateField(required=False, allow_null=True, default=None)
    registration_date = serializers.DateField(required=False, allow_null=True, default=None)
    risk = serializers.ChoiceField(choices=RiskLevel.choices, required=False, default="", allow_blank=True)


class AssessSerializer(StepSerializer):
    date = serializers.DateField()
    child_resources = serializers.CharField(required=False, default="", allow_blank=True)
    family_resources = serializers.CharField(required=False, default="", allow_blank=True)
    notes = serializers.CharField(required=False, default="", allow_blank=True)


for _key, _label in DOMAINS:
    AssessSerializer._declared_fields[_key] = serializers.IntegerField(min_value=0, max_value=3)


class PlanItemSerializer(StepSerializer):
    need = serializers.CharField()
    goal = serializers.CharField()
    planned_support = serializers.CharField()
    service_type = serializers.ChoiceField(
        choices=ServiceType.choices, required=False, default="", allow_blank=True
    )
    responsible_organisation = serializers.UUIDField()
    due_date = serializers.DateField()


class DecisionSerializer(StepSerializer):
    approve = serializers.BooleanField()
    date = serializers.DateField()
    comment = serializers.CharField(required=False, default="", allow_blank=True)
    override_reason = serializers.CharField(required=False, default="", allow_blank=True)


class DateSerializer(StepSerializer):
    date = serializers.DateField()


class ConsentSerializer(StepSerializer):
    kind = serializers.ChoiceField(choices=ConsentKind.choices)
    given_by = serializers.CharField()
    relationship = serializers.CharField(required=False, default="", allow_blank=True)
    date = serializers.DateField()
    for_services = serializers.BooleanField(default=False)
    for_data_sharing = serializers.BooleanField(default=False)
    share_with = serializers.ListField(child=serializers.UUIDField(), required=False, default=list)
    for_photos = serializers.BooleanField(default=False)


class ReferSerializer(AttributionWrite, StepSerializer):
    provider = serializers.UUIDField(required=False, allow_null=True, default=None)
    service = serializers.UUIDField(required=False, allow_null=True, default=None)
    service_type = serializers.ChoiceField(
        choices=ServiceType.choices, required=False, default="", allow_blank=True
    )
    reason = serializers.CharField(required=False, default="", allow_blank=True)
    date = serializers.DateField()
    consent_override_reason = serializers.CharField(required=False, default="", allow_blank=True)


class FollowUpSerializer(StepSerializer):
    visit_date = serializers.DateField()
    child_seen = serializers.BooleanField()
    in_school_or_training = serializers.BooleanField(required=False, allow_null=True, default=None)
    attending = serializers.BooleanField(required=False, allow_null=True, default=None)
    found_working = serializers.BooleanField(default=False)
    seen_at_site = serializers.BooleanField(default=False)
    site = serializers.UUIDField(required=False, allow_null=True, default=None)
    household_situation = serializers.CharField(required=False, default="", allow_blank=True)
    risks = serializers.CharField(required=False, default="", allow_blank=True)
    notes = serializers.CharField(required=False, default="", allow_blank=True)


class ClosureSerializer(StepSerializer):
    reason = serializers.ChoiceField(choices=ClosureReason.choices)
    date = serializers.DateField()
    note = serializers.CharField(required=False, default="", allow_blank=True)
    override_reason = serializers.CharField(required=False, default="", allow_blank=True)


class RetentionSerializer(StepSerializer):
    check = serializers.UUIDField()
    date = serializers.DateField()
    found_working = serializers.BooleanField()
    seen_at_site = serializers.BooleanField(default=False)
    in_school_or_training = serializers.BooleanField(required=False, allow_null=True, default=None)
    site = serializers.UUIDField(required=False, allow_null=True, default=None)
    notes = serializers.CharField(required=False, default="", allow_blank=True)


class RelapseSerializer(StepSerializer):
    date = serializers.DateField()
    source = serializers.ChoiceField(choices=RelapseSource.choices)
    site = serializers.UUIDField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, default="", allow_blank=True)


class AssignSerializer(StepSerializer):
    caseworker = serializers.EmailField()


class ReferralAnswerSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["accept", "decline", "delivered"])
    date = serializers.DateField()
    reason = serializers.CharField(required=False, default="", allow_blank=True)


class ServiceSerializer(AttributionRead, serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    place = serializers.SlugRelatedField(slug_field="uuid", read_only=True)

    class Meta:
        model = Service
        fields = [
            "uuid",
            "name",
            "service_type",
            "organisation",
            "place",
            "capacity",
            "contact",
            "plan_activity",
            "commitment",
        ]


class RegisteredSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=CaseStatus.choices)


class CreatedSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()


class AssessmentResultSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    risk = serializers.ChoiceField(choices=RiskLevel.choices)
    scoring_version = serializers.IntegerField()


class ReferralCreatedSerializer(AttributionRead):
    uuid = serializers.UUIDField()
    status = serializers.ChoiceField(choices=ReferralStatus.choices)
    answer_due = serializers.DateField()


class TimelineEventSerializer(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.CharField()
    summary = serializers.CharField(help_text="The event in the reader's language (French by default).")
    params = serializers.DictField(help_text="The event's parameters: codes, numbers, names.")
    to_status = serializers.CharField(
        allow_blank=True, help_text="The case's status after the event, if it changed."
    )


class ExitRuleSerializer(serializers.Serializer):
    met = serializers.BooleanField()
    rule = serializers.CharField()
    explanation = serializers.ListField(child=serializers.CharField())


class TimelineSerializer(serializers.Serializer):
    events = TimelineEventSerializer(many=True)
    exit_rule = ExitRuleSerializer()


class SharedFieldsSerializer(serializers.Serializer):
    """kinga.cases.selectors.shared_fields: labels in the reader's language, no identifier beyond the number."""

    case_number = serializers.CharField()
    given_name = serializers.CharField()
    family_name = serializers.CharField()
    sex = serializers.CharField()
    age = serializers.IntegerField(allow_null=True)
    languages = serializers.CharField()
    disability = serializers.CharField()
    school_status = serializers.CharField()
    last_grade = serializers.CharField()
    caregiver_name = serializers.CharField()
    caregiver_phone = serializers.CharField()
    referring_organisation = serializers.CharField()
    service_type = serializers.CharField()
    reason = serializers.CharField()


class ReferralInSerializer(AttributionRead):
    uuid = serializers.UUIDField()
    status = serializers.ChoiceField(choices=ReferralStatus.choices)
    referred_on = serializers.DateField()
    answer_due = serializers.DateField()
    shared = SharedFieldsSerializer()


class CaseStatsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    relapsed = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField(), help_text="Cases per status code.")


# --- monitoring of non-return (counts only) ---------------------------------------------------------------


class NonReturnCheckSerializer(serializers.Serializer):
    months = serializers.IntegerField(help_text="Months after the exit: 3, 6 or 12.")
    scheduled = serializers.IntegerField(help_text="Checks scheduled for the cohort.")
    done = serializers.IntegerField()
    retained = serializers.IntegerField(help_text="Done, the child neither found working nor seen at a site.")
    working = serializers.IntegerField(help_text="Done, the child found working or seen at a mine site.")
    not_due = serializers.IntegerField(help_text="Not done, due today or later.")
    late = serializers.IntegerField(
        help_text="Not done, due date passed by at most `missed_after_days` days."
    )
    missed = serializers.IntegerField(
        help_text="Not done, due date passed by more than `missed_after_days` days."
    )
    lapsed = serializers.IntegerField(help_text="Not done and no longer possible: the case was reopened.")
    retained_share_of_done = serializers.FloatField(
        source="ratio_of_done", allow_null=True, help_text="retained / done (0–1); null when none done."
    )
    retained_share_of_cohort = serializers.FloatField(
        source="ratio_of_cohort", allow_null=True, help_text="retained / children of the cohort (0–1)."
    )


class NonReturnCohortSerializer(serializers.Serializer):
    quarter = serializers.CharField(source="quarter.iso", help_text="Quarter of exit, e.g. 2026Q1.")
    label = serializers.CharField(source="quarter.label")
    children = serializers.IntegerField(help_text="Children whose case was closed with exit achieved.")
    checks = NonReturnCheckSerializer(source="cells", many=True)


class NonReturnShareSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The stored code (source, sex, age band, territory p-code).")
    label = serializers.CharField()
    count = serializers.IntegerField(help_text="Relapses.")


class NonReturnSiteSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    name = serializers.CharField()
    territory = serializers.CharField()
    relapses = serializers.IntegerField()
    children = serializers.IntegerField()
    status = serializers.CharField(help_text="Child-labour status today: blue, green, yellow, red, expired.")


class NonReturnIndicatorSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    value = serializers.IntegerField()


class NonReturnSerializer(serializers.Serializer):
    period = serializers.CharField(source="period.iso")
    period_label = serializers.CharField(source="period.label")
    start = serializers.DateField(source="period.start")
    end = serializers.DateField(source="period.end")
    territory = serializers.CharField(source="territory.pcode", allow_null=True, default=None)
    as_of = serializers.DateField(source="today", help_text="The checks' state is as of this day.")
    missed_after_days = serializers.IntegerField()
    cohorts = NonReturnCohortSerializer(many=True, help_text="Newest quarter first.")
    relapses = serializers.IntegerField(help_text="Relapses dated in the period.")
    children_relapsed = serializers.IntegerField()
    by_source = NonReturnShareSerializer(many=True)
    by_sex = NonReturnShareSerializer(many=True)
    by_age_band = NonReturnShareSerializer(many=True)
    by_territory = NonReturnShareSerializer(many=True)
    top_sites = NonReturnSiteSerializer(many=True)
    other_sites = serializers.IntegerField(help_text="Relapses at sites outside the top sites.")
    unknown_site = serializers.IntegerField(help_text="Relapses with no site recorded.")
    indicators = NonReturnIndicatorSerializer(many=True)
