"""Searches by identity (a child's or a household member's name) travel in a POST body, never in a URL.

A URL's query string is written into every access log on the way (gunicorn, nginx, proxies) and into the
browser's history: a search for a child's name left that name in 105 access-log lines. The search form posts
its fields; the pager of the results posts them again with the page number (core/_pager.html, given
`search_fields`). A `q` in a query string is ignored, so an old link or bookmark cannot put a name back.
"""

from __future__ import annotations

from django.http import HttpRequest, QueryDict


def params(request: HttpRequest) -> QueryDict:
    """The list's parameters: the posted form for a search, the query string (without `q`) otherwise."""
    if request.method == "POST":
        return request.POST
    data = request.GET.copy()
    if "q" in data:
        data.pop("q")
        data._mutable = False
        request.GET = data  # nor does the pager's {% querystring %} copy it into its links
    return data


def query(request: HttpRequest) -> str:
    return params(request).get("q", "").strip()


def pager_fields(data: QueryDict, *names: str) -> dict[str, str]:
    """The hidden fields the pager posts back with the page number (empty when there is no name search)."""
    if not data.get("q", "").strip():
        return {}
    return {name: data.get(name, "") for name in ("q", *names)}
