from allauth.mfa.models import Authenticator
from django.conf import settings
from django.http import JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from kinga.core.access import actor_for
from kinga.core.roles import MFA_REQUIRED_ROLES


class FrenchFirstLocaleMiddleware(LocaleMiddleware):
    """French unless the person chose another language with the switch (its cookie): the browser's own
    language is ignored, since many phones in Lualaba are set to English while their users read French."""

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class ActorMiddleware:
    """Sets request.actor: the user in their chosen membership (session key kinga_membership)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.actor = actor_for(getattr(request, "user", None), request.session.get("kinga_membership"))
        return self.get_response(request)


class RequireMFAMiddleware:
    """Roles that see identities must enrol a second factor (TOTP) before anything else."""

    allowed_prefixes = ("/accounts/", "/static/", "/i18n/", "/jsi18n/", "/alerte/", "/health")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        actor = getattr(request, "actor", None)
        if (
            actor is not None
            and actor.is_authenticated
            and actor.role in MFA_REQUIRED_ROLES
            and not request.path.startswith(self.allowed_prefixes)
            and not _has_totp(request.user)
        ):
            if request.path.startswith("/api/"):
                # A session without a second factor must not reach the data through the API either.
                return JsonResponse(
                    {"detail": _("Enrol a second factor (authenticator app) before using the API.")},
                    status=403,
                )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


def _has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
