"""API of case management (/api/v1/cases/, /case-referrals/, /case-services/, /case-stats/).

Same scoping as the screens: cases through kinga.core.access, referrals received as shared fields only,
counts for the roles that see no identity. Each workflow step is a POST action on the case; the services
validate and their errors come back as field-level JSON (400).
"""

from __future__ import annotations

from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kinga.core import access
from kinga.core.api_base import HasPermission, ScopedViewSetMixin
from kinga.core.models import Organisation, Place

from . import clock, selectors, services
from .models import (
    DOMAINS,
    Case,
    CaseStatus,
    ClosureReason,
    ConsentKind,
    Disability,
    Hazard,
    IdentificationMethod,
    Referral,
    RelapseSource,
    RiskLevel,
    SchoolStatus,
    Service,
    ServiceType,
    Sex,
    WorkActivity,
)


def _org(actor, value):
    return access.get_object_or_404(actor, Organisation, uuid=value) if value else None


def _place(actor, value):
    return access.get_object_or_404(actor, Place, uuid=value) if value else None


def _site(actor, value):
    from kinga.sites.models import Site

    return access.get_object_or_404(actor, Site, uuid=value) if value else None


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
        ]
        read_only_fields = fields


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


class AssessSerializer(serializers.Serializer):
    date = serializers.DateField()
    child_resources = serializers.CharField(required=False, default="", allow_blank=True)
    family_resources = serializers.CharField(required=False, default="", allow_blank=True)
    notes = serializers.CharField(required=False, default="", allow_blank=True)


for _key, _label in DOMAINS:
    AssessSerializer._declared_fields[_key] = serializers.IntegerField(min_value=0, max_value=3)


class PlanItemSerializer(serializers.Serializer):
    need = serializers.CharField()
    goal = serializers.CharField()
    planned_support = serializers.CharField()
    service_type = serializers.ChoiceField(
        choices=ServiceType.choices, required=False, default="", allow_blank=True
    )
    responsible_organisation = serializers.UUIDField()
    due_date = serializers.DateField()


class DecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    date = serializers.DateField()
    comment = serializers.CharField(required=False, default="", allow_blank=True)
    override_reason = serializers.CharField(required=False, default="", allow_blank=True)


class DateSerializer(serializers.Serializer):
    date = serializers.DateField()


class ConsentSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ConsentKind.choices)
    given_by = serializers.CharField()
    relationship = serializers.CharField(required=False, default="", allow_blank=True)
    date = serializers.DateField()
    for_services = serializers.BooleanField(default=False)
    for_data_sharing = serializers.BooleanField(default=False)
    share_with = serializers.ListField(child=serializers.UUIDField(), required=False, default=list)
    for_photos = serializers.BooleanField(default=False)


class ReferSerializer(serializers.Serializer):
    provider = serializers.UUIDField(required=False, allow_null=True, default=None)
    service = serializers.UUIDField(required=False, allow_null=True, default=None)
    service_type = serializers.ChoiceField(
        choices=ServiceType.choices, required=False, default="", allow_blank=True
    )
    reason = serializers.CharField(required=False, default="", allow_blank=True)
    date = serializers.DateField()
    consent_override_reason = serializers.CharField(required=False, default="", allow_blank=True)


class FollowUpSerializer(serializers.Serializer):
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


class ClosureSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=ClosureReason.choices)
    date = serializers.DateField()
    note = serializers.CharField(required=False, default="", allow_blank=True)
    override_reason = serializers.CharField(required=False, default="", allow_blank=True)


class RetentionSerializer(serializers.Serializer):
    check = serializers.UUIDField()
    date = serializers.DateField()
    found_working = serializers.BooleanField()
    seen_at_site = serializers.BooleanField(default=False)
    in_school_or_training = serializers.BooleanField(required=False, allow_null=True, default=None)
    site = serializers.UUIDField(required=False, allow_null=True, default=None)
    notes = serializers.CharField(required=False, default="", allow_blank=True)


class RelapseSerializer(serializers.Serializer):
    date = serializers.DateField()
    source = serializers.ChoiceField(choices=RelapseSource.choices)
    site = serializers.UUIDField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, default="", allow_blank=True)


class AssignSerializer(serializers.Serializer):
    caseworker = serializers.EmailField()


class CaseViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Cases the actor may see; `?q=` searches whole name tokens (exact or phonetic) or a case number."""

    model = Case
    serializer_class = CaseSerializer
    permissions_by_action = {
        "list": "cases.view_identity",
        "retrieve": "cases.view_identity",
        "timeline": "cases.view_identity",
        "create": "cases.register",
        "decide_plan": "cases.approve",
        "decide_closure": "cases.approve",
        "assign": "cases.assign",
        "*": "cases.work",
    }

    def get_queryset(self):
        qs = (
            super()
            .get_queryset()
            .select_related(
                "child", "organisation", "territory", "identification_site", "caseworker", "supervisor"
            )
        )
        if self.action == "list":
            params = self.request.query_params
            if params.get("q"):
                qs = selectors.search(qs, params["q"])
            if params.get("status") in CaseStatus.values:
                qs = qs.filter(status=params["status"])
            if params.get("overdue") == "1":
                qs = qs.filter(next_due__lt=clock.today())
            qs = qs.order_by("next_due", "-id")
        return qs

    def retrieve(self, request, *args, **kwargs):
        case = selectors.open_case_file(self.actor, kwargs["uuid"])
        return Response(CaseSerializer(case).data)

    def create(self, request):
        s = RegisterSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = dict(s.validated_data)
        actor = self.actor
        d["residence"] = _place(actor, d["residence"])
        d["place_of_origin"] = _place(actor, d["place_of_origin"])
        d["identification_place"] = _place(actor, d["identification_place"])
        d["identification_site"] = _site(actor, d["identification_site"])
        case = services.register_case(actor=actor, **d)
        return Response({"uuid": str(case.uuid), "number": case.number, "status": case.status}, status=201)

    def _case(self):
        return selectors.get_case(self.actor, self.kwargs["uuid"], perm=self.permission_for(self.action))

    def _input(self, serializer_class):
        s = serializer_class(data=self.request.data)
        s.is_valid(raise_exception=True)
        return dict(s.validated_data)

    def _done(self, case):
        case.refresh_from_db()
        return Response(CaseSerializer(case).data)

    @action(detail=True, methods=["get"])
    def timeline(self, request, uuid=None):
        case = self._case()
        rule = services.evaluate_exit_rule(case)
        return Response(
            {
                "events": [
                    {"date": e.date, "kind": e.kind, "summary": e.summary, "to_status": e.to_status}
                    for e in selectors.timeline(case)
                ],
                "exit_rule": {"met": rule.met, "rule": rule.rule, "explanation": rule.explanation},
            }
        )

    @action(detail=True, methods=["post"])
    def assess(self, request, uuid=None):
        case, d = self._case(), self._input(AssessSerializer)
        scores = {k: d.pop(k) for k, _label in DOMAINS}
        a = services.record_assessment(actor=self.actor, case=case, scores=scores, **d)
        return Response({"total": a.total, "risk": a.risk, "scoring_version": a.scoring.version}, status=201)

    @action(detail=True, methods=["post"], url_path="plan-items")
    def plan_items(self, request, uuid=None):
        case, d = self._case(), self._input(PlanItemSerializer)
        d["responsible_organisation"] = _org(self.actor, d["responsible_organisation"])
        item = services.add_plan_item(actor=self.actor, case=case, **d)
        return Response({"uuid": str(item.uuid)}, status=201)

    @action(detail=True, methods=["post"], url_path="submit-plan")
    def submit_plan(self, request, uuid=None):
        case, d = self._case(), self._input(DateSerializer)
        return self._done(services.submit_care_plan(actor=self.actor, case=case, date=d["date"]))

    @action(detail=True, methods=["post"], url_path="decide-plan")
    def decide_plan(self, request, uuid=None):
        case, d = self._case(), self._input(DecisionSerializer)
        d.pop("override_reason")
        return self._done(services.decide_care_plan(actor=self.actor, case=case, **d))

    @action(detail=True, methods=["post"])
    def consent(self, request, uuid=None):
        case, d = self._case(), self._input(ConsentSerializer)
        d["share_with"] = [_org(self.actor, u) for u in d["share_with"]]
        c = services.record_consent(actor=self.actor, case=case, **d)
        return Response({"uuid": str(c.uuid)}, status=201)

    @action(detail=True, methods=["post"])
    def refer(self, request, uuid=None):
        case, d = self._case(), self._input(ReferSerializer)
        d["provider"] = _org(self.actor, d["provider"])
        d["service"] = (
            access.get_object_or_404(self.actor, Service, uuid=d["service"]) if d["service"] else None
        )
        r = services.make_referral(actor=self.actor, case=case, **d)
        return Response({"uuid": str(r.uuid), "status": r.status, "answer_due": r.answer_due}, status=201)

    @action(detail=True, methods=["post"], url_path="follow-up")
    def follow_up(self, request, uuid=None):
        case, d = self._case(), self._input(FollowUpSerializer)
        d["site"] = _site(self.actor, d["site"])
        services.record_follow_up(actor=self.actor, case=case, **d)
        return self._done(case)

    @action(detail=True, methods=["post"], url_path="request-closure")
    def request_closure(self, request, uuid=None):
        case, d = self._case(), self._input(ClosureSerializer)
        return self._done(services.request_closure(actor=self.actor, case=case, **d))

    @action(detail=True, methods=["post"], url_path="decide-closure")
    def decide_closure(self, request, uuid=None):
        case, d = self._case(), self._input(DecisionSerializer)
        return self._done(services.decide_closure(actor=self.actor, case=case, **d))

    @action(detail=True, methods=["post"], url_path="retention-check")
    def retention_check(self, request, uuid=None):
        case, d = self._case(), self._input(RetentionSerializer)
        check = selectors.retention_check(case, d.pop("check"))
        d["site"] = _site(self.actor, d["site"])
        services.record_retention_check(actor=self.actor, check=check, **d)
        return self._done(case)

    @action(detail=True, methods=["post"])
    def relapse(self, request, uuid=None):
        case, d = self._case(), self._input(RelapseSerializer)
        d["site"] = _site(self.actor, d["site"])
        services.record_relapse(actor=self.actor, case=case, **d)
        return self._done(case)

    @action(detail=True, methods=["post"])
    def assign(self, request, uuid=None):
        case, d = self._case(), self._input(AssignSerializer)
        worker = selectors.staff(self.actor).filter(email__iexact=d["caseworker"]).first()
        if worker is None:
            from django.core.exceptions import ValidationError

            raise ValidationError({"caseworker": ["?"]})
        return self._done(services.assign_case(actor=self.actor, case=case, caseworker=worker))


class ReferralAnswerSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["accept", "decline", "delivered"])
    date = serializers.DateField()
    reason = serializers.CharField(required=False, default="", allow_blank=True)


class ReferralInViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    """Referrals received by the actor's organisation: the shared fields of the case only."""

    model = Referral
    permissions_by_action = {"*": "cases.provide_service"}

    def _data(self, referral):
        return {
            "uuid": str(referral.uuid),
            "status": referral.status,
            "referred_on": referral.referred_on,
            "answer_due": referral.answer_due,
            "shared": selectors.shared_fields(referral),
        }

    def list(self, request):
        qs = selectors.referrals_in(self.actor, status=request.query_params.get("status", ""))
        page = self.paginate_queryset(qs)
        return self.get_paginated_response([self._data(r) for r in page])

    def retrieve(self, request, uuid=None):
        return Response(self._data(selectors.referral_in(self.actor, uuid)))

    @action(detail=True, methods=["post"])
    def answer(self, request, uuid=None):
        referral = selectors.referral_in(self.actor, uuid)
        s = ReferralAnswerSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        if d["decision"] == "delivered":
            services.report_service_delivered(
                actor=self.actor, referral=referral, date=d["date"], note=d["reason"]
            )
        else:
            services.answer_referral(
                actor=self.actor,
                referral=referral,
                accept=d["decision"] == "accept",
                date=d["date"],
                reason=d["reason"],
            )
        referral.refresh_from_db()
        return Response(self._data(referral))


class ServiceSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    place = serializers.SlugRelatedField(slug_field="uuid", read_only=True)

    class Meta:
        model = Service
        fields = ["uuid", "name", "service_type", "organisation", "place", "capacity", "contact"]


class ServiceViewSet(ScopedViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    model = Service
    serializer_class = ServiceSerializer
    permissions_by_action = {"*": "cases.view_counts"}

    def get_queryset(self):
        return selectors.services_directory(
            self.actor, service_type=self.request.query_params.get("type", "")
        )


class CaseStatsViewSet(viewsets.ViewSet):
    """Counts only (every role allowed to see counts)."""

    permission_classes = [HasPermission]

    def permission_for(self, action):
        return "cases.view_counts"

    def list(self, request):
        counts = selectors.counts(access.actor_from_request(request))
        return Response(
            {
                "total": counts["total"],
                "relapsed": counts["relapsed"],
                "by_status": {code: n for code, _label, n in counts["by_status"]},
            }
        )


def register_api() -> None:
    from kinga.core.plugins import register_api as register

    register("cases", CaseViewSet, basename="cases")
    register("case-referrals", ReferralInViewSet, basename="case-referrals")
    register("case-services", ServiceViewSet, basename="case-services")
    register("case-stats", CaseStatsViewSet, basename="case-stats")
