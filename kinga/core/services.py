"""Writes of the core: places, organisations, memberships, API tokens. Atomic, audited, raising on bad input."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kinga.core import access, audit, geo
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
    try:
        latitude, longitude = geo.check_coordinates(latitude, longitude)
    except ValidationError as error:
        errors.update(error.message_dict)
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


def places_by_pcodes(pcodes: list[str], *, field: str = "pcodes") -> list[Place]:
    """The places of these p-codes, or a ValidationError naming the unknown ones."""
    wanted = {(p or "").strip().upper() for p in pcodes}
    found = list(Place.objects.filter(pcode__in=wanted))
    unknown = sorted(wanted - {p.pcode for p in found})
    if unknown:
        raise ValidationError({field: [_("Unknown p-code: %(pcode)s.") % {"pcode": ", ".join(unknown)}]})
    return found


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


def _clean_aliases(aliases: list[str] | None) -> list[str]:
    seen, result = set(), []
    for alias in aliases or []:
        alias = (alias or "").strip()
        if alias and _alias_key(alias) not in seen:
            seen.add(_alias_key(alias))
            result.append(alias)
    return result


def _check_areas(areas: list[Place] | None) -> None:
    if areas and any(area.level > PlaceLevel.GROUPEMENT for area in areas):
        raise ValidationError({"areas": [_("Areas of operation are provinces, territories or communes.")]})


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
    """A new organisation; its name, acronym and aliases all designate it (imports resolve them)."""
    access.require(actor, "core.manage_organisations")
    name = (name or "").strip()
    acronym = (acronym or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("The name is required.")]
    if type not in OrganisationType.values:
        errors["type"] = [_("Unknown organisation type.")]
    if name and Organisation.objects.filter(name__iexact=name).exists():
        errors["name"] = [_("An organisation of this name already exists.")]
    if errors:
        raise ValidationError(errors)
    _check_areas(areas)
    organisation = Organisation.objects.create(
        name=name, acronym=acronym, type=type, is_reference=is_reference
    )
    for alias in _clean_aliases([name, acronym, *(aliases or [])]):
        _add_alias(organisation, alias)
    if areas:
        organisation.areas.set(areas)
    audit.record_create(
        actor=actor,
        obj=organisation,
        extra_changes={
            "aliases": [None, _clean_aliases(aliases)],
            "areas": [None, sorted(a.pcode or a.name for a in areas or [])],
        },
    )
    return organisation


@transaction.atomic
def update_organisation(*, actor: Actor, organisation: Organisation, **changes) -> Organisation:
    """Change an organisation. `aliases` replaces its other names (name and acronym always stay aliases);
    `areas` replaces its areas of operation."""
    access.require(actor, "core.manage_organisations")
    allowed = {"name", "acronym", "type", "is_active"}
    unknown = set(changes) - allowed - {"aliases", "areas"}
    if unknown:
        raise ValidationError({field: [_("This field cannot be changed.")] for field in unknown})
    errors: dict[str, list[str]] = {}
    if "name" in changes:
        changes["name"] = (changes["name"] or "").strip()
        if not changes["name"]:
            errors["name"] = [_("The name is required.")]
        elif Organisation.objects.filter(name__iexact=changes["name"]).exclude(pk=organisation.pk).exists():
            errors["name"] = [_("An organisation of this name already exists.")]
    if "acronym" in changes:
        changes["acronym"] = (changes["acronym"] or "").strip()
    if "type" in changes and changes["type"] not in OrganisationType.values:
        errors["type"] = [_("Unknown organisation type.")]
    if errors:
        raise ValidationError(errors)
    _check_areas(changes.get("areas"))
    before = audit.snapshot(organisation)
    old_aliases = sorted(a.alias for a in organisation.aliases.all())
    old_areas = sorted(a.pcode or a.name for a in organisation.areas.all())
    fields = [f for f in allowed if f in changes]
    for field in fields:
        setattr(organisation, field, changes[field])
    if fields:
        organisation.save(update_fields=fields)
    if "aliases" in changes or "name" in changes or "acronym" in changes:
        kept = _clean_aliases(
            [organisation.name, organisation.acronym]
            + (changes["aliases"] if "aliases" in changes else [a for a in old_aliases])
        )
        keys = {_alias_key(a) for a in kept}
        organisation.aliases.exclude(normalised__in=keys).delete()
        for alias in kept:
            _add_alias(organisation, alias)
    if "areas" in changes:
        organisation.areas.set(changes["areas"] or [])
    extra = {}
    new_aliases = sorted(a.alias for a in organisation.aliases.all())
    if new_aliases != old_aliases:
        extra["aliases"] = [old_aliases, new_aliases]
    new_areas = sorted(a.pcode or a.name for a in organisation.areas.all())
    if new_areas != old_areas:
        extra["areas"] = [old_areas, new_areas]
    audit.record_update(actor=actor, obj=organisation, before=before, extra_changes=extra)
    return organisation


# Province-wide roles: only an administrator appoints them (an organisation manager could otherwise give
# someone of their NGO province-wide reach, or the whole audit trail).
ROLES_ONLY_ADMINS_APPOINT = frozenset({Role.ADMIN, Role.COORDINATOR})


def _check_can_manage(actor: Actor, organisation: Organisation) -> None:
    access.require(actor, "core.manage_members")
    if not actor.is_system_wide and organisation.pk != actor.organisation_id:
        raise access.PermissionDenied(_("You can only manage members of your own organisation."))


def _is_admin(actor: Actor) -> bool:
    return actor.is_system or actor.role == Role.ADMIN


def _check_supervisor(supervisor: Membership | None, organisation: Organisation, errors: dict) -> None:
    if supervisor is not None and (
        supervisor.organisation_id != organisation.pk
        or supervisor.role != Role.SUPERVISOR
        or not supervisor.is_active
    ):
        errors["supervisor"] = [_("The supervisor must be an active supervisor of the same organisation.")]


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
    """Give a person a role in an organisation (creating their account when new, without a usable
    password: they choose it through the invitation link)."""
    _check_can_manage(actor, organisation)
    errors: dict[str, list[str]] = {}
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = [_("Invalid e-mail address.")]
    if role not in Role.values:
        errors["role"] = [_("Unknown role.")]
    elif role in ROLES_ONLY_ADMINS_APPOINT and not _is_admin(actor):
        errors["role"] = [_("Only an administrator can appoint this role.")]
    _check_supervisor(supervisor, organisation, errors)
    if supervisor is not None and role != Role.CASEWORKER and "supervisor" not in errors:
        errors["supervisor"] = [_("Only caseworkers have a supervisor.")]
    if not organisation.is_active:
        errors["organisation"] = [_("This organisation is deactivated.")]
    if errors:
        raise ValidationError(errors)
    user = User.objects.filter(email=email).first()
    if user is not None and user.is_system:
        raise ValidationError({"email": [_("This address is reserved.")]})
    if user is None:
        user = User.objects.create_user(email=email, password=password, full_name=(full_name or "").strip())
        if password is None:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        audit.record_create(actor=actor, obj=user, organisation=organisation)
    existing = Membership.objects.filter(user=user, organisation=organisation, role=role).first()
    if existing is not None:
        if existing.is_active:
            raise ValidationError({"role": [_("This person already has this role in this organisation.")]})
        return update_member(actor=actor, membership=existing, is_active=True, supervisor=supervisor)
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


_UNSET = object()


@transaction.atomic
def update_member(
    *,
    actor: Actor,
    membership: Membership,
    role: str | None = None,
    supervisor: Membership | object | None = _UNSET,
    is_active: bool | None = None,
) -> Membership:
    """Change a member's role or supervisor, deactivate or reactivate them. Deactivation keeps the
    account and the history; the person loses every permission of this membership at once."""
    organisation = membership.organisation
    _check_can_manage(actor, organisation)
    errors: dict[str, list[str]] = {}
    if membership.role in ROLES_ONLY_ADMINS_APPOINT and not _is_admin(actor):
        raise access.PermissionDenied(_("Only an administrator can change this member."))
    if role is not None:
        if role not in Role.values:
            errors["role"] = [_("Unknown role.")]
        elif role in ROLES_ONLY_ADMINS_APPOINT and not _is_admin(actor):
            errors["role"] = [_("Only an administrator can appoint this role.")]
        elif (
            role != membership.role
            and Membership.objects.filter(user_id=membership.user_id, organisation=organisation, role=role)
            .exclude(pk=membership.pk)
            .exists()
        ):
            errors["role"] = [_("This person already has this role in this organisation.")]
    if supervisor is not _UNSET:
        _check_supervisor(supervisor, organisation, errors)
        if supervisor is not None and supervisor.pk == membership.pk:
            errors["supervisor"] = [_("A member cannot supervise themselves.")]
        if (
            supervisor is not None
            and (role or membership.role) != Role.CASEWORKER
            and "supervisor" not in errors
        ):
            errors["supervisor"] = [_("Only caseworkers have a supervisor.")]
    if is_active is False and actor.membership is not None and membership.pk == actor.membership.pk:
        errors["is_active"] = [_("You cannot deactivate your own membership.")]
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(membership, ["role", "supervisor", "is_active"])
    fields = []
    if role is not None and role != membership.role:
        membership.role = role
        fields.append("role")
        if role != Role.CASEWORKER and membership.supervisor_id is not None and supervisor is _UNSET:
            membership.supervisor = None
            fields.append("supervisor")
    if supervisor is not _UNSET and getattr(supervisor, "pk", None) != membership.supervisor_id:
        membership.supervisor = supervisor
        fields.append("supervisor")
    if is_active is not None and is_active != membership.is_active:
        membership.is_active = is_active
        fields.append("is_active")
    if fields:
        membership.save(update_fields=sorted(set(fields)))
        audit.record_update(actor=actor, obj=membership, before=before, organisation=organisation)
    return membership


def invitation_path(user: User) -> str:
    """The one-time link with which a new member chooses their password (allauth's password reset)."""
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str
    from django.urls import reverse

    return reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)},
    )


