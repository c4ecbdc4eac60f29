import datetime
import time

from allauth.account import app_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kinga.core.roles import MFA_REQUIRED_ROLES


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created by administrators: no public sign-up; system actors never log in."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        # A member who must enrol a second factor is sent there straight after typing their password:
        # asking for it again on a phone over a slow link adds nothing. Changing an existing factor still
        # requires reauthentication.
        required = super().is_reauthentication_required(app=app, **kwargs)
        if required and app == "allauth.mfa" and _first_enrolment_right_after_password_login():
            return False
        return required

    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        if user is not None and getattr(user, "is_system", False):
            return None
        return user


def _first_enrolment_right_after_password_login() -> bool:
    request = context.request
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return False
    logins = [
        record["at"]
        for record in get_authentication_records(request, user)
        if record.get("method") == "password"
        and time.time() - record.get("at", 0) < app_settings.REAUTHENTICATION_TIMEOUT
    ]
    if not logins:
        return False
    # Only factors enrolled since that login (the enrolment and its recovery codes), never older ones.
    logged_in_at = datetime.datetime.fromtimestamp(max(logins), tz=datetime.UTC)
    return not Authenticator.objects.filter(user=user, created_at__lt=logged_in_at).exists()


def axes_username(request, credentials: dict | None) -> str | None:
    """The login (e-mail, lower-cased) django-axes counts failures for."""
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("login") or credentials.get("username")
    if not value and request is not None and request.method == "POST":
        value = request.POST.get("login")
    return value.strip().lower() if value else None


def needs_second_factor(user) -> bool:
    """Whether one of the user's active memberships is a role that must have a second factor."""
    return user.memberships.filter(
        is_active=True, organisation__is_active=True, role__in=MFA_REQUIRED_ROLES
    ).exists()


def has_second_factor(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def session_passed_second_factor(request) -> bool:
    """Whether this session's login went through the second factor (allauth records each step of a login)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(request, "session", None) is None:
        return False
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, user))


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": _(
            "Your role must have a second factor: you cannot switch it off. To change phones, use “Replace "
            "the authenticator app” on your profile."
        ),
    }

    def can_delete_authenticator(self, authenticator) -> bool:
        # A role that must have a second factor may replace its authenticator, never go without one.
        if authenticator.type == authenticator.Type.TOTP and needs_second_factor(authenticator.user):
            return False
        return super().can_delete_authenticator(authenticator)


def client_address(request) -> str:
    """The client's address for lockouts and rate limits (django-axes' AXES_CLIENT_IP_CALLABLE). Behind
    KINGA_PROXY_COUNT trusted reverse proxies, the entry the outermost of them appended to X-Forwarded-For
    (entries before it are whatever the client sent); without a proxy, the connection's own address."""
    count = settings.KINGA_PROXY_COUNT
    if count:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR", "")
