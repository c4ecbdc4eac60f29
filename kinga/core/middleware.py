from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db import DataError
from django.http import JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from kinga.core.access import actor_for
from kinga.core.pickers import serving
from kinga.core.roles import MFA_REQUIRED_ROLES


def translated_here(language: str, path: str) -> bool:
    """Whether `path` is translated in `language`: every page for a full language; for a partial one
    (KINGA_PARTIAL_LANGUAGES), the pages under its prefixes — "/" standing for the home page alone."""
    prefixes = settings.KINGA_PARTIAL_LANGUAGES.get(language)
    if prefixes is None:
        return True
    return any(path == prefix if prefix == "/" else path.startswith(prefix) for prefix in prefixes)


class FrenchFirstLocaleMiddleware(LocaleMiddleware):
    """French unless the person chose another language with the switch (its cookie): the browser's own
    language is ignored, since many phones in Lualaba are set to English while their users read French.
    A language translated only for some pages (Kiswahili: the public alert form) is French everywhere else."""

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        if language in settings.KINGA_PARTIAL_LANGUAGES and not translated_here(language, request.path):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class ActorMiddleware:
    """Sets request.actor: the user in their chosen membership (session key kinga_membership)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.actor = actor_for(getattr(request, "user", None), request.session.get("kinga_membership"))
        with serving(request.actor):  # the pickers' first choices: the actor's own area
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


# A NUL byte cannot be stored in a PostgreSQL text column and means nothing in a form or a search: the database
# refuses it with an error deep inside a view. Refused here, once, for every page and the API.
_NUL_MARKERS = (b"\x00", b"%00", b"\\u0000", b"\\U0000")


class BadInputMiddleware:
    """Input no view can use answers 400 with a French message, never a server error:

    - a NUL byte in the query string, a form field or a JSON body (refused before any view runs);
    - an integer too large for the database (a page number, an offset, an id: `page=99999999999999999999`)
      where a view or a filter passed it on — the database's "out of range" error becomes the same 400.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _carries_nul(request):
            return bad_request(
                request, _("The request contains a NUL character, which Kinga does not accept.")
            )
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OverflowError | DataError) and _out_of_range(exception):
            return bad_request(request, _("A number in the request is too large."))
        return None


def _out_of_range(exception) -> bool:
    text = str(exception).lower()
    return isinstance(exception, OverflowError) or "out of range" in text


def _carries_nul(request) -> bool:
    if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
        return True
    if any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()):
        return True
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    content_type = request.content_type or ""
    if content_type == "multipart/form-data":
        # Files may hold NUL bytes; the form's text fields may not.
        return any("\x00" in key or any("\x00" in v for v in values) for key, values in request.POST.lists())
    if content_type != "application/x-www-form-urlencoded" and not content_type.endswith("json"):
        return False
    try:
        body = request.body
    except Exception:
        return False
    return any(marker in body for marker in _NUL_MARKERS)


def bad_request(request, message: str):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=400)
    return render(request, "core/bad_request.html", {"message": message}, status=400)


class PrivateResponsesMiddleware:
    """What a signed-in person receives (a case file, a child's photo, a study, a list of names) is never kept
    by a browser cache or a proxy: `Cache-Control: private, no-store` unless the view chose otherwise."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response
