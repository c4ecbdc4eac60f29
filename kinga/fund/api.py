"""The fund's API under /api/v1/fund/…: lists and details, same scopes as the screens (writes go through the
screens and the services)."""

from __future__ import annotations

from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kinga.core import plugins
from kinga.core.api_base import ScopedViewSetMixin
from kinga.fund import selectors
from kinga.fund.models import Decision, Disbursement, Fund, Receipt, Repayment

VIEW = {"*": "fund.view"}


def _uuid():
    # Related records are named by their UUID, never by a database id.
    return serializers.SlugRelatedField(slug_field="uuid", read_only=True)


class FundSerializer(serializers.ModelSerializer):
    managed_by = _uuid()
    place = _uuid()

    class Meta:
        model = Fund
        fields = ["uuid", "name", "managed_by", "place", "created_on", "target_usd"]


class TotalsSerializer(serializers.Serializer):
    received = serializers.DecimalField(max_digits=14, decimal_places=2)
    retrocession = serializers.DecimalField(max_digits=14, decimal_places=2)
    surface_rights = serializers.DecimalField(max_digits=14, decimal_places=2)
    disbursed = serializers.DecimalField(max_digits=14, decimal_places=2)
    lent = serializers.DecimalField(max_digits=14, decimal_places=2)
    repaid = serializers.DecimalField(max_digits=14, decimal_places=2)
    overdue = serializers.DecimalField(max_digits=14, decimal_places=2)
    balance = serializers.DecimalField(max_digits=14, decimal_places=2)


class ReceiptSerializer(serializers.ModelSerializer):
    fund = _uuid()
    account = _uuid()

    class Meta:
        model = Receipt
        fields = [
            "uuid",
            "fund",
            "account",
            "source",
            "received_on",
            "payer",
            "reference",
            "surface_rights_usd",
            "rate_percent",
            "amount",
        ]


class DecisionSerializer(serializers.ModelSerializer):
    session = _uuid()
    cooperative = _uuid()
    date = serializers.DateField(source="session.meeting.date", read_only=True)

    class Meta:
        model = Decision
        fields = [
            "uuid",
            "session",
            "date",
            "number",
            "subject",
            "kind",
            "cooperative",
            "amount",
            "votes_for",
            "votes_against",
            "votes_abstaining",
            "outcome",
        ]


class DisbursementSerializer(serializers.ModelSerializer):
    fund = _uuid()
    decision = _uuid()
    cooperative = _uuid()
    repaid = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = Disbursement
        fields = [
            "uuid",
            "fund",
            "decision",
            "cooperative",
            "kind",
            "amount",
            "purpose",
            "disbursed_on",
            "reference",
            "repaid",
        ]


class RepaymentSerializer(serializers.ModelSerializer):
    disbursement = _uuid()

    class Meta:
        model = Repayment
        fields = ["uuid", "disbursement", "paid_on", "amount", "reference"]


class FundViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    model = Fund
    serializer_class = FundSerializer
    permissions_by_action = VIEW

    @action(detail=True, methods=["get"], serializer_class=TotalsSerializer)
    def totals(self, request, uuid=None):
        """The fund's totals today: received, disbursed, repaid, overdue and its balance (USD)."""
        return Response(TotalsSerializer(selectors.totals(self.get_object())).data)


class ReceiptViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    model = Receipt
    serializer_class = ReceiptSerializer
    permissions_by_action = VIEW
    filterset_fields = ["source", "received_on"]

    def scoped_queryset(self):
        return super().scoped_queryset().select_related("fund", "account")


class DecisionViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    model = Decision
    serializer_class = DecisionSerializer
    permissions_by_action = VIEW
    filterset_fields = ["kind", "outcome"]

    def scoped_queryset(self):
        return super().scoped_queryset().select_related("session__meeting", "cooperative")


class DisbursementViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    model = Disbursement
    serializer_class = DisbursementSerializer
    permissions_by_action = VIEW
    filterset_fields = ["kind", "disbursed_on"]

    def scoped_queryset(self):
        return selectors.disbursements(self.actor).select_related("fund", "decision")


class RepaymentViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    model = Repayment
    serializer_class = RepaymentSerializer
    permissions_by_action = VIEW

    def scoped_queryset(self):
        return super().scoped_queryset().select_related("disbursement")


def register() -> None:
    plugins.register_api("fund/funds", FundViewSet, basename="fund-fund")
    plugins.register_api("fund/receipts", ReceiptViewSet, basename="fund-receipt")
    plugins.register_api("fund/decisions", DecisionViewSet, basename="fund-decision")
    plugins.register_api("fund/disbursements", DisbursementViewSet, basename="fund-disbursement")
    plugins.register_api("fund/repayments", RepaymentViewSet, basename="fund-repayment")
