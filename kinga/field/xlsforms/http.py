"""The HTTP calls shared by kobo.py and central.py: one request, and a refusal or an unreachable server turned into
a PublishError whose message says which server refused what (`what`: the step, as the user reads it)."""

from __future__ import annotations

import json

import httpx
from django.utils.translation import gettext as _

from .errors import PublishError

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TIMEOUT = httpx.Timeout(60.0, connect=10.0)


def check(response: httpx.Response, server: str, what: str) -> httpx.Response:
    if response.status_code in (401, 403):
        raise PublishError(
            _(
                "%(server)s refused access (%(status)s) during: %(what)s. Check the identifier or API key in the "
                "configuration."
            )
            % {"server": server, "status": response.status_code, "what": what}
        )
    if response.status_code >= 400:
        raise PublishError(
            _("%(server)s refused: %(what)s (%(status)s) — %(reason)s")
            % {"server": server, "what": what, "status": response.status_code, "reason": reason(response)}
        )
    return response


def reason(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    if isinstance(body, dict):
        for key in ("message", "detail", "error"):
            if body.get(key):
                return str(body[key])[:300]
    return json.dumps(body, ensure_ascii=False)[:300]


def unreachable(server: str, url: str, what: str, exc: httpx.HTTPError) -> PublishError:
    return PublishError(
        _("%(server)s cannot be reached (%(url)s) during: %(what)s — %(error)s")
        % {"server": server, "url": url, "what": what, "error": exc}
    )


def request(client: httpx.Client, server: str, what: str, method: str, url: str, **kwargs) -> httpx.Response:
    try:
        response = client.request(method, url, **kwargs)
    except httpx.HTTPError as exc:
        raise unreachable(server, url, what, exc) from None
    return check(response, server, what)
