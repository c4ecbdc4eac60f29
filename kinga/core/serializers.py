from rest_framework import serializers

from kinga.core.models import ApiToken, AuditEvent, Membership, Organisation, OrganisationType, Place
from kinga.core.roles import Role


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
        extra_kwargs = {"level": {"required": False}}  # default: one level below the parent


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


class OrganisationWriteSerializer(serializers.Serializer):
    """Create or change an organisation. `aliases` replaces its other names; `area_pcodes` its areas."""

    name = serializers.CharField(max_length=255)
    acronym = serializers.CharField(max_length=60, required=False, allow_blank=True)
    type = serializers.ChoiceField(choices=OrganisationType.choices)
    aliases = serializers.ListField(child=serializers.CharField(max_length=255), required=False)
    area_pcodes = serializers.ListField(child=serializers.CharField(max_length=20), required=False)
    is_active = serializers.BooleanField(required=False)


class OrganisationDetailSerializer(OrganisationSerializer):
    areas = serializers.SlugRelatedField(slug_field="pcode", many=True, read_only=True)

    class Meta(OrganisationSerializer.Meta):
        fields = [*OrganisationSerializer.Meta.fields, "areas"]


class MembershipSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)
    organisation = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    supervisor = serializers.SlugRelatedField(slug_field="uuid", read_only=True)

    class Meta:
        model = Membership
        fields = [
            "uuid",
            "email",
            "full_name",
            "organisation",
            "role",
            "supervisor",
            "is_active",
            "created_at",
        ]


class MembershipCreateSerializer(serializers.Serializer):
    organisation = serializers.UUIDField()
    email = serializers.EmailField()
    full_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    role = serializers.ChoiceField(choices=Role.choices)
    supervisor = serializers.UUIDField(required=False, allow_null=True)


class MembershipUpdateSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    supervisor = serializers.UUIDField(required=False, allow_null=True)
    is_active = serializers.BooleanField(required=False)


class ApiTokenSerializer(serializers.ModelSerializer):
    is_usable = serializers.BooleanField(read_only=True)

    class Meta:
        model = ApiToken
        fields = [
            "uuid",
            "name",
            "prefix",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
            "is_usable",
        ]
        read_only_fields = ["uuid", "prefix", "created_at", "last_used_at", "revoked_at"]


class NewApiTokenSerializer(ApiTokenSerializer):
    key = serializers.CharField(read_only=True, help_text="Shown once: store it now.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "key"]
