"""The one clock of Kinga: "today" and "now" for every app, and the calendar arithmetic built on them.

`today()` is the local date in settings.TIME_ZONE (Africa/Lubumbashi), never the server's naive date; `now()` is
timezone-aware. Call them through the module (`from kinga.core import clock; clock.today()`), never
`from kinga.core.clock import today`: tests freeze the clock by replacing the module's attribute (the `today`
fixture of the root conftest.py), which a name copied at import time would not see.
"""

from __future__ import annotations

import calendar
import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _


def now() -> datetime.datetime:
    return timezone.now()


def today() -> datetime.date:
    return timezone.localdate(now())


def day_text(day: datetime.date) -> str:
    """A day as every page writes it, dd/mm/yyyy, for a text made in Python (a status's reason, a chart's
    tooltip); templates use the `day` filter."""
    return f"{day:%d/%m/%Y}"


def day_bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[start, end] as aware datetimes [start 00:00, the day after end 00:00) in the local time zone: a filter on a
    timestamp column that an index serves (`__date` casts every row)."""
    zone = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.datetime.combine(start, datetime.time.min), zone),
        timezone.make_aware(
            datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min), zone
        ),
    )


def add_months(day: datetime.date, months: int) -> datetime.date:
    """Calendar months: 31 January + 1 month = 28/29 February (the last day when the day does not exist)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_between(earlier: datetime.date, later: datetime.date) -> int:
    """Whole calendar months from `earlier` to `later` (3 for 15 January → 15 April, 2 for → 14 April)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    if add_months(earlier, months) > later:
        months -= 1
    return months


def parse_date(value, *, field: str = "date") -> datetime.date | None:
    """A date from a form, an API payload or a file cell: None when empty, a field-level ValidationError when bad.

    The two ways people write a date in what Kinga reads: ISO "YYYY-MM-DD" (exports, Kobo/ODK; a time after it is
    ignored) and the French day-first "DD/MM/YYYY". A date or datetime passes through (a datetime gives its date).
    """
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text[:10])
    except ValueError:
        pass
    parts = text.split("/")
    try:
        if len(parts) != 3 or len(parts[2]) != 4:
            raise ValueError(text)
        return datetime.date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        raise ValidationError({field: [_("Give a date as YYYY-MM-DD or DD/MM/YYYY.")]}) from None
