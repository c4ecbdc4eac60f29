"""A page of results that does not count them all.

A name search over an organisation's cases (a million at national scale) found its 25 rows from the ordered
index in a few milliseconds and then spent most of the page counting every match for "page 1 of N". Search
pages say "page N" and offer "next" when one more row exists, which is all a reader of search results uses.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.pagination import LimitOffsetPagination

# SQL's OFFSET and LIMIT are signed 64-bit integers: a larger page or offset is a page that does not exist,
# not a database error.
MAX_OFFSET = 2**63 - 1


class UncountedPage:
    """Quacks like django.core.paginator.Page for core/_pager.html, without `paginator` (no total)."""

    paginator = None

    def __init__(self, queryset: QuerySet, number, per_page: int):
        try:
            self.number = max(1, int(number))
        except (TypeError, ValueError):
            self.number = 1
        start = (self.number - 1) * per_page
        if start + per_page + 1 > MAX_OFFSET:
            raise Http404(_("This page does not exist."))
        rows = list(queryset[start : start + per_page + 1])  # one more: is there a next page?
        self.object_list = rows[:per_page]
        self._has_next = len(rows) > per_page

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_next(self) -> bool:
        return self._has_next

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


class ApiPagination(LimitOffsetPagination):
    """The API's pages (?limit=&offset=): at most 1,000 rows a page; an offset past any table is a 404."""

    max_limit = 1000

    def get_offset(self, request):
        offset = super().get_offset(request)
        if offset > MAX_OFFSET - self.max_limit:
            raise exceptions.NotFound(_("This page does not exist."))
        return offset
