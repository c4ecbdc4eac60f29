"""Pages of the plan's indicators: the target-vs-actual table, one indicator with its targets by date, and the
hand entry of values. Coordinators (plan.edit) set the targets; everyone else reads them."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kinga.core import access, charts, periods
from kinga.core import selectors as core_selectors
from kinga.core.forms import form_page
from kinga.core.models import PlaceLevel
from kinga.core.people import AgeBand, Sex
from kinga.plan import forms, selectors, services
from kinga.plan.indicators import is_computable, period_choices, provenance
from kinga.plan.models import Indicator, IndicatorSourceKind, IndicatorTarget
from kinga.plan.views import page_context, plan_or_404


def _period_and_area(request) -> dict:
    """The period (?period=2026Q3, the plan to date by default) and the territory (?territoire=CD7201, the whole
    province by default) asked for; a period or territory that does not exist is said so and not used."""
    actor = request.actor
    territories = list(
        core_selectors.places(actor).filter(level=PlaceLevel.TERRITORY, pcode__startswith="CD72")
    )
    errors = []
    try:
        period = periods.parse(request.GET.get("period"), default=periods.PLAN)
    except ValidationError as error:
        errors.extend(error.messages)
        period = periods.plan_to_date()
    pcode = request.GET.get("territoire", "")
    area = next((t for t in territories if t.pcode == pcode), None)
    if pcode and area is None:
        errors.append(_("Unknown territory: the whole province is shown."))
    return {
        "period": period,
        "area": area,
        "territories": territories,
        "period_choices": period_choices(),
        "chooser_errors": errors,
    }


@login_required
def indicator_table(request):
    actor = request.actor
    plan = plan_or_404(actor)
    chosen = _period_and_area(request)
    rows = list(selectors.indicators(actor, plan))
    totals = {
        c.indicator.pk: c
        for c in selectors.indicator_values(actor, period=chosen["period"], area=chosen["area"])
        if not c.breakdown
    }
    table = []
    for indicator in rows:
        cell = totals.get(indicator.pk)
        target = cell.target if cell else None
        percent = None
        if cell is not None and target:
            percent = int(min(cell.value / target * 100, 999))
        table.append(
            {
                "indicator": indicator,
                "cell": cell,
                "computable": indicator.source == IndicatorSourceKind.MANUAL or is_computable(indicator),
                "provenance": provenance(indicator),
                "percent": percent,
            }
        )
    return render(
        request,
        "plan/indicators.html",
        {
            **page_context(actor, plan),
            **chosen,
            "rows": table,
            "others": selectors.other_indicator_values(actor, period=chosen["period"], area=chosen["area"]),
            "can_enter": actor.has("plan.enter_indicator"),
        },
    )


def _breakdown_rows(detail, territory_names: dict[str, str]) -> dict:
    """(label in words, value) rows of the detail's breakdowns; None where the indicator is not broken down so."""

    def rows(cells, name, label):
        if cells is None:
            return None
        return [(label(c.breakdown.get(name, "")), c.value) for c in cells]

    return {
        "by_territory": rows(
            detail.by_territory,
            "territory",
            lambda code: territory_names.get(code, code) if code else _("Place not known"),
        ),
        "by_sex": rows(
            detail.by_sex, "sex", lambda code: Sex(code).label if code in Sex.values else _("Sex not known")
        ),
        "by_age_band": rows(
            detail.by_age_band,
            "age_band",
            lambda code: AgeBand(code).label if code in AgeBand.values else _("Adult"),
        ),
    }


# The indicator and target pages show two forms each; each form posts to its own small view, which shows the page
# again with that form in its place when it is refused (form_page's `page`).


def _indicator_page(request, indicator, *, target_form=None, final_form=None):
    actor = request.actor
    plan = plan_or_404(actor)
    final = indicator.target
    chosen = _period_and_area(request)
    detail = selectors.indicator_detail(actor, indicator, period=chosen["period"], area=chosen["area"])
    trend_title = _("%(indicator)s, by period") % {"indicator": indicator.label_fr}
    context = {
        **page_context(actor, plan),
        **chosen,
        "detail": detail,
        "chart": charts.bar_chart(
            trend_title,
            [p.label for p, _value in detail.trend],
            [charts.Series(_("Actual"), [value for _p, value in detail.trend])],
            unit=indicator.unit,
        ),
        "provenance": provenance(indicator),
        **_breakdown_rows(detail, {t.pcode: t.name for t in chosen["territories"]}),
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


@login_required
def levels(request):
    """The plan's three levels of action (prevention, care, retention): budget, progress and indicators."""
    actor = request.actor
    plan = plan_or_404(actor)
    chosen = _period_and_area(request)
    rows, untagged = selectors.levels_of_action(actor, plan, period=chosen["period"])
    return render(
        request,
        "plan/levels.html",
        {**page_context(actor, plan), **chosen, "levels": rows, "untagged": untagged},
    )