@transaction.atomic
def create_api_token(
    *,
    actor: Actor,
    name: str,
    expires_at: datetime.datetime | None = None,
    parent: ApiToken | None = None,
) -> tuple[ApiToken, str]:
    """A new token for the acting user. The key is returned once and never stored.

    `parent`: the token the request came with, when a token mints another (the web and API entry points let
    only a session that passed the second factor create a token without one). The new token expires no later
    than its parent, and revoking the parent revokes it."""
    access.require(actor, "core.use_api")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the token a name.")]})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": [_("The expiry date must be in the future.")]})
    if parent is not None:
        if parent.user_id != actor.user.pk or not parent.is_usable:
            raise access.PermissionDenied(_("This token cannot create tokens."))
        if parent.expires_at is not None and (expires_at is None or expires_at > parent.expires_at):
            expires_at = parent.expires_at
    key = new_key()
    token = ApiToken.objects.create(
        user=actor.user,
        name=name,
        prefix=key[:12],
        digest=digest_of(key),
        expires_at=expires_at,
        parent=parent,
    )
    audit.record_create(actor=actor, obj=token)
    return token, key


@transaction.atomic
def revoke_api_token(*, actor: Actor, token: ApiToken) -> ApiToken:
    """Revoke a token and every token it minted, down the chain."""
    if token.user_id != actor.user.pk:
        raise access.PermissionDenied(_("This token is not yours."))
    now = timezone.now()
    pending = [token]
    while pending:
        current = pending.pop()
        if current.revoked_at is None:
            before = audit.snapshot(current, ["revoked_at"])
            current.revoked_at = now
            current.save(update_fields=["revoked_at"])
            audit.record_update(actor=actor, obj=current, before=before)
        pending.extend(ApiToken.objects.filter(parent=current))
    return token


