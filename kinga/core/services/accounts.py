"""A person's own account: API tokens, second factor (replacing the authenticator app), preferred language."""

from __future__ import annotations

import datetime
import math
import time

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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


class _IncorrectCode(Exception):
    """The new app's code is wrong: raised inside the replacement's transaction, to roll it back."""


def _wrong_code_keys(user: User) -> tuple[str, str]:
    """The shared cache's count of a person's wrong codes, and when that count ends (a timestamp)."""
    return f"core:mfa-replace:wrong:{user.pk}", f"core:mfa-replace:until:{user.pk}"


def _count_wrong_code(user: User) -> None:
    count_key, until_key = _wrong_code_keys(user)
    _limit, window = settings.KINGA_MFA_REPLACE_RATE
    cache.add(until_key, time.time() + window, timeout=window)
    if not cache.add(count_key, 1, timeout=window):
        try:
            cache.incr(count_key)
        except ValueError:  # expired between add and incr
            cache.set(count_key, 1, timeout=window)


def _too_many_wrong_codes(user: User) -> ValidationError | None:
    """The refusal, saying when to try again, once a person has given KINGA_MFA_REPLACE_RATE wrong codes."""
    count_key, until_key = _wrong_code_keys(user)
    limit, window = settings.KINGA_MFA_REPLACE_RATE
    if (cache.get(count_key) or 0) < limit:
        return None
    until = cache.get(until_key) or time.time() + window
    minutes = max(1, math.ceil((until - time.time()) / 60))
    at = date_format(timezone.localtime(datetime.datetime.fromtimestamp(until, tz=datetime.UTC)), "H:i")
    message = ngettext(
        "Too many incorrect codes: try again at %(time)s (in %(minutes)s minute).",
        "Too many incorrect codes: try again at %(time)s (in %(minutes)s minutes).",
        minutes,
    ) % {"time": at, "minutes": minutes}
    return ValidationError({"code": [message]})


def replace_totp(*, actor: Actor, secret: str, code: str) -> Authenticator:
    """Replace the acting user's authenticator app by the one holding `secret`, once it has shown `code`.

    The new app is confirmed before the old one goes, in one transaction: the account is never without a
    confirmed second factor (a role that must have one cannot switch it off, only replace it). The code is
    marked used, like a login code. Recovery codes are kept.

    Wrong codes are limited per person (KINGA_MFA_REPLACE_RATE: 5 per 15 minutes): beyond that every code is
    refused, even a right one, until the window ends. They are counted in the shared cache outside the
    transaction, which a wrong code rolls back (with the database cache, a count written inside would go with
    it). A refused code writes nothing else, like a refused login (django-axes keeps those, not the audit
    trail); a replacement clears the count."""
    user = actor.user
    refused = _too_many_wrong_codes(user)
    if refused is not None:
        raise refused
    try:
        new = _replace_totp(actor=actor, secret=secret, code=code)
    except _IncorrectCode:
        _count_wrong_code(user)
        raise ValidationError(
            {"code": [_("Incorrect code: enter the 6 digits the new app shows now.")]}
        ) from None
    cache.delete_many(_wrong_code_keys(user))
    return new


@transaction.atomic
def _replace_totp(*, actor: Actor, secret: str, code: str) -> Authenticator:
    user = actor.user
    old = Authenticator.objects.select_for_update().filter(user=user, type=Authenticator.Type.TOTP).first()
    if old is None:
        raise ValidationError({"code": [_("You have no authenticator app to replace: activate one first.")]})
    old.delete()
    new = TOTP.activate(user, secret)
    if not new.validate_code((code or "").strip()):
        # The old app stays (the transaction is rolled back): nothing changed.
        raise _IncorrectCode
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
