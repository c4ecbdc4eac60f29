"""A person's own account: API tokens, second factor (replacing the authenticator app), preferred language."""

from __future__ import annotations

import datetime

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kinga.core import access, audit
from kinga.core.access import Actor
from kinga.core.models import ApiToken, User
from kinga.core.token_auth import digest_of, new_key


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
    than its parent, and revoking the parent revokes it. No token outlives KINGA_API_TOKEN_MAX_DAYS (90 days by
    default): a longer expiry, or none, gets that maximum."""
    access.require(actor, "core.use_api")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the token a name.")]})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": [_("The expiry date must be in the future.")]})
    # No token is permanent: at most KINGA_API_TOKEN_MAX_DAYS, whatever was asked (or if nothing was).
    longest = timezone.now() + datetime.timedelta(days=settings.KINGA_API_TOKEN_MAX_DAYS)
    if expires_at is None or expires_at > longest:
        expires_at = longest
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


@transaction.atomic
def replace_totp(*, actor: Actor, secret: str, code: str) -> Authenticator:
    """Replace the acting user's authenticator app by the one holding `secret`, once it has shown `code`.

    The new app is confirmed before the old one goes, in one transaction: the account is never without a
    confirmed second factor (a role that must have one cannot switch it off, only replace it). The code is
    marked used, like a login code. Recovery codes are kept."""
    user = actor.user
    old = Authenticator.objects.select_for_update().filter(user=user, type=Authenticator.Type.TOTP).first()
    if old is None:
        raise ValidationError({"code": [_("You have no authenticator app to replace: activate one first.")]})
    old.delete()
    new = TOTP.activate(user, secret)
    if not new.validate_code((code or "").strip()):
        # The old app stays (the transaction is rolled back): nothing changed.
        raise ValidationError({"code": [_("Incorrect code: enter the 6 digits the new app shows now.")]})
    audit.record(
        actor=actor,
        action="update",
        target=user,
        changes={"second_factor": ["authenticator app", "new authenticator app"]},
        note="second factor replaced",
    )
    return new.instance


def set_preferred_language(*, user: User, language: str) -> None:
    """A person's own choice of language (no audit: it is a preference, not a record)."""
    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
