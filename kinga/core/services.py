"""Writes of the core: places, organisations, memberships, API tokens. Atomic, audited, raising on bad input."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kinga.core import access, audit
from kinga.core.access import Actor
from kinga.core.crypto import normalise
from kinga.core.models import (
    ApiToken,
    Membership,
    Organisation,
    OrganisationAlias,
    OrganisationType,
    Place,
    PlaceLevel,
    User,
)
from kinga.core.roles import Role
from kinga.core.token_auth import digest_of, new_key


def _set_path(place: Place) -> None:
    parent_path = place.parent.path if place.parent_id else "/"
    place.path = f"{parent_path}{place.pk}/"
    Place.objects.filter(pk=place.pk).update(path=place.path)


@transaction.atomic
def create_place(
    *,
    actor: Actor,
    name: str,
    parent: Place,
    level: int | None = None,
    pcode: str | None = None,
    latitude: Decimal | float | None = None,
    longitude: Decimal | float | None = None,
) -> Place:
    """A named place below an existing one (a commune, groupement, village or quartier)."""
    access.require(actor, "core.add_place")
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("The place's name is required.")]
    if parent is None:
        errors["parent"] = [_("Choose the parent place.")]
    level = level if level is not None else (parent.level + 1 if parent else None)
    if parent is not None and level is not None and level <= parent.level:
        errors["level"] = [_("A place must be at a lower level than its parent.")]
    if level is not None and level > PlaceLevel.VILLAGE:
        errors["level"] = [_("Unknown place level.")]
    if (latitude is None) != (longitude is None):
        errors["latitude"] = [_("Give both latitude and longitude, or neither.")]
    if latitude is not None and not -90 <= float(latitude) <= 90:
        errors["latitude"] = [_("Latitude must be between -90 and 90.")]
    if longitude is not None and not -180 <= float(longitude) <= 180:
        errors["longitude"] = [_("Longitude must be between -180 and 180.")]
    if parent is not None and name and Place.objects.filter(parent=parent, name__iexact=name).exists():
        errors["name"] = [
            _("A place of this name already exists under %(parent)s.") % {"parent": parent.name}
        ]
    if errors:
        raise ValidationError(errors)
    place = Place.objects.create(
        name=name, parent=parent, level=level, pcode=pcode or None, latitude=latitude, longitude=longitude
    )
    _set_path(place)
    audit.record_create(actor=actor, obj=place)
    return place


def place_by_pcode(pcode: str) -> Place:
    """The place of a p-code, or a ValidationError naming it (for imports and API input)."""
    place = Place.objects.filter(pcode=(pcode or "").strip().upper()).first()
    if place is None:
        raise ValidationError({"pcode": [_("Unknown p-code: %(pcode)s.") % {"pcode": pcode}]})
    return place


def _alias_key(text: str) -> str:
    return normalise(text).replace(" ", "")


def resolve_organisation(text: str) -> Organisation | None:
    """The organisation a name, acronym or alias designates (accents, case, spaces and dots folded)."""
    key = _alias_key(text)
    if not key:
        return None
    alias = OrganisationAlias.objects.select_related("organisation").filter(normalised=key).first()
    return alias.organisation if alias else None


def _add_alias(organisation: Organisation, alias: str) -> None:
    key = _alias_key(alias)
    if not key:
        return
    existing = OrganisationAlias.objects.filter(normalised=key).first()
    if existing is None:
        OrganisationAlias.objects.create(organisation=organisation, alias=alias, normalised=key)
    elif existing.organisation_id != organisation.pk:
        raise ValidationError(
            {
                "aliases": [
                    _("“%(alias)s” already designates %(org)s.")
                    % {"alias": alias, "org": existing.organisation}
                ]
            }
        )


@transaction.atomic
def create_organisation(
    *,
    actor: Actor,
    name: str,
    type: str,
    acronym: str = "",
    aliases: list[str] | None = None,
    areas: list[Place] | None = None,
    is_reference: bool = False,
) -> Organisation:
    access.require(actor, "core.manage_organisations")
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("The name is required.")]
    if type not in OrganisationType.values:
        errors["type"] = [_("Unknown organisation type.")]
    if name and Organisation.objects.filter(name__iexact=name).exists():
        errors["name"] = [_("An organisation of this name already exists.")]
    if errors:
        raise ValidationError(errors)
    organisation = Organisation.objects.create(
        name=name, acronym=acronym.strip(), type=type, is_reference=is_reference
    )
    for alias in [name, acronym, *(aliases or [])]:
        _add_alias(organisation, alias)
    if areas:
        organisation.areas.set(areas)
    audit.record_create(actor=actor, obj=organisation)
    return organisation


@transaction.atomic
def update_organisation(*, actor: Actor, organisation: Organisation, **changes) -> Organisation:
    access.require(actor, "core.manage_organisations")
    allowed = {"name", "acronym", "type", "is_active"}
    unknown = set(changes) - allowed - {"aliases", "areas"}
    if unknown:
        raise ValidationError({field: [_("This field cannot be changed.")] for field in unknown})
    if "type" in changes and changes["type"] not in OrganisationType.values:
        raise ValidationError({"type": [_("Unknown organisation type.")]})
    before = audit.snapshot(organisation)
    fields = [f for f in allowed if f in changes]
    for field in fields:
        setattr(organisation, field, changes[field])
    if fields:
        organisation.save(update_fields=fields)
    for alias in changes.get("aliases") or []:
        _add_alias(organisation, alias)
    if "areas" in changes:
        organisation.areas.set(changes["areas"])
    audit.record_update(actor=actor, obj=organisation, before=before)
    return organisation


@transaction.atomic
def add_member(
    *,
    actor: Actor,
    organisation: Organisation,
    email: str,
    role: str,
    full_name: str = "",
    password: str | None = None,
    supervisor: Membership | None = None,
) -> Membership:
    """Give a person a role in an organisation (creating their account when new)."""
    access.require(actor, "core.manage_members")
    if not actor.is_system_wide and organisation.pk != actor.organisation_id:
        raise access.PermissionDenied(_("You can only manage members of your own organisation."))
    errors: dict[str, list[str]] = {}
    email = (email or "").strip().lower()
    if not email or "@" not in email:
        errors["email"] = [_("Invalid e-mail address.")]
    if role not in Role.values:
        errors["role"] = [_("Unknown role.")]
    if role == Role.ADMIN and actor.role != Role.ADMIN and not actor.is_system:
        errors["role"] = [_("Only an administrator can appoint an administrator.")]
    if supervisor is not None and (
        supervisor.organisation_id != organisation.pk or supervisor.role != Role.SUPERVISOR
    ):
        errors["supervisor"] = [_("The supervisor must be a supervisor of the same organisation.")]
    if errors:
        raise ValidationError(errors)
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=password, full_name=full_name)
        if password is None:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        audit.record_create(actor=actor, obj=user)
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                user=user, organisation=organisation, role=role, supervisor=supervisor
            )
    except IntegrityError:
        raise ValidationError(
            {"role": [_("This person already has this role in this organisation.")]}
        ) from None
    audit.record_create(actor=actor, obj=membership, organisation=organisation)
    return membership


@transaction.atomic
def create_api_token(
    *, actor: Actor, name: str, expires_at: datetime.datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token for the acting user. The key is returned once and never stored."""
    access.require(actor, "core.use_api")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the token a name.")]})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": [_("The expiry date must be in the future.")]})
    key = new_key()
    token = ApiToken.objects.create(
        user=actor.user, name=name, prefix=key[:12], digest=digest_of(key), expires_at=expires_at
    )
    audit.record_create(actor=actor, obj=token)
    return token, key


@transaction.atomic
def revoke_api_token(*, actor: Actor, token: ApiToken) -> ApiToken:
    if token.user_id != actor.user.pk:
        raise access.PermissionDenied(_("This token is not yours."))
    if token.revoked_at is None:
        before = audit.snapshot(token, ["revoked_at"])
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record_update(actor=actor, obj=token, before=before)
    return token
