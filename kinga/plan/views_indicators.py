"""Pages of the plan's indicators: the target-vs-actual table, one indicator with its targets by date, and the
hand entry of values. Coordinators (plan.edit) set the targets; everyone else reads them."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kinga.core import access, clock
from kinga.core import selectors as core_selectors
from kinga.core.forms import form_page
from kinga.core.models import PlaceLevel
from kinga.plan import forms, selectors, services
from kinga.plan.indicators import actuals, progress_percent
from kinga.plan.models import Indicator, IndicatorSourceKind, IndicatorTarget
from kinga.plan.views import page_context, plan_or_404


@login_required
def indicator_table(request):
    actor = request.actor
    plan = plan_or_404(actor)
    start = selectors.plan_start_date()
    end = clock.today()
    rows = list(selectors.indicators(actor, plan))
    values = actuals(rows, start=start, end=end)
    table = [
        {"indicator": i, "actual": values[i.pk], "percent": progress_percent(i, values[i.pk])} for i in rows
    ]
    return render(
        request,
        "plan/indicators.html",
        {
            **page_context(actor, plan),
            "rows": table,
            "period_start": start,
            "period_end": end,
            "can_enter": actor.has("plan.enter_indicator"),
        },
    )


# The indicator and target pages show two forms each; each form posts to its own small view, which shows the page
# again with that form in its place when it is refused (form_page's `page`).


def _indicator_page(request, indicator, *, target_form=None, final_form=None):
    actor = request.actor
    plan = plan_or_404(actor)
    final = indicator.target
    context = {
        **page_context(actor, plan),
        "indicator": indicator,
        "targets": selectors.period_targets(actor, indicator),
        "activities": indicator.activities.select_related("action__axis"),
        "target_form": target_form or forms.PeriodTargetForm(),
        "final_form": final_form
        or forms.FinalTargetForm(initial={"target": "" if final is None else f"{final.normalize():f}"}),
        "can_enter": actor.has("plan.enter_indicator") and indicator.source == IndicatorSourceKind.MANUAL,
    }
    return render(request, "plan/indicator.html", context)


def _indicator_to_revise(request, uuid) -> Indicator:
    plan_or_404(request.actor)
    indicator = access.get_object_or_404(request.actor, Indicator, uuid=uuid)
    access.require(request.actor, "plan.edit")
    return indicator


@login_required
def indicator_detail(request, uuid):
    indicator = access.get_object_or_404(request.actor, Indicator, uuid=uuid)
    return _indicator_page(request, indicator)


@login_required
@require_POST
def indicator_add_target(request, uuid):
    indicator = _indicator_to_revise(request, uuid)
    return form_page(
        request,
        forms.PeriodTargetForm(request.POST),
        save=lambda data: services.add_period_target(actor=request.actor, indicator=indicator, **data),
        success=_("Target added."),
        done=lambda saved: redirect("plan:indicator", uuid=indicator.uuid),
        page=lambda form: _indicator_page(request, indicator, target_form=form),
    )


@login_required
@require_POST
def indicator_final_target(request, uuid):
    indicator = _indicator_to_revise(request, uuid)
    return form_page(
        request,
        forms.FinalTargetForm(request.POST),
        save=lambda data: services.revise_indicator_target(actor=request.actor, indicator=indicator, **data),
        success=_("The plan was revised."),
        done=lambda saved: redirect("plan:indicator", uuid=indicator.uuid),
        page=lambda form: _indicator_page(request, indicator, final_form=form),
    )


def _target_of(request, uuid):
    actor = request.actor
    plan_or_404(actor)
    access.require(actor, "plan.edit")
    return access.get_object_or_404(actor, IndicatorTarget, uuid=uuid)


def _target_page(request, target, *, form=None, remove_form=None):
    context = {
        **page_context(request.actor, plan_or_404(request.actor)),
        "indicator": target.indicator,
        "target": target,
        "form": form
        or forms.PeriodTargetForm(
            initial={"period_end": target.period_end, "value": f"{target.value.normalize():f}"}
        ),
        "remove_form": remove_form or forms.RemoveForm(),
    }
    return render(request, "plan/period_target.html", context)


@login_required
def period_target(request, uuid):
    """Change or remove one target by date: a coordinator's page (others read the targets on the indicator)."""
    return _target_page(request, _target_of(request, uuid))


@login_required
@require_POST
def period_target_revise(request, uuid):
    target = _target_of(request, uuid)
    return form_page(
        request,
        forms.PeriodTargetForm(request.POST),
        save=lambda data: services.revise_period_target(actor=request.actor, target=target, **data),
        success=_("The plan was revised."),
        done=lambda saved: redirect("plan:indicator", uuid=target.indicator.uuid),
        page=lambda form: _target_page(request, target, form=form),
    )


@login_required
@require_POST
def period_target_remove(request, uuid):
    target = _target_of(request, uuid)
    indicator = target.indicator  # the target is gone once removed
    return form_page(
        request,
        forms.RemoveForm(request.POST),
        save=lambda data: services.remove_period_target(actor=request.actor, target=target, **data),
        success=_("Target removed."),
        done=lambda saved: redirect("plan:indicator", uuid=indicator.uuid),
        page=lambda form: _target_page(request, target, remove_form=form),
    )


@login_required
def indicator_enter(request, uuid):
    actor = request.actor
    plan = plan_or_404(actor)
    access.require(actor, "plan.enter_indicator")
    indicator = access.get_object_or_404(actor, Indicator, uuid=uuid, source=IndicatorSourceKind.MANUAL)
    areas = core_selectors.places(actor).filter(
        level__in=[PlaceLevel.PROVINCE, PlaceLevel.TERRITORY], pcode__startswith="CD72"
    )
    form = forms.IndicatorValueForm(
        request.POST or None, areas=areas, initial={"area": areas.filter(level=PlaceLevel.PROVINCE).first()}
    )

    def enter(data):
        data = dict(data)
        sex = data.pop("sex")
        return services.enter_indicator_value(
            actor=actor, indicator=indicator, breakdown={"sex": sex} if sex else None, **data
        )

    entries = indicator.values.select_related("area", "entered_by").order_by("-period_end")[:50]
    return form_page(
        request,
        form,
        save=enter,
        success=_("Value recorded."),
        done=lambda saved: redirect("plan:indicators"),
        page=lambda form: render(
            request,
            "plan/indicator_enter.html",
            {**page_context(actor, plan), "indicator": indicator, "form": form, "entries": entries},
        ),
    )
