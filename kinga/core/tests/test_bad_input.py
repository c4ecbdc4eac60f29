"""Input no view can use is a clear 400 or 404, never a server error: on every page and every API route.

The classes are handled once (kinga.core.middleware.BadInputMiddleware, kinga.core.pagination, the API
router), so these tests walk every URL the project serves rather than naming views: a page added later is
crawled too. The NUL byte matters on PostgreSQL (its text columns refuse it); the huge page number on both.
"""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator

from kinga.core.roles import Role
from kinga.core.services import create_api_token
from kinga.core.testing import actor_of, client_for, enrol_totp, make_member, make_organisation

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"
ROLES = [Role.ADMIN, Role.COORDINATOR, Role.ORG_MANAGER, Role.SUPERVISOR, Role.SITE_INSPECTOR]
# Not pages: the static files, allauth's flows (they have their own tests), the language switch (POST only).
SKIP = re.compile(r"^/(static|accounts|i18n|jsi18n|api)/")


def _walk(patterns, prefix=""):
    for entry in patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            yield prefix + route


def _concrete(route: str) -> str | None:
    """A URL for a route: every <uuid:...> (or <str:...> / <slug:...>) argument gets a value; regex routes and
    integer ids (none in Kinga's own URLs) are left out."""
    if route.startswith("^"):
        return None

    def value(match):
        converter = match.group(1) or "str"
        return {"uuid": str(uuid.uuid4()), "int": "1", "path": "x"}.get(converter, "x")

    url = "/" + re.sub(r"<(?:(\w+):)?\w+>", value, route)
    return None if SKIP.match(url) else url


def html_urls() -> list[str]:
    urls = {_concrete(route) for route in _walk(get_resolver().url_patterns)}
    return sorted(u for u in urls if u)


@pytest.fixture
def clients(reference_places):
    org = make_organisation()
    return {role: client_for(make_member(org, role)) for role in ROLES}


def test_the_crawl_reaches_the_pages():
    urls = html_urls()
    assert len(urls) > 100
    assert "/cases/" in urls and "/households/" in urls


@pytest.mark.parametrize(
    "query",
    ["q=%00", "page=" + HUGE, "q=Mwamba&page=" + HUGE, "search=%00&page=%00", "q=Mwamba%00&page=-" + HUGE],
)
def test_no_page_answers_a_server_error_to_bad_input(clients, query):
    # A NUL byte is refused by the middleware before any view or permission check runs: one role walks
    # those (each walk is ~150 pages per role); a huge page number reaches the views, so every role walks it.
    walkers = {Role.SUPERVISOR: clients[Role.SUPERVISOR]} if "%00" in query else clients
    failures = []
    for url in html_urls():
        for role, client in walkers.items():
            response = client.get(f"{url}?{query}")
            if response.status_code >= 500:
                failures.append(f"{role} {url}?{query}: {response.status_code}")
            elif "%00" in query and response.status_code not in (301, 302, 400, 403, 404, 405):
                failures.append(f"{role} {url}?{query}: {response.status_code}, not refused")
    assert failures == []


def test_a_nul_byte_is_refused_in_french(clients):
    client = clients[Role.SUPERVISOR]
    response = client.get("/cases/?q=Mwamba%00")
    assert response.status_code == 400
    assert "caractère NUL" in response.content.decode()
    response = client.post("/cases/", {"q": "Mwamba\x00"})
    assert response.status_code == 400
    # A search's page past any table (OFFSET beyond a bigint) is a page that does not exist.
    assert client.post("/cases/", {"q": "Mwamba", "page": HUGE}).status_code == 404
    api = client.get("/api/v1/places/?search=%00")
    assert api.status_code == 400 and "caractère NUL" in api.json()["detail"]
    body = client.post("/api/v1/places/", '{"name": "A\\u0000"}', content_type="application/json")
    assert body.status_code == 400


@pytest.fixture
def token(reference_places):
    admin = make_member(make_organisation(), Role.ADMIN)
    enrol_totp(admin.user)
    _token, key = create_api_token(actor=actor_of(admin), name="crawl")
    return key


def api_routes() -> list[str]:
    """Every route the API router serves, from the OpenAPI document."""
    with GENERATOR_STATS.silence():
        document = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(document["paths"])


def test_format_suffixes_and_huge_pages_on_every_api_route(client, token):
    headers = {"Authorization": f"Token {token}"}
    failures = []
    routes = api_routes()
    assert len(routes) > 50
    for route in routes:
        path = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), route)
        bare = path.rstrip("/")
        for url in (
            f"{bare}.json",
            f"{bare}.json/",
            f"{bare}.api",
            f"{path}?limit={HUGE}&offset={HUGE}",
            f"{path}?page={HUGE}&id={HUGE}",
            f"{path}?search=%00",
        ):
            response = client.get(url, headers=headers)
            if response.status_code >= 500:
                failures.append(f"{url}: {response.status_code}")
    assert failures == []
