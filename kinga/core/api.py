from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from kinga.core import access, selectors, services
from kinga.core.api_base import ScopedReadOnlyViewSet, ScopedViewSetMixin
from kinga.core.models import AuditEvent, Organisation, Place
from kinga.core.serializers import AuditEventSerializer, MeSerializer, OrganisationSerializer, PlaceSerializer


class PlaceViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    model = Place
    serializer_class = PlaceSerializer
    permissions_by_action = {"create": "core.add_place", "*": "core.view_places"}
    filterset_fields = ["level", "pcode"]

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
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
        place = services.create_place(actor=self.actor, parent=parent, **data)
        return Response(PlaceSerializer(place).data, status=status.HTTP_201_CREATED)


class OrganisationViewSet(ScopedReadOnlyViewSet):
    model = Organisation
    serializer_class = OrganisationSerializer
    permissions_by_action = {"*": "core.view_organisations"}
    filterset_fields = ["type"]


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
