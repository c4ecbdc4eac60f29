"""Building blocks of every app's API: errors as field-level JSON, viewsets scoped through kinga.core.access."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, permissions, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from kinga.core import access, concurrency


def exception_handler(exc, context):
    """DRF errors, plus Django ValidationError raised by services, as JSON with field-level messages."""
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = {
                field: [str(m) for e in errors for m in e.messages]
                for field, errors in exc.error_dict.items()
            }
        else:
            detail = {"non_field_errors": [str(m) for m in exc.messages]}
        # Another writer saved the record first (kinga.core.concurrency): 409, with the same field-level JSON.
        return Response(detail, status=409 if concurrency.is_conflict(exc) else 400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    return drf_exception_handler(exc, context)


def create_through_service(
    serializer: Callable[..., serializers.BaseSerializer],
    data,
    save: Callable[[dict[str, Any]], Any],
    *,
    answer: Callable[..., serializers.BaseSerializer] | None = None,
) -> Response:
    """The body of an API create: `data` checked by `serializer` (a serializer class, or a viewset's
    get_serializer), written by `save` (the service call, given the validated data), answered 201 with the
    record as `answer` shows it (`serializer` unless the API reads and shows through different serializers).

    A refused check answers 400 with field-level JSON; so does a service's ValidationError (exception_handler
    above), and nothing is written.
    """
    incoming = serializer(data=data)
    incoming.is_valid(raise_exception=True)
    record = save(incoming.validated_data)
    return Response((answer or serializer)(record).data, status=status.HTTP_201_CREATED)


class HasPermission(permissions.BasePermission):
    """Checks the permission named by the view for the current action (view.permission_for(action))."""

    def has_permission(self, request, view):
        actor = access.actor_from_request(request)
        if not actor.is_authenticated:
            return False
        perm = view.permission_for(getattr(view, "action", None) or request.method.lower())
        if perm is None:
            return True
        if not actor.has(perm):
            raise exceptions.PermissionDenied()
        return True


# A search by name goes in a POST body (`POST .../search/ {"q": ...}`): a query string is written into every
# access log on its way, and a child's name must not be.
SEARCH_PARAMS = ("q", "search", "name", "given_name", "family_name")


def refuse_search_in_url(request) -> None:
    found = sorted(set(SEARCH_PARAMS) & set(request.query_params))
    if found:
        raise exceptions.ValidationError(
            {
                found[0]: [
                    _("Searches by name are not accepted in the URL: post them to the list's search/ route.")
                ]
            }
        )


class SearchSerializer(serializers.Serializer):
    q = serializers.CharField(
        max_length=200, help_text="A name (whole words, exact or phonetic) or an identifier."
    )


class ScopedViewSetMixin:
    """A viewset over one registered model: its queryset comes from access.scoped().

    Set `model`, and `permissions_by_action` ({"list": "cases.view_identity", "create": ..., "*": ...}). To
    narrow, order or annotate the records, override `scoped_queryset()` (calling super() or a selector), never
    `get_queryset()`: get_queryset() also answers the OpenAPI generator, which has no request and so no actor.
    """

    model = None
    permissions_by_action: dict[str, str] = {}
    permission_classes = [permissions.IsAuthenticated, HasPermission]
    lookup_field = "uuid"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(f"{cls.__qualname__}: override scoped_queryset(), not get_queryset()")

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        refuse_search_in_url(request)

    def permission_for(self, action: str | None) -> str | None:
        return self.permissions_by_action.get(action or "", self.permissions_by_action.get("*"))

    @property
    def actor(self) -> access.Actor:
        return access.actor_from_request(self.request)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request, no actor
            return QuerySet(model=self.model).none()
        return self.scoped_queryset()

    def scoped_queryset(self):
        """The records of `model` the actor may see for this action (override to narrow or annotate)."""
        perm = self.permission_for(getattr(self, "action", None))
        return access.scoped(self.actor, self.model, perm=perm)


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass
