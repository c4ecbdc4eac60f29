import uuid

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from kinga.core import access, selectors, services
from kinga.core.api_base import ScopedReadOnlyViewSet, ScopedViewSetMixin, create_through_service
from kinga.core.auth import session_passed_second_factor
from kinga.core.models import ApiToken, AuditEvent, Membership, Organisation, Place
from kinga.core.serializers import (
    ApiTokenSerializer,
    AuditEventSerializer,
    MembershipCreateSerializer,
    MembershipSerializer,
    MembershipUpdateSerializer,
    MeSerializer,
    NewApiTokenSerializer,
    OrganisationDetailSerializer,
    OrganisationWriteSerializer,
    PlaceSerializer,
)


class PlaceViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    model = Place
    serializer_class = PlaceSerializer
    permissions_by_action = {"create": "core.add_place", "*": "core.view_places"}
    filterset_fields = ["level", "pcode"]

    def scoped_queryset(self):
        return super().scoped_queryset().select_related("parent")

    def create(self, request, *args, **kwargs):
        def create(data):
            data = dict(data)
            parent_pcode, parent_uuid = data.pop("parent_pcode", None), data.pop("parent_uuid", None)
            if parent_pcode:
                parent = services.place_by_pcode(parent_pcode)
            elif parent_uuid:
                parent = selectors.places(self.actor).filter(uuid=parent_uuid).first()
                if parent is None:
                    raise ValidationError({"parent_uuid": [_("Unknown parent place.")]})
            else:
                raise ValidationError(
                    {"parent_pcode": [_("Give the parent place (parent_pcode or parent_uuid).")]}
                )
            return services.create_place(actor=self.actor, parent=parent, **data)

        return create_through_service(self.get_serializer, request.data, create, answer=PlaceSerializer)


class OrganisationViewSet(
    ScopedViewSetMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Organisations: everyone reads them; administrators create and change them (PATCH)."""

    model = Organisation
    serializer_class = OrganisationDetailSerializer
    permissions_by_action = {
        "create": "core.manage_organisations",
        "partial_update": "core.manage_organisations",
        "*": "core.view_organisations",
    }
    filterset_fields = ["type", "is_active"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def scoped_queryset(self):
        return super().scoped_queryset().prefetch_related("aliases", "areas").order_by("name")

    def get_serializer_class(self):
        if self.action in ("create", "partial_update"):
            return OrganisationWriteSerializer
        return OrganisationDetailSerializer

    def _changes(self, data: dict) -> dict:
        if "area_pcodes" in data:
            data["areas"] = services.places_by_pcodes(data.pop("area_pcodes"), field="area_pcodes")
        return data

    @extend_schema(responses={201: OrganisationDetailSerializer})
    def create(self, request, *args, **kwargs):
        def create(data):
            data = self._changes(dict(data))
            data.pop("is_active", None)
            return services.create_organisation(actor=self.actor, **data)

        return create_through_service(
            OrganisationWriteSerializer, request.data, create, answer=OrganisationDetailSerializer
        )

    @extend_schema(responses=OrganisationDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        organisation = self.get_object()
        serializer = OrganisationWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = self._changes(dict(serializer.validated_data))
        organisation = services.update_organisation(actor=self.actor, organisation=organisation, **data)
        return Response(OrganisationDetailSerializer(organisation).data)


class MemberViewSet(
    ScopedViewSetMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Members (a person's role in an organisation): administrators manage all, organisation managers
    their own organisation's. Deactivate with PATCH {"is_active": false}; nothing is ever deleted."""

    model = Membership
    serializer_class = MembershipSerializer
    permissions_by_action = {"*": "core.manage_members"}
    filterset_fields = ["role", "is_active"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def scoped_queryset(self):
        qs = selectors.members(self.actor)
        organisation = self.request.query_params.get("organisation")
        if organisation:
            qs = qs.filter(organisation__uuid=_uuid_or_none(organisation))
        return qs

    def _supervisor(self, value):
        if value is None:
            return None
        supervisor = selectors.members(self.actor).filter(uuid=value).first()
        if supervisor is None:
            raise ValidationError({"supervisor": [_("Unknown supervisor.")]})
        return supervisor

    @extend_schema(request=MembershipCreateSerializer, responses={201: MembershipSerializer})
    def create(self, request, *args, **kwargs):
        def add(data):
            data = dict(data)
            organisation = selectors.organisations(self.actor).filter(uuid=data.pop("organisation")).first()
            if organisation is None:
                raise ValidationError({"organisation": [_("Unknown organisation.")]})
            data["supervisor"] = self._supervisor(data.get("supervisor"))
            membership = services.add_member(actor=self.actor, organisation=organisation, **data)
            if not membership.user.has_usable_password():
                services.send_invitation(
                    actor=self.actor, membership=membership, base_url=request.build_absolute_uri("/")
                )
            return membership

        return create_through_service(
            MembershipCreateSerializer, request.data, add, answer=MembershipSerializer
        )

    @extend_schema(request=MembershipUpdateSerializer, responses=MembershipSerializer)
    def partial_update(self, request, *args, **kwargs):
        membership = self.get_object()
        serializer = MembershipUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "supervisor" in data:
            data["supervisor"] = self._supervisor(data["supervisor"])
        membership = services.update_member(actor=self.actor, membership=membership, **data)
        return Response(MembershipSerializer(membership).data)


class ApiTokenViewSet(
    ScopedViewSetMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet
):
    """The acting user's own API tokens. DELETE revokes a token (it stays listed, unusable)."""

    model = ApiToken
    serializer_class = ApiTokenSerializer
    permissions_by_action = {"*": "core.use_api"}

    def scoped_queryset(self):
        return selectors.my_tokens(self.actor)

    @extend_schema(request=ApiTokenSerializer, responses={201: NewApiTokenSerializer})
    def create(self, request, *args, **kwargs):
        serializer = ApiTokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        parent = request.auth if isinstance(request.auth, ApiToken) else None
        if parent is None and not session_passed_second_factor(request):
            raise exceptions.PermissionDenied(
                _("Tokens are created from a session that passed the second factor (authenticator app).")
            )
        token, key = services.create_api_token(
            actor=self.actor,
            name=serializer.validated_data["name"],
            expires_at=serializer.validated_data.get("expires_at"),
            parent=parent,
        )
        token.key = key
        return Response(NewApiTokenSerializer(token).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        services.revoke_api_token(actor=self.actor, token=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


def _uuid_or_none(text: str):
    try:
        return uuid.UUID(str(text))
    except ValueError:
        return None


class AuditEventViewSet(ScopedReadOnlyViewSet):
    """The audit trail, read-only: no method of the API writes, changes or deletes it."""

    model = AuditEvent
    serializer_class = AuditEventSerializer
    permissions_by_action = {"*": "core.view_audit"}
    filterset_fields = ["action", "target_type", "target_id"]


@extend_schema(responses=MeSerializer)
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def me(request):
    actor = access.actor_from_request(request)
    return Response(
        {
            "email": actor.user.email,
            "full_name": actor.user.full_name,
            "organisation": str(actor.organisation) if actor.organisation else None,
            "role": actor.role,
            "permissions": sorted(actor.permissions),
        }
    )
