"""Monitoring of non-return: the page IDAK (the coordinator) opens every month. Counts only, no identity."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _

from kinga.core import access, charts, periods

from . import selectors_nonreturn

CHART_COHORTS = 8  # the chart shows the latest cohorts with children; the table has them all


def cohort_chart(cohorts) -> charts.Chart | None:
    """Per cohort (with children) and check (3, 6, 12 months), the children of the cohort found out of the
    mines, found working, not known (check not done): one stacked bar, drawn on the server with its numbers as
    a table."""
    shown = [c for c in cohorts if c.children][:CHART_COHORTS]
    if not shown:
        return None
    cells = [(c, cell) for c in shown for cell in c.cells]
    return charts.bar_chart(
        _("Children of each cohort at 3, 6 and 12 months after the exit"),
        [
            _("%(quarter)s, at %(m)s months") % {"quarter": c.quarter.label, "m": cell.months}
            for c, cell in cells
        ],
        [
            charts.Series(
                _("out of the mines"), [cell.retained for _c, cell in cells], charts.STATUS_COLOURS["green"]
            ),
            charts.Series(
                _("found working"), [cell.working for _c, cell in cells], charts.STATUS_COLOURS["red"]
            ),
            charts.Series(
                _("not checked"),
                [cell.cohort - cell.done for _c, cell in cells],
                charts.STATUS_COLOURS["grey"],
            ),
        ],
        stacked=True,
    )


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
