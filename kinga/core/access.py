"""The one entry point for permissions and organisation scoping.

- `Actor` is who is acting: a user in one of their memberships (organisation + role).
- Lists come from `scoped(actor, Model)`; single objects from `get_object_or_404(actor, Model, ...)`,
  which answers 403 (PermissionDenied) for a missing permission and 404 for an object outside the scope,
  so another organisation's record is indistinguishable from a missing one.
- Each app registers the scope of its models with `register(...)` in its AppConfig.ready(); the core
  never imports the domain apps. Views and API modules never touch `Model.objects` of scoped data
  (a test in kinga/core/tests enforces it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from kinga.core.models import Membership, Organisation, User
from kinga.core.roles import AGGREGATE_ONLY_ROLES, IDENTITY_ROLES, PERMISSIONS, Role, permissions_of

M = TypeVar("M", bound=Model)
ScopeFn = Callable[["Actor", QuerySet], QuerySet]


@dataclass(frozen=True)
class Actor:
    """A user acting in one membership. Anonymous or membership-less actors have no permission at all."""

    user: User | None
    membership: Membership | None = None
    _extra: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None and self.user.is_authenticated

    @property
    def organisation(self) -> Organisation | None:
        return self.membership.organisation if self.membership else None

    @property
    def organisation_id(self) -> int | None:
        return self.membership.organisation_id if self.membership else None

    @property
    def role(self) -> str | None:
        return self.membership.role if self.membership else None

    @property
    def is_system(self) -> bool:
        return self.user is not None and getattr(self.user, "is_system", False)

    @cached_property
    def permissions(self) -> frozenset[str]:
        if self.is_system:  # commands and tasks act as the named system actor with every permission
            return frozenset(PERMISSIONS)
        if self.membership is None or not self.membership.is_active or not self.is_authenticated:
            return frozenset()
        return permissions_of(self.membership.role)

    def has(self, perm: str) -> bool:
        if perm not in PERMISSIONS:  # catches typos early
            raise KeyError(
                f"Unknown permission {perm!r}: declare it in kinga/core/roles.py"
            )  # raises on an undeclared permission: catches typos early
        return perm in self.permissions

    @property
    def sees_identities(self) -> bool:
        return self.is_system or self.role in IDENTITY_ROLES

    @property
    def aggregates_only(self) -> bool:
        return self.role in AGGREGATE_ONLY_ROLES

    @property
    def is_system_wide(self) -> bool:
        """Administrators and coordinators act province-wide (on aggregates for coordinators)."""
        return self.is_system or self.role in {Role.ADMIN, Role.COORDINATOR}

    @cached_property
    def team_user_ids(self) -> frozenset[int]:
        """A supervisor's team: the caseworkers they supervise in their organisation, and themselves."""
        if self.membership is None or self.user is None:
            return frozenset()
        ids = set(
            Membership.objects.filter(
                supervisor=self.membership, organisation_id=self.organisation_id, is_active=True
            ).values_list("user_id", flat=True)
        )
        ids.add(self.user.pk)
        return frozenset(ids)


ANONYMOUS = Actor(user=None)


def actor_for(user: User | None, membership_id: int | str | None = None) -> Actor:
    """The actor of a user: the chosen active membership, else their first active one."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    memberships = user.memberships.filter(is_active=True, organisation__is_active=True).select_related(
        "organisation"
    )
    chosen = None
    if membership_id:
        chosen = memberships.filter(pk=membership_id).first()
    if chosen is None:
        chosen = memberships.order_by("created_at", "pk").first()
    return Actor(user=user, membership=chosen)


def actor_from_request(request) -> Actor:
    """Works for Django views (set by ActorMiddleware) and DRF requests (token users known only after auth)."""
    actor = getattr(request, "actor", None)
    user = getattr(request, "user", None)
    if actor is not None and actor.user == user and (user is None or user.is_authenticated):
        return actor
    membership_id = None
    session = getattr(request, "session", None)
    if session is not None:
        membership_id = session.get("kinga_membership")
    return actor_for(user, membership_id)


@dataclass(frozen=True)
class Rule:
    model: type[Model]
    scope: ScopeFn
    view_permission: str


_RULES: dict[type[Model], Rule] = {}


def register(model: type[Model], *, scope: ScopeFn, view_permission: str) -> None:
    """Declare how a model is scoped. Called from each app's AppConfig.ready()."""
    _RULES[model] = Rule(model=model, scope=scope, view_permission=view_permission)


def registered_models() -> list[type[Model]]:
    return list(_RULES)


def unscoped(actor: Actor, queryset: QuerySet) -> QuerySet:
    """Scope of reference data every authenticated actor may read."""
    return queryset


def own_organisation(field_name: str = "organisation") -> ScopeFn:
    """Scope: records of the actor's organisation; system-wide roles see all."""

    def scope(actor: Actor, queryset: QuerySet) -> QuerySet:
        if actor.is_system_wide:
            return queryset
        if actor.organisation_id is None:
            return queryset.none()
        return queryset.filter(**{f"{field_name}_id": actor.organisation_id})

    return scope


def require(actor: Actor, perm: str) -> None:
    if not actor.is_authenticated:
        raise PermissionDenied(_("You must be logged in."))
    if not actor.has(perm):
        raise PermissionDenied(_("Your role does not allow this action."))


def rule_for(model: type[Model]) -> Rule:
    try:
        return _RULES[model]
    except KeyError:
        raise LookupError(f"{model.__name__} has no access rule: register it in its app's ready()") from None


def scoped(
    actor: Actor, model: type[M], *, perm: str | None = None, queryset: QuerySet | None = None
) -> QuerySet:
    """Everything of `model` the actor may see, after checking `perm` (default: the model's view permission)."""
    rule = rule_for(model)
    require(actor, perm or rule.view_permission)
    base = queryset if queryset is not None else model._default_manager.all()
    return rule.scope(actor, base)


def get_object_or_404(
    actor: Actor, model: type[M], *, perm: str | None = None, queryset: QuerySet | None = None, **lookup: Any
) -> M:
    """One object the actor may act on: 403 for a missing permission, 404 outside the actor's scope."""
    try:
        return scoped(actor, model, perm=perm, queryset=queryset).get(**lookup)
    except model.DoesNotExist:
        raise Http404(_("Not found.")) from None
    except (
        ValueError,
        TypeError,
        ValidationError,
    ):  # a malformed UUID in the URL is a missing object, not a crash
        raise Http404(_("Not found.")) from None
