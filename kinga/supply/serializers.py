from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kinga.core.people import Sex
from kinga.supply.decision import reason_text
from kinga.supply.models import (
    CooperativeDocument,
    DocumentType,
    EvacuationAuthorisation,
    Lot,
    Miner,
    Mineral,
    Production,
)


def _uuid_of(field: str):
    # Related records are named by their UUID, never by a database id.
    return serializers.SlugRelatedField(slug_field="uuid", read_only=True)


class DocumentTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = DocumentType
        fields = [
            "uuid",
            "code",
            "name_fr",
            "name_en",
            "is_required",
            "default_validity_months",
            "order",
            "is_active",
        ]
        read_only_fields = ["uuid"]


class CooperativeDocumentSerializer(serializers.ModelSerializer):
    cooperative = _uuid_of("cooperative")
    document_type = serializers.SlugRelatedField(slug_field="code", read_only=True)
    cooperative_uuid = serializers.UUIDField(write_only=True)
    document_type_code = serializers.CharField(write_only=True)

    class Meta:
        model = CooperativeDocument
        fields = [
            "uuid",
            "cooperative",
            "document_type",
            "reference",
            "issued_on",
            "valid_until",
            "issuer",
            "notes",
            "cooperative_uuid",
            "document_type_code",
        ]
        read_only_fields = ["uuid"]


class MinerSerializer(serializers.ModelSerializer):
    cooperative = _uuid_of("cooperative")
    cooperative_uuid = serializers.UUIDField(write_only=True)
    sex = serializers.ChoiceField(choices=Sex.choices)

    class Meta:
        model = Miner
        fields = [
            "uuid",
            "cooperative",
            "member_number",
            "sex",
            "birth_year",
            "joined_on",
            "left_on",
            "cooperative_uuid",
        ]
        read_only_fields = ["uuid", "left_on"]


class ProductionSerializer(serializers.ModelSerializer):
    site = _uuid_of("site")
    cooperative = _uuid_of("cooperative")
    site_uuid = serializers.UUIDField(write_only=True)
    cooperative_uuid = serializers.UUIDField(write_only=True)
    mineral = serializers.ChoiceField(choices=Mineral.choices)

    class Meta:
        model = Production
        fields = [
            "uuid",
            "site",
            "cooperative",
            "mineral",
            "month",
            "tonnage",
            "grade_percent",
            "site_uuid",
            "cooperative_uuid",
        ]
        read_only_fields = ["uuid"]


class LotSerializer(serializers.ModelSerializer):
    site = _uuid_of("site")
    cooperative = _uuid_of("cooperative")
    buyer = _uuid_of("buyer")
    site_uuid = serializers.UUIDField(write_only=True)
    cooperative_uuid = serializers.UUIDField(write_only=True)
    buyer_uuid = serializers.UUIDField(write_only=True)
    mineral = serializers.ChoiceField(choices=Mineral.choices)
    reference = serializers.CharField(required=False, allow_blank=True, max_length=40)

    class Meta:
        model = Lot
        fields = [
            "uuid",
            "reference",
            "site",
            "cooperative",
            "buyer",
            "mineral",
            "weight_kg",
            "grade_percent",
            "date",
            "status",
            "site_status",
            "site_status_reason",
            "decided_at",
            "site_uuid",
            "cooperative_uuid",
            "buyer_uuid",
        ]
        read_only_fields = ["uuid", "status", "site_status", "site_status_reason", "decided_at"]


class ReasonItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class AuthorisationSerializer(serializers.ModelSerializer):
    lot = _uuid_of("lot")
    reasons = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField()
    allows_evacuation = serializers.BooleanField(read_only=True)

    class Meta:
        model = EvacuationAuthorisation
        fields = [
            "uuid",
            "number",
            "lot",
            "decided_at",
            "outcome",
            "allows_evacuation",
            "site_status",
            "site_status_reason",
            "site_status_since",
            "reasons",
            "warnings",
            "documents",
            "override_state",
            "override_requested_role",
            "override_request_reason",
            "override_requested_at",
            "override_decided_role",
            "override_decision_reason",
            "override_decided_at",
        ]
        read_only_fields = fields

    def _items(self, items) -> list[dict]:
        return [{"code": item.get("code"), "message": reason_text(item)} for item in items]

    @extend_schema_field(ReasonItemSerializer(many=True))
    def get_reasons(self, obj) -> list[dict]:
        return self._items(obj.reasons)

    @extend_schema_field(ReasonItemSerializer(many=True))
    def get_warnings(self, obj) -> list[dict]:
        return self._items(obj.warnings)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class OverrideDecisionSerializer(ReasonSerializer):
    approve = serializers.BooleanField()


class SiteRowSerializer(serializers.Serializer):
    uuid = serializers.CharField()
    name = serializers.CharField()
    code = serializers.CharField()
    lots = serializers.IntegerField()
    weight_kg = serializers.DecimalField(max_digits=16, decimal_places=2)
    first = serializers.DateField()
    last = serializers.DateField()
    by_snapshot = serializers.DictField(child=serializers.IntegerField())
    authorised = serializers.IntegerField()
    overridden = serializers.IntegerField()
    not_authorised = serializers.IntegerField()
    red_at_time = serializers.IntegerField()
    turned_red_after = serializers.IntegerField()
    red_onsets = serializers.ListField(child=serializers.DateField())
    children_identified = serializers.IntegerField()
    cases_opened = serializers.IntegerField()
    children_remediated = serializers.IntegerField()
    children_observed = serializers.IntegerField()
    open_actions = serializers.IntegerField()
    overdue_actions = serializers.IntegerField()
    flags = serializers.ListField(child=serializers.CharField())


class FlaggedLotSerializer(serializers.Serializer):
    uuid = serializers.CharField()
    reference = serializers.CharField()
    date = serializers.DateField()
    site = serializers.CharField()
    mineral = serializers.CharField()
    weight_kg = serializers.DecimalField(max_digits=12, decimal_places=2)
    status = serializers.CharField()
    site_status = serializers.CharField()
    flag = serializers.CharField()
    red_on = serializers.DateField(allow_null=True)


class DueDiligenceSerializer(serializers.Serializer):
    buyer = serializers.UUIDField(source="buyer.uuid", read_only=True)
    start = serializers.DateField()
    end = serializers.DateField()
    watch_until = serializers.DateField()
    generated_at = serializers.DateTimeField()
    totals = serializers.DictField()
    sites = SiteRowSerializer(many=True)
    flagged_lots = FlaggedLotSerializer(many=True)
    flagged_lots_total = serializers.IntegerField()
