"""API of case management (/api/v1/cases/, /case-referrals/, /case-services/, /case-stats/).

Same scoping as the screens: cases through kinga.core.access, referrals received as shared fields only,
counts for the roles that see no identity. Each workflow step is a POST action on the case; the services
validate and their errors come back as field-level JSON (400).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kinga.core import access, api_periods, clock, concurrency, periods, plugins
from kinga.core.api_base import HasPermission, ScopedViewSetMixin, SearchSerializer
from kinga.core.models import Organisation, Place
from kinga.plan import attribution
from kinga.plan.attribution import AttributionWrite
from kinga.sites.models import Site

from . import selectors, selectors_nonreturn, services
from .api_serializers import (
    AssessmentResultSerializer,
    AssessSerializer,
    AssignSerializer,
    CaseSerializer,
    CaseStatsSerializer,
    ClosureSerializer,
    ConsentSerializer,
    CreatedSerializer,
    DateSerializer,
    DecisionSerializer,
    FollowUpSerializer,
    NonReturnSerializer,
    PlanItemSerializer,
    ReferralAnswerSerializer,
    ReferralCreatedSerializer,
    ReferralInSerializer,
    ReferSerializer,
    RegisteredSerializer,
    RegisterSerializer,
    RelapseSerializer,
    RetentionSerializer,
    ServiceSerializer,
    TimelineSerializer,
)
from .models import DOMAINS, Case, CaseStatus, Referral, ReferralStatus, Service, ServiceType


def _org(actor, value):
    return access.get_object_or_404(actor, Organisation, uuid=value) if value else None


def _place(actor, value):
    return access.get_object_or_404(actor, Place, uuid=value) if value else None


def _site(actor, value):
    return access.get_object_or_404(actor, Site, uuid=value) if value else None


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=CaseStatus.values),
            OpenApiParameter(
                "overdue", str, enum=["1"], description="1: only cases past their next due date."
            ),
        ]
    )
)
class CaseViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Cases the actor may see; `POST search/ {"q": ...}` searches whole name tokens (exact or phonetic) or a
    case number (posted: a child's name never goes into a URL, hence never into an access log)."""

    model = Case
    serializer_class = CaseSerializer
    permissions_by_action = {
        "list": "cases.view_identity",
        "search": "cases.view_identity",
        "retrieve": "cases.view_identity",
        "timeline": "cases.view_identity",
        "create": "cases.register",
        "decide_plan": "cases.approve",
        "decide_closure": "cases.approve",
        "assign": "cases.assign",
        "*": "cases.work",
    }

    def scoped_queryset(self):
        qs = (
            super()
            .scoped_queryset()
            .select_related(
                "child", "organisation", "territory", "identification_site", "caseworker", "supervisor"
            )
        )
        if self.action == "list":
            params = self.request.query_params
            if params.get("status") in CaseStatus.values:
                qs = qs.filter(status=params["status"])
            if params.get("overdue") == "1":
                qs = qs.filter(next_due__lt=clock.today())
            qs = qs.order_by("next_due", "-id")
        return qs

    @extend_schema(request=SearchSerializer, responses=CaseSerializer(many=True))
    @action(detail=False, methods=["post"])
    def search(self, request):
        query = SearchSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        qs = selectors.search(self.get_queryset(), query.validated_data["q"]).order_by("next_due", "-id")
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(CaseSerializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        case = selectors.open_case_file(self.actor, kwargs["uuid"])
        return Response(CaseSerializer(case).data)

    @extend_schema(request=RegisterSerializer, responses={201: RegisteredSerializer})
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

    def _step(self, serializer_class):
        """(case, validated input) of a workflow step. The case's version is claimed here, in the action's
        transaction (each step action is atomic): the version the client sent, else the one just read, so that
        every step moves the version on and a page or client holding an older one is refused (409)."""
        case = self._case()
        s = serializer_class(data=self.request.data)
        s.is_valid(raise_exception=True)
        data = dict(s.validated_data)
        concurrency.claim(case, data.pop("version", None))
        return case, data

    def _done(self, case):
        case.refresh_from_db()
        return Response(CaseSerializer(case).data)

    @extend_schema(responses=TimelineSerializer)
    @action(detail=True, methods=["get"])
    def timeline(self, request, uuid=None):
        case = self._case()
        rule = services.evaluate_exit_rule(case)
        return Response(
            {
                "events": [
                    {
                        "date": e.date,
                        "kind": e.kind,
                        "summary": e.text,
                        "params": e.params,
                        "to_status": e.to_status,
                    }
                    for e in selectors.timeline(case)
                ],
                "exit_rule": {"met": rule.met, "rule": rule.rule, "explanation": rule.explanation},
            }
        )

    @extend_schema(request=AssessSerializer, responses={201: AssessmentResultSerializer})
    @action(detail=True, methods=["post"])
    @transaction.atomic
    def assess(self, request, uuid=None):
        case, d = self._step(AssessSerializer)
        scores = {k: d.pop(k) for k, _label in DOMAINS}
        a = services.record_assessment(actor=self.actor, case=case, scores=scores, **d)
        return Response({"total": a.total, "risk": a.risk, "scoring_version": a.scoring.version}, status=201)

    @extend_schema(request=PlanItemSerializer, responses={201: CreatedSerializer})
    @action(detail=True, methods=["post"], url_path="plan-items")
    @transaction.atomic
    def plan_items(self, request, uuid=None):
        case, d = self._step(PlanItemSerializer)
        d["responsible_organisation"] = _org(self.actor, d["responsible_organisation"])
        item = services.add_plan_item(actor=self.actor, case=case, **d)
        return Response({"uuid": str(item.uuid)}, status=201)

    @extend_schema(request=DateSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"], url_path="submit-plan")
    @transaction.atomic
    def submit_plan(self, request, uuid=None):
        case, d = self._step(DateSerializer)
        return self._done(services.submit_care_plan(actor=self.actor, case=case, date=d["date"]))

    @extend_schema(request=DecisionSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"], url_path="decide-plan")
    @transaction.atomic
    def decide_plan(self, request, uuid=None):
        case, d = self._step(DecisionSerializer)
        d.pop("override_reason")
        return self._done(services.decide_care_plan(actor=self.actor, case=case, **d))

    @extend_schema(request=ConsentSerializer, responses={201: CreatedSerializer})
    @action(detail=True, methods=["post"])
    @transaction.atomic
    def consent(self, request, uuid=None):
        case, d = self._step(ConsentSerializer)
        d["share_with"] = [_org(self.actor, u) for u in d["share_with"]]
        c = services.record_consent(actor=self.actor, case=case, **d)
        return Response({"uuid": str(c.uuid)}, status=201)

    @extend_schema(request=ReferSerializer, responses={201: ReferralCreatedSerializer})
    @action(detail=True, methods=["post"])
    @transaction.atomic
    def refer(self, request, uuid=None):
        case, d = self._step(ReferSerializer)
        d["provider"] = _org(self.actor, d["provider"])
        d["service"] = (
            access.get_object_or_404(self.actor, Service, uuid=d["service"]) if d["service"] else None
        )
        r = services.make_referral(actor=self.actor, case=case, **d)
        return Response(
            {
                "uuid": str(r.uuid),
                "status": r.status,
                "answer_due": r.answer_due,
                **attribution.api_values(r),
            },
            status=201,
        )

    @extend_schema(request=FollowUpSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"], url_path="follow-up")
    @transaction.atomic
    def follow_up(self, request, uuid=None):
        case, d = self._step(FollowUpSerializer)
        d["site"] = _site(self.actor, d["site"])
        services.record_follow_up(actor=self.actor, case=case, **d)
        return self._done(case)

    @extend_schema(request=ClosureSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"], url_path="request-closure")
    @transaction.atomic
    def request_closure(self, request, uuid=None):
        case, d = self._step(ClosureSerializer)
        return self._done(services.request_closure(actor=self.actor, case=case, **d))

    @extend_schema(request=DecisionSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"], url_path="decide-closure")
    @transaction.atomic
    def decide_closure(self, request, uuid=None):
        case, d = self._step(DecisionSerializer)
        return self._done(services.decide_closure(actor=self.actor, case=case, **d))

    @extend_schema(request=RetentionSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"], url_path="retention-check")
    @transaction.atomic
    def retention_check(self, request, uuid=None):
        case, d = self._step(RetentionSerializer)
        check = selectors.retention_check(case, d.pop("check"))
        d["site"] = _site(self.actor, d["site"])
        services.record_retention_check(actor=self.actor, check=check, **d)
        return self._done(case)

    @extend_schema(request=RelapseSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    @transaction.atomic
    def relapse(self, request, uuid=None):
        case, d = self._step(RelapseSerializer)
        d["site"] = _site(self.actor, d["site"])
        services.record_relapse(actor=self.actor, case=case, **d)
        return self._done(case)

    @extend_schema(request=AssignSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    @transaction.atomic
    def assign(self, request, uuid=None):
        case, d = self._step(AssignSerializer)
        worker = selectors.staff(self.actor).filter(email__iexact=d["caseworker"]).first()
        if worker is None:
            raise ValidationError({"caseworker": ["?"]})
        return self._done(services.assign_case(actor=self.actor, case=case, caseworker=worker))


class ReferralInViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    """Referrals received by the actor's organisation: the shared fields of the case only."""

    model = Referral
    serializer_class = ReferralInSerializer
    permissions_by_action = {"*": "cases.provide_service"}

    def _data(self, referral):
        return {
            "uuid": str(referral.uuid),
            "status": referral.status,
            "referred_on": referral.referred_on,
            "answer_due": referral.answer_due,
            "shared": selectors.shared_fields(referral),
            **attribution.api_values(referral),
        }

    @extend_schema(parameters=[OpenApiParameter("status", str, enum=ReferralStatus.values)])
    def list(self, request):
        qs = selectors.referrals_in(self.actor, status=request.query_params.get("status", ""))
        page = self.paginate_queryset(qs)
        return self.get_paginated_response([self._data(r) for r in page])

    def retrieve(self, request, uuid=None):
        return Response(self._data(selectors.referral_in(self.actor, uuid)))

    @extend_schema(request=ReferralAnswerSerializer, responses=ReferralInSerializer)
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


class ServiceViewSet(ScopedViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The services directory; PATCH attributes one's own organisation's service to the plan."""

    model = Service
    serializer_class = ServiceSerializer
    permissions_by_action = {"partial_update": "cases.manage_services", "*": "cases.view_counts"}

    @extend_schema(parameters=[OpenApiParameter("type", str, enum=ServiceType.values)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=AttributionWrite, responses=ServiceSerializer)
    @transaction.atomic
    def partial_update(self, request, uuid=None):
        service = self.get_object()
        incoming = AttributionWrite(data=request.data)
        incoming.is_valid(raise_exception=True)
        services.save_service(actor=self.actor, service=service, **incoming.validated_data)
        return Response(ServiceSerializer(service).data)

    def scoped_queryset(self):
        qs = selectors.services_directory(self.actor, service_type=self.request.query_params.get("type", ""))
        if self.action == "partial_update" and not self.actor.is_system_wide:
            # The directory is shared; only the provider's own services are written (another's: 404).
            qs = qs.filter(organisation_id=self.actor.organisation_id)
        return qs


class CaseStatsViewSet(viewsets.ViewSet):
    """Counts only (every role allowed to see counts)."""

    permission_classes = [HasPermission]

    def permission_for(self, action):
        return "cases.view_counts"

    @extend_schema(responses=CaseStatsSerializer)
    def list(self, request):
        counts = selectors.counts(access.actor_from_request(request))
        return Response(
            {
                "total": counts["total"],
                "relapsed": counts["relapsed"],
                "by_status": {code: n for code, _label, n in counts["by_status"]},
            }
        )


class NonReturnViewSet(viewsets.ViewSet):
    """Monitoring of non-return: cohorts by quarter of exit (retention checks at 3, 6 and 12 months) and the
    relapses of the period by source, sex, age band, territory and site. Counts only."""

    permission_classes = [HasPermission]

    def permission_for(self, action):
        return "cases.view_counts"

    @extend_schema(
        parameters=[api_periods.period_parameter(default=periods.PLAN), api_periods.TERRITORY_PARAMETER],
        responses=NonReturnSerializer,
    )
    def list(self, request):
        actor = access.actor_from_request(request)
        period, territory = api_periods.period_and_territory(
            request,
            default=periods.PLAN,
            territory=lambda pcode: selectors_nonreturn.territory_by_pcode(actor, pcode),
        )
        data = selectors_nonreturn.non_return(actor, period=period, territory=territory)
        return Response(NonReturnSerializer(data).data)


def register_api() -> None:
    # Before "cases": its detail route (cases/<uuid>/) would take "non-return" for a case's uuid.
    plugins.register_api("cases/non-return", NonReturnViewSet, basename="cases-non-return")
    plugins.register_api("cases", CaseViewSet, basename="cases")
    plugins.register_api("case-referrals", ReferralInViewSet, basename="case-referrals")
    plugins.register_api("case-services", ServiceViewSet, basename="case-services")
    plugins.register_api("case-stats", CaseStatsViewSet, basename="case-stats")