def send_invitation(*, actor: Actor, membership: Membership, base_url: str) -> None:
    """Queue the e-mail that invites a new member to choose their password (the manager also sees the link
    on screen, to hand it over where e-mail does not reach)."""
    from kinga.core.tasks import enqueue, send_invitation_email

    _check_can_manage(actor, membership.organisation)
    audit.record(
        actor=actor,
        action=audit.AuditAction.OTHER,
        target=membership,
        organisation=membership.organisation,
        note="invitation sent",
    )
    enqueue(
        send_invitation_email,
        membership_id=membership.pk,
        base_url=base_url,
        actor_user_id=actor.user.pk if actor.user else None,
    )


def deliver_invitation(*, membership: Membership, url: str, actor_user_id: int | None = None) -> None:
    """Send the invitation e-mail now (called by the task). The link never enters the audit trail."""
    from django.core.mail import send_mail
    from django.utils import translation

    user = membership.user
    with translation.override(user.preferred_language or "fr"):
        subject = _("Your Kinga account")
        body = _(
            "Hello,\n\n%(organisation)s gives you access to Kinga as %(role)s.\n"
            "Choose your password with this link (valid a few days, usable once):\n%(url)s\n\n"
            "You will then enrol a second factor (authenticator app) if your role requires it."
        ) % {"organisation": membership.organisation, "role": membership.get_role_display(), "url": url}
    send_mail(subject, body, None, [user.email])


def set_preferred_language(*, user: User, language: str) -> None:
    """A person's own choice of language (no audit: it is a preference, not a record)."""
    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
