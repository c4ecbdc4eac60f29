"""Reporting periods, written as DHIS2 writes them (ISO-like): "2026" a year, "2026Q3" a quarter, "202609" a month;
"plan" is the plan from its start date (KINGA_PLAN_START_DATE) to today.

One notation for the pages (`?period=2026Q3`), the API, the command line and the DHIS2/ADX exports, so that a
figure on a page can be found again in an export by the same words. A period never ends after today: the current
quarter is "to date", which its label says.
"""

from __future__ import annotations

import calendar
import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kinga.core import clock

YEAR, QUARTER, MONTH, PLAN = "year", "quarter", "month", "plan"
KIND_CHOICES = (
    (MONTH, gettext_lazy("Month")),
    (QUARTER, gettext_lazy("Quarter")),
    (YEAR, gettext_lazy("Year")),
    (PLAN, gettext_lazy("Since the start of the plan")),
)

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Period:
    kind: str
    start: datetime.date
    end: datetime.date  # inclusive; never after today for the current period (see `to_date`)
    iso: str  # "2026Q3"; "plan" for the plan to date
    to_date: bool = False  # the period has not ended yet: its figures are so far

    @property
    def full_end(self) -> datetime.date:
        """The period's last day on the calendar, even if it is after today."""
        if self.kind == YEAR:
            return datetime.date(self.start.year, 12, 31)
        if self.kind == QUARTER:
            last_month = self.start.month + 2
            return datetime.date(
                self.start.year, last_month, calendar.monthrange(self.start.year, last_month)[1]
            )
        if self.kind == MONTH:
            return datetime.date(
                self.start.year, self.start.month, calendar.monthrange(self.start.year, self.start.month)[1]
            )
        return self.end

    @property
    def label(self) -> str:
        """In words, in the active language: "3e trimestre 2026 (à ce jour)"."""
        if self.kind == YEAR:
            text = _("Year %(year)s") % {"year": self.start.year}
        elif self.kind == QUARTER:
            text = _("Quarter %(quarter)s %(year)s") % {
                "quarter": (self.start.month - 1) // 3 + 1,
                "year": self.start.year,
            }
        elif self.kind == MONTH:
            text = formats.date_format(self.start, "F Y")
        else:
            text = _("Since the start of the plan (%(start)s)") % {
                "start": formats.date_format(self.start, "SHORT_DATE_FORMAT")
            }
        if self.to_date and self.kind != PLAN:
            text = _("%(period)s (to date)") % {"period": text}
        return text

    def previous(self) -> Period:
        if self.kind == YEAR:
            return year(self.start.year - 1)
        if self.kind == QUARTER:
            return month_period_containing(clock.add_months(self.start, -3), QUARTER)
        if self.kind == MONTH:
            return month_period_containing(clock.add_months(self.start, -1), MONTH)
        raise ValueError("the plan period has no previous period")

    def __str__(self) -> str:
        return self.iso


def plan_start() -> datetime.date:
    value = settings.KINGA_PLAN_START_DATE
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))


def _cap(kind: str, start: datetime.date, end: datetime.date, iso: str) -> Period:
    today = clock.today()
    if start > today:
        raise ValidationError(
            _("The period %(period)s has not started yet."), code="future_period", params={"period": iso}
        )
    return Period(kind=kind, start=start, end=min(end, today), iso=iso, to_date=end > today)


def year(number: int) -> Period:
    return _cap(YEAR, datetime.date(number, 1, 1), datetime.date(number, 12, 31), f"{number:04d}")


def month_period_containing(day: datetime.date, kind: str) -> Period:
    """The month or quarter (kind) that contains `day`."""
    if kind == MONTH:
        start = day.replace(day=1)
        end = datetime.date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
        return _cap(MONTH, start, end, f"{day.year:04d}{day.month:02d}")
    if kind == QUARTER:
        quarter = (day.month - 1) // 3 + 1
        start = datetime.date(day.year, 3 * quarter - 2, 1)
        end_month = 3 * quarter
        end = datetime.date(day.year, end_month, calendar.monthrange(day.year, end_month)[1])
        return _cap(QUARTER, start, end, f"{day.year:04d}Q{quarter}")
    if kind == YEAR:
        return year(day.year)
    raise ValueError(kind)


def plan_to_date() -> Period:
    return Period(kind=PLAN, start=plan_start(), end=clock.today(), iso=PLAN, to_date=True)


def parse(text: str | None, *, default: str = QUARTER) -> Period:
    """A period from its notation; empty: the current period of kind `default`. Raises ValidationError (French
    message) on anything else, so that a page says what it expected and an API answers 400 on the field."""
    value = (text or "").strip()
    if not value:
        return plan_to_date() if default == PLAN else month_period_containing(clock.today(), default)
    if value.lower() == PLAN:
        return plan_to_date()
    if match := _YEAR.match(value):
        return year(int(match.group(1)))
    if match := _QUARTER.match(value.upper()):
        return month_period_containing(
            datetime.date(int(match.group(1)), 3 * int(match.group(2)) - 2, 1), QUARTER
        )
    if match := _MONTH.match(value):
        return month_period_containing(datetime.date(int(match.group(1)), int(match.group(2)), 1), MONTH)
    raise ValidationError(
        _(
            "Unknown period “%(value)s”: write a year (2026), a quarter (2026Q3), a month (202609) "
            "or “plan” for the whole plan."
        ),
        code="invalid_period",
        params={"value": value[:40]},
    )


def series(last: Period, count: int) -> list[Period]:
    """`count` periods of the same kind ending with `last`, oldest first (a trend chart's x axis); none before the
    plan's start year."""
    periods = [last]
    while len(periods) < count and periods[0].kind != PLAN:
        earlier = periods[0].previous()
        if earlier.full_end < plan_start():
            break
        periods.insert(0, earlier)
    return periods


def quarters_between(start: datetime.date, end: datetime.date) -> Iterator[Period]:
    """Every quarter that overlaps [start, end], oldest first (cohorts of exits by quarter)."""
    current = month_period_containing(start, QUARTER)
    while current.start <= end:
        yield current
        nxt = clock.add_months(current.start, 3)
        if nxt > clock.today():
            break
        current = month_period_containing(nxt, QUARTER)
