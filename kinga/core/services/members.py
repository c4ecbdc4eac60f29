"""Memberships: a person's role in an organisation, their supervisor, deactivation, the invitation e-mail."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kinga.core import access, audit
from kinga.core.access import Actor
from kinga.core.models import Membership, Organisation, User
from kinga.core.roles import Role
from kinga.core.tasks import enqueue, send_invitation_email

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


def send_invitation(*, actor: Actor, membership: Membership, base_url: str) -> None:
    """Queue the e-mail that invites a new member to choose their password (the manager also sees the link
    on screen, to hand it over where e-mail does not reach)."""
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
