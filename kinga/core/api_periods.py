"""The `?period=` of every API that counts over a period (kinga.core.periods' notation: 2026Q3, 2026, 202609,
plan), with its OpenAPI parameter, and the `?territory=` that usually goes with it.

One parser so that the dashboard, cost per result, non-return and the plan's indicator results accept the same
words and refuse the same mistakes with the same French message on the field (400 `{"period": ["..."]}`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from kinga.core import periods

_KIND_WORDS = {
    periods.QUARTER: "the current quarter",
    periods.YEAR: "the current year",
    periods.MONTH: "the current month",
    periods.PLAN: "the whole plan",
}


def period_parameter(*, default: str | None = periods.QUARTER) -> OpenApiParameter:
    """The OpenAPI description of `?period=`; `default=None`: the period is required."""
    text = "2026Q3 (quarter), 2026 (year), 202609 (month) or plan (since the start of the plan)"
    if default is None:
        return OpenApiParameter("period", str, required=True, description=text)
    return OpenApiParameter("period", str, description=f"{text}; default: {_KIND_WORDS[default]}")


TERRITORY_PARAMETER = OpenApiParameter(
    "territory",
    str,
    description="ADM2 p-code of a territory or town of Lualaba (CD7201); absent: the province",
)


def parse_period(request, *, default: str | None = periods.QUARTER) -> periods.Period:
    """The period of `?period=`; `default=None`: required. A DRF ValidationError on the field (400) otherwise."""
    period, _territory = period_and_territory(request, default=default)
    return period


def period_and_territory(
    request,
    *,
    default: str | None = periods.QUARTER,
    territory: Callable[[str], Any] | None = None,
) -> tuple[periods.Period, Any]:
    """`?period=` and, when `territory` is given (p-code -> place or None, a Django ValidationError when
    unknown), `?territory=`; both refused at once with field-level errors (400)."""
    errors: dict[str, list[str]] = {}
    period = place = None
    text = (request.query_params.get("period") or "").strip()
    if default is None and not text:
        errors["period"] = [
            _("Give a period: a year (2026), a quarter (2026Q3), a month (202609) or “plan”.")
        ]
    else:
        try:
            period = periods.parse(text, default=default or periods.QUARTER)
        except ValidationError as error:
            errors["period"] = error.messages
    if territory is not None:
        try:
            place = territory((request.query_params.get("territory") or "").strip())
        except ValidationError as error:
            errors["territory"] = error.messages
    if errors:
        raise serializers.ValidationError(errors)
    return period, place
