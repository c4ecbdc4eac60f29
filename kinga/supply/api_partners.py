"""API of the agreements with child-labour clauses (their visits and breaches) and of the companies' commitments,
under /api/v1/supply/…: lists and details, the same scopes as the screens (writes go through the screens)."""

from __future__ import annotations

from rest_framework import serializers, viewsets

from kinga.core.api_base import ScopedViewSetMixin
from kinga.core.plugins import register_api
from kinga.supply import selectors_partners as partners
from kinga.supply.models import Breach, SocialCommitment, SourcingAgreement, VerificationVisit

VIEW = {"*": "supply.view"}


def _uuid(**kwargs):
    return serializers.SlugRelatedField(slug_field="uuid", read_only=True, **kwargs)


class AgreementSerializer(serializers.ModelSerializer):
    buyer = _uuid()
    cooperative = _uuid()
    sites = _uuid(many=True)

    class Meta:
        model = SourcingAgreement
        fields = [
            "uuid",
            "reference",
            "buyer",
            "cooperative",
            "sites",
            "signed_on",
            "starts_on",
            "ends_on",
            "clauses",
            "other_clauses",
            "status",
        ]


class VerificationVisitSerializer(serializers.ModelSerializer):
    agreement = _uuid()
    site = _uuid()
    visited_by = _uuid()

    class Meta:
        model = VerificationVisit
        fields = ["uuid", "agreement", "site", "date", "visited_by", "finding", "children_found", "notes"]


class BreachSerializer(serializers.ModelSerializer):
    agreement = _uuid()
    visit = _uuid()

    class Meta:
        model = Breach
        fields = [
            "uuid",
            "agreement",
            "visit",
            "noticed_on",
            "clause",
            "description",
            "children_involved",
            "response",
            "response_on",
            "resolved_on",
        ]


class SocialCommitmentSerializer(serializers.ModelSerializer):
    company = _uuid()
    place = _uuid()

    class Meta:
        model = SocialCommitment
        fields = [
            "uuid",
            "company",
            "commitment",
            "theme",
            "child_protection",
            "place",
            "amount_usd",
            "deadline",
            "status",
            "done_on",
            "evidence_note",
        ]


class AgreementViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    model = SourcingAgreement
    serializer_class = AgreementSerializer
    permissions_by_action = VIEW
    filterset_fields = ["status"]

    def scoped_queryset(self):
        return partners.agreements(self.actor).prefetch_related("sites")


class VisitViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    model = VerificationVisit
    serializer_class = VerificationVisitSerializer
    permissions_by_action = VIEW
    filterset_fields = ["finding"]

    def scoped_queryset(self):
        return partners.visits(self.actor).select_related("agreement")


class BreachViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    model = Breach
    serializer_class = BreachSerializer
    permissions_by_action = VIEW
    filterset_fields = ["response"]

    def scoped_queryset(self):
        return partners.breaches(self.actor).select_related("agreement", "visit")


class CommitmentViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    model = SocialCommitment
    serializer_class = SocialCommitmentSerializer
    permissions_by_action = VIEW
    filterset_fields = ["status", "theme"]

    def scoped_queryset(self):
        return partners.commitments(self.actor)


def register() -> None:
    register_api("supply/agreements", AgreementViewSet, basename="supply-agreement")
    register_api("supply/verification-visits", VisitViewSet, basename="supply-verification-visit")
    register_api("supply/breaches", BreachViewSet, basename="supply-breach")
    register_api("supply/commitments", CommitmentViewSet, basename="supply-commitment")
