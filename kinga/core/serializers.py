from rest_framework import serializers

from kinga.core.models import AuditEvent, Organisation, Place


class PlaceSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    parent_pcode = serializers.CharField(write_only=True, required=False)
    parent_uuid = serializers.UUIDField(write_only=True, required=False)

    class Meta:
        model = Place
        fields = [
            "uuid",
            "pcode",
            "name",
            "level",
            "parent",
            "parent_pcode",
            "parent_uuid",
            "latitude",
            "longitude",
            "short_code",
        ]
        read_only_fields = ["uuid", "pcode", "parent", "short_code"]


class OrganisationSerializer(serializers.ModelSerializer):
    aliases = serializers.SlugRelatedField(slug_field="alias", many=True, read_only=True)

    class Meta:
        model = Organisation
        fields = ["uuid", "name", "acronym", "type", "aliases", "is_active"]


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="email", read_only=True)
    organisation = serializers.SlugRelatedField(slug_field="uuid", read_only=True)

    class Meta:
        model = AuditEvent
        fields = [
            "uuid",
            "at",
            "actor",
            "organisation",
            "action",
            "target_type",
            "target_id",
            "changes",
            "note",
        ]


class MeSerializer(serializers.Serializer):
    email = serializers.EmailField()
    full_name = serializers.CharField()
    organisation = serializers.CharField(allow_null=True)
    role = serializers.CharField(allow_null=True)
    permissions = serializers.ListField(child=serializers.CharField())
