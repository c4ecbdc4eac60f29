"""The database is unreachable (PostgreSQL restarting, the network to it down): a clear 503, never a traceback.

Django turns an exception raised anywhere in the middleware stack or a view into the 500 handler's response,
layer by layer, so the one place that sees them all is that handler (`handler500` in kinga/urls.py; and
`handler400`, for a session that could not be saved): when the
exception being handled is a lost or refused database connection, it answers 503 with `Retry-After` (a French
page, or JSON under /api/) rendered without a database query; anything else keeps Django's 500. Nothing needs a
restart afterwards: a failed connection is closed at the end of its request, and CONN_HEALTH_CHECKS (settings)
checks a kept connection before reuse, so the first request after PostgreSQL is back gets a fresh one.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.defaults import bad_request as django_bad_request
from django.views.defaults import server_error as django_server_error

RETRY_AFTER_SECONDS = 30


def is_database_unavailable(exc: BaseException | None) -> bool:
    """A lost or refused connection, also when another exception was raised while handling one."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, OperationalError | InterfaceError):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def unavailable_response(request) -> HttpResponse:
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": _("The database is unavailable for a moment. Try again in a few seconds.")},
            status=503,
        )
    else:
        # No request context: its processors (user, messages) would query the database that is down.
        response = HttpResponse(render_to_string("core/unavailable.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request, *args, **kwargs):
    if is_database_unavailable(sys.exc_info()[1]):
        return unavailable_response(request)
    return django_server_error(request, *args, **kwargs)


def bad_request(request, exception, *args, **kwargs):
    """The session saved at the end of every request (SESSION_SAVE_EVERY_REQUEST) fails with the database
    down, and Django reports that as an interrupted session (400): it is the outage, so the same 503."""
    if is_database_unavailable(exception):
        return unavailable_response(request)
    return django_bad_request(request, exception, *args, **kwargs)
