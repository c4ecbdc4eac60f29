"""API tokens: `Authorization: Token <key>` (or Bearer). Only a SHA-256 digest of the key is stored."""

import hashlib
import secrets

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from kinga.core.auth import has_second_factor, needs_second_factor
from kinga.core.models import ApiToken

KEY_PREFIX = "kinga_"


def digest_of(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


class KingaTokenAuthentication(authentication.BaseAuthentication):
    keywords = ("token", "bearer")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid authorisation header."))
        key = header[1].decode("utf-8", errors="replace")
        token = ApiToken.objects.select_related("user", "parent").filter(digest=digest_of(key)).first()
        if token is None or not token.is_usable or not token.user.is_active or token.user.is_system:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        if needs_second_factor(token.user) and not has_second_factor(token.user):
            # A role that sees identities reaches them only with a second factor; a token does not replace it.
            raise exceptions.AuthenticationFailed(
                _("This account must enrol a second factor (authenticator app) before using the API.")
            )
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return "Token"
