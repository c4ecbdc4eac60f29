"""The cost per result page: parse the period and the territory, one selector call, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render

from kinga.core import access, periods
from kinga.monitoring import selectors, selectors_cost


@login_required
def cost_per_result(request):
    actor = request.actor
    access.require(actor, selectors_cost.PERMISSION)
    errors = {}
    try:
        period = periods.parse(request.GET.get("period"), default=periods.YEAR)
    except ValidationError as error:
        errors["period"] = error.messages[0]
        period = periods.parse("", default=periods.YEAR)
    try:
        territory = selectors.territory_by_pcode(actor, request.GET.get("territory", ""))
    except ValidationError as error:
        errors["territory"] = error.messages[0]
        territory = None
    choices = [periods.parse("", default=periods.QUARTER), *reversed(periods.series(period, 1))]
    choices = {p.iso: p for p in [*choices, *periods.series(periods.parse("", default=periods.YEAR), 3)]}
    choices[periods.plan_to_date().iso] = periods.plan_to_date()
    context = {
        "costs": selectors_cost.cost_per_result(actor, period=period, area=territory),
        "results": list(selectors_cost.RESULTS.values()),
        "errors": errors,
        "territories": selectors.territories(actor),
        "territory_value": territory.pcode if territory is not None else "",
        "suggested_periods": [(p.iso, p.label) for p in choices.values()],
    }
    return render(request, "monitoring/cost_per_result.html", context, status=400 if errors else 200)
