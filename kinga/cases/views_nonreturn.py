"""Monitoring of non-return: the page IDAK (the coordinator) opens every month. Counts only, no identity."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _

from kinga.core import access, periods

from . import selectors_nonreturn

BAR_WIDTH = 200  # the chart's bars, in its 300-unit wide viewBox


def cohort_chart(cohorts) -> dict:
    """Where the chart's bars go: per cohort with children, a label line then one bar per check (3, 6, 12
    months)."""
    rows, y = [], 0
    for cohort in cohorts:
        if not cohort.children:
            continue
        bars = []
        for i, cell in enumerate(cohort.cells):
            share = cell.share_of_cohort
            bars.append(
                {
                    "months": cell.months,
                    "y": y + 17 + 15 * i,
                    "width": round(BAR_WIDTH * (share or 0) / 100),
                    "text": "—" if share is None else f"{share} %",
                }
            )
        rows.append({"label": cohort.quarter.label, "y": y, "bars": bars})
        y += 17 + 15 * len(cohort.cells) + 8
    return {"rows": rows, "height": max(y, 1)}


@login_required
def non_return(request):
    actor = request.actor
    access.require(actor, "cases.view_counts")
    errors: dict[str, list[str]] = {}
    try:
        period, territory = selectors_nonreturn.parse_filters(
            actor, period=request.GET.get("period"), territory=request.GET.get("territory")
        )
    except ValidationError as exc:
        errors = exc.message_dict
        period, territory = periods.plan_to_date(), None
    data = selectors_nonreturn.non_return(actor, period=period, territory=territory)
    context = {
        "data": data,
        "chart": cohort_chart(data.cohorts),
        "breakdowns": [
            (_("Found by"), data.by_source),
            (_("Sex"), data.by_sex),
            (_("Age band"), data.by_age_band),
            (_("Territory"), data.by_territory),
        ],
        "periods": selectors_nonreturn.period_choices(period),
        "territories": selectors_nonreturn.territories(actor),
        "errors": errors,
    }
    return render(request, "cases/non_return.html", context, status=400 if errors else 200)
