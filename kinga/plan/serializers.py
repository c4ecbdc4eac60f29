from rest_framework import serializers

from kinga.plan.models import (
    Action,
    Activity,
    ActivityStatus,
    Axis,
    Commitment,
    Currency,
    FundingTransaction,
    Indicator,
    IndicatorValue,
    ProgressReport,
    TransactionKind,
)


class AxisSerializer(serializers.ModelSerializer):
    class Meta:
        model = Axis
        fields = ["uuid", "number", "title", "synthesis_designation", "synthesis_usd", "synthesis_as_written"]


class ActionSerializer(serializers.ModelSerializer):
    axis = serializers.IntegerField(source="axis.number", read_only=True)

    class Meta:
        model = Action
        fields = [
            "uuid",
            "axis",
            "number",
            "number_label",
            "title",
            "objectives",
            "expected_results",
            "targets_text",
            "period_as_written",
            "duration_months",
            "cost_usd",
            "cost_as_written",
            "cost_ambiguous",
        ]


class ActivitySerializer(serializers.ModelSerializer):
    action = serializers.UUIDField(source="action.uuid", read_only=True)

    class Meta:
        model = Activity
        fields = [
            "uuid",
            "action",
            "position",
            "title",
            "objectives",
            "expected_results",
            "targets_text",
            "period_as_written",
            "duration_months",
            "cost_usd",
            "cost_as_written",
            "cost_ambiguous",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
            "status",
            "percent_done",
        ]
        read_only_fields = fields


class IndicatorSerializer(serializers.ModelSerializer):
    action = serializers.UUIDField(source="action.uuid", read_only=True)

    class Meta:
        model = Indicator
        fields = [
            "uuid",
            "code",
            "label_fr",
            "label_en",
            "level",
            "unit",
            "value_type",
            "baseline_value",
            "target",
            "source",
            "module",
            "breakdowns",
            "action",
        ]


class CommitmentSerializer(serializers.ModelSerializer):
    funder = serializers.UUIDField(source="funder.uuid")
    action = serializers.UUIDField(source="action.uuid")
    activity = serializers.UUIDField(source="activity.uuid", required=False, allow_null=True)
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, write_only=True)
    currency = serializers.ChoiceField(choices=Currency.choices, default=Currency.USD)

    class Meta:
        model = Commitment
        fields = [
            "uuid",
            "funder",
            "action",
            "activity",
            "date",
            "amount",
            "currency",
            "amount_original",
            "amount_usd",
            "document_ref",
            "note",
        ]
        read_only_fields = ["uuid", "amount_original", "amount_usd"]


class TransactionSerializer(serializers.ModelSerializer):
    commitment = serializers.UUIDField(source="commitment.uuid")
    kind = serializers.ChoiceField(choices=TransactionKind.choices)
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, write_only=True)
    currency = serializers.ChoiceField(choices=Currency.choices, default=Currency.USD)
    override_reason = serializers.CharField(required=False, allow_blank=True, default="")

    class Meta:
        model = FundingTransaction
        fields = [
            "uuid",
            "commitment",
            "kind",
            "date",
            "amount",
            "currency",
            "amount_original",
            "amount_usd",
            "document_ref",
            "note",
            "exceeds",
            "override_reason",
        ]
        read_only_fields = ["uuid", "amount_original", "amount_usd", "exceeds"]


class ProgressReportSerializer(serializers.ModelSerializer):
    activity = serializers.UUIDField(source="activity.uuid")
    status = serializers.ChoiceField(choices=ActivityStatus.choices)

    class Meta:
        model = ProgressReport
        fields = [
            "uuid",
            "activity",
            "date",
            "status",
            "percent_done",
            "actual_start",
            "actual_end",
            "comment",
        ]
        read_only_fields = ["uuid"]


class IndicatorValueSerializer(serializers.ModelSerializer):
    indicator = serializers.CharField(source="indicator.code")
    area = serializers.CharField(source="area.pcode")
    value = serializers.CharField()

    class Meta:
        model = IndicatorValue
        fields = ["uuid", "indicator", "period_start", "period_end", "area", "breakdown", "value", "note"]
        read_only_fields = ["uuid"]
