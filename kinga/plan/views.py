"""Pages of the plan. Reads through selectors (scoped), writes through services."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kinga.core import access, clock
from kinga.core import selectors as core_selectors
from kinga.core.forms import form_page
from kinga.core.models import Organisation
from kinga.core.organisation_fields import group_by_type
from kinga.plan import exports, forms, selectors, selectors_deliverables, services
from kinga.plan.gantt import phone_rows, render_svg
from kinga.plan.models import Action, Activity, Commitment, ExchangeRate
from kinga.plan.reconcile import reconcile


def plan_or_404(actor):
    access.require(actor, "plan.view")
    plan = selectors.current_plan(actor)
    if plan is None:
        raise Http404(_("No plan is loaded yet: run « kinga plan load »."))
    return plan


def page_context(actor, plan) -> dict:
    return {"plan": plan, "plan_start": selectors.plan_start_date(), "can_edit": actor.has("plan.edit")}


@login_required
def tree(request):
    actor = request.actor
    plan = plan_or_404(actor)
    axes = selectors.plan_tree(actor, plan)
    # Which activities have delivered their documents (validated) or wait for a validation: one query.
    delivered = selectors_deliverables.counts_by_activity(actor)
    for axis_row in axes:
        for action_row in axis_row.actions:
            for row in action_row.activities:
                row.deliverables = delivered.get(row.activity.pk)
    return render(request, "plan/tree.html", {**page_context(actor, plan), "axes": axes})


@login_required
def gantt(request, number: int):
    actor = request.actor
    plan = plan_or_404(actor)
    axes = [a for a in selectors.plan_tree(actor, plan) if a.axis.number == number]
    if not axes:
        raise Http404
    start, today = selectors.plan_start_date(), clock.today()
    svg = render_svg(axes[0], start=start, today=today)
    rows = phone_rows(axes[0], start=start, today=today)
    return render(
        request,
        "plan/gantt.html",
        {**page_context(actor, plan), "axis_row": axes[0], "svg": mark_safe(svg), "phone_rows": rows},
    )


@login_required
def budget(request):
    actor = request.actor
    plan = plan_or_404(actor)
    axes = selectors.plan_tree(actor, plan)
    total = selectors.Money()
    for row in axes:
        total += row.money
    context = {
        **page_context(actor, plan),
        "axes": axes,
        "total": total,
        "synthesis_total": sum(a.axis.synthesis_usd for a in axes),
        "baseline_total": sum(a.baseline_detail for a in axes),
        "reconcile_baseline": reconcile(plan),
        "reconcile_current": reconcile(plan, current=True),
    }
    return render(request, "plan/budget.html", context)


@login_required
def reconciliation(request):
    actor = request.actor
    plan = plan_or_404(actor)
    return render(
        request,
        "plan/reconcile.html",
        {**page_context(actor, plan), "baseline": reconcile(plan), "current": reconcile(plan, current=True)},
    )


# The activity and action pages show several forms; each form posts to its own small view, which shows the page
# again with that form in its place when it is refused (form_page's `page`).


def _activity_page(request, activity, *, progress_form=None, revise_form=None):
    actor = request.actor
    plan = plan_or_404(actor)
    action = activity.action
    p_start, p_end = selectors.planned_dates(activity, action, selectors.plan_start_date())
    context = {
        **page_context(actor, plan),
        "activity": activity,
        "action": action,
        "planned_start": p_start,
        "planned_end": p_end,
        "delayed": selectors.is_delayed(activity, p_start, p_end),
        "reports": selectors.progress_reports(actor, activity)[:50],
        "deliverables": selectors_deliverables.of_activity(actor, activity)[:50],
        "indicators": activity.indicators.all(),
        "parties": activity.parties.select_related("organisation"),
        "can_report": actor.has("plan.report_progress")
        and (actor.is_system_wide or selectors.implements(actor.organisation_id, activity)),
        "progress_form": progress_form
        or forms.ProgressForm(
            initial={"date": clock.today(), "status": activity.status, "percent_done": activity.percent_done}
        ),
        "revise_form": revise_form
        or forms.ReviseActivityForm(
            initial={
                "title": activity.title,
                "cost_usd": activity.cost_usd,
                "duration_months": activity.duration_months,
                "planned_start": activity.planned_start,
                "planned_end": activity.planned_end,
                "targets_text": activity.targets_text,
            }
        ),
    }
    return render(request, "plan/activity.html", context)


@login_required
def activity_detail(request, uuid):
    activity = access.get_object_or_404(request.actor, Activity, uuid=uuid)
    return _activity_page(request, activity)


@login_required
@require_POST
def activity_progress(request, uuid):
    actor = request.actor
    activity = access.get_object_or_404(actor, Activity, uuid=uuid)
    return form_page(
        request,
        forms.ProgressForm(request.POST),
        save=lambda data: services.report_progress(actor=actor, activity=activity, **data),
        success=_("Progress recorded."),
        done=lambda saved: redirect("plan:activity", uuid=activity.uuid),
        page=lambda form: _activity_page(request, activity, progress_form=form),
    )


@login_required
@require_POST
def activity_revise(request, uuid):
    actor = request.actor
    activity = access.get_object_or_404(actor, Activity, uuid=uuid)
    return form_page(
        request,
        forms.ReviseActivityForm(request.POST),
        save=lambda data: services.revise_activity(actor=actor, activity=activity, **data),
        success=_("The plan was revised."),
        done=lambda saved: redirect("plan:activity", uuid=activity.uuid),
        page=lambda form: _activity_page(request, activity, revise_form=form),
    )


def _funders(actor):
    funders = core_selectors.organisations(actor)
    return funders if actor.is_system_wide else funders.filter(pk=actor.organisation_id)


def _implementers_form(actor, plan, action, data=None):
    implementers = selectors.implementers(actor, action)
    return forms.ImplementersForm(
        data,
        organisations=core_selectors.organisations(actor),
        categories=plan.baseline.get("categories", []),
        initial={
            "organisations": [p.organisation for p in implementers if p.organisation_id],
            "categories": [p.category for p in implementers if not p.organisation_id],
        },
    )


def _action_page(request, action, **bound):
    """The action's page with its four forms; a refused post comes back in `bound` (by its name), with its errors."""
    actor = request.actor
    plan = plan_or_404(actor)
    context = {
        **page_context(actor, plan),
        "action": action,
        "activities": action.activities.all(),
        "commitments": selectors.commitments(actor, plan, action=action),
        "indicators": action.indicators.all(),
        "parties": action.parties.select_related("organisation"),
        "implementers": selectors.implementers(actor, action),
        "commitment_form": bound.get("commitment_form")
        or forms.CommitmentForm(
            funders=_funders(actor), activities=action.activities.all(), initial={"date": clock.today()}
        ),
        "add_form": bound.get("add_form") or forms.AddActivityForm(),
        "cost_form": bound.get("cost_form") or forms.ActionCostForm(initial={"cost_usd": action.cost_usd}),
        "implementers_form": bound.get("implementers_form") or _implementers_form(actor, plan, action),
        "can_fund": actor.has("plan.record_funding"),
    }
    return render(request, "plan/action.html", context)


def _action_to_revise(request, uuid) -> tuple:
    """(plan, action) for a form that revises the action. plan.edit is checked before the form: a reader gets
    403 whatever they post, not a list of field errors."""
    plan = plan_or_404(request.actor)
    action = access.get_object_or_404(request.actor, Action, uuid=uuid)
    access.require(request.actor, "plan.edit")
    return plan, action


@login_required
def action_detail(request, uuid):
    action = access.get_object_or_404(request.actor, Action, uuid=uuid)
    return _action_page(request, action)


@login_required
@require_POST
def action_cost(request, uuid):
    actor = request.actor
    _plan, action = _action_to_revise(request, uuid)
    return form_page(
        request,
        forms.ActionCostForm(request.POST),
        save=lambda data: services.revise_action(
            actor=actor, action=action, reason=data["reason"], cost_usd=data["cost_usd"]
        ),
        success=_("The plan was revised."),
        done=lambda saved: redirect("plan:action", uuid=action.uuid),
        page=lambda form: _action_page(request, action, cost_form=form),
    )


@login_required
@require_POST
def action_implementers(request, uuid):
    actor = request.actor
    plan, action = _action_to_revise(request, uuid)
    return form_page(
        request,
        _implementers_form(actor, plan, action, request.POST),
        save=lambda data: services.set_implementers(
            actor=actor,
            action=action,
            reason=data["reason"],
            organisations=list(data["organisations"]),
            categories=data["categories"],
        ),
        success=_("The plan was revised."),
        done=lambda saved: redirect("plan:action", uuid=action.uuid),
        page=lambda form: _action_page(request, action, implementers_form=form),
    )


@login_required
@require_POST
def action_add_activity(request, uuid):
    actor = request.actor
    _plan, action = _action_to_revise(request, uuid)
    return form_page(
        request,
        forms.AddActivityForm(request.POST),
        save=lambda data: services.add_activity(actor=actor, action=action, **data),
        success=_("Activity added to the plan."),
        done=lambda saved: redirect("plan:action", uuid=action.uuid),
        page=lambda form: _action_page(request, action, add_form=form),
    )


@login_required
@require_POST
def action_commitment(request, uuid):
    """A funder's commitment: plan.record_funding, checked by the service (the plan itself is not revised)."""
    actor = request.actor
    plan_or_404(actor)
    action = access.get_object_or_404(actor, Action, uuid=uuid)
    return form_page(
        request,
        forms.CommitmentForm(request.POST, funders=_funders(actor), activities=action.activities.all()),
        save=lambda data: services.record_commitment(actor=actor, action=action, **data),
        success=_("Commitment recorded."),
        done=lambda saved: redirect("plan:action", uuid=action.uuid),
        page=lambda form: _action_page(request, action, commitment_form=form),
    )


@login_required
def commitment_detail(request, uuid):
    actor = request.actor
    plan = plan_or_404(actor)
    commitment = access.get_object_or_404(
        actor, Commitment, uuid=uuid, queryset=selectors.commitments(actor, plan)
    )
    can_record = actor.has("plan.record_funding") and (
        actor.is_system_wide or actor.organisation_id == commitment.funder_id
    )

    def page(form):
        context = {
            **page_context(actor, plan),
            "commitment": commitment,
            "transactions": commitment.transactions.select_related("exchange_rate").order_by("-date", "-pk"),
            "totals": selectors.commitment_totals(commitment),
            "form": form,
            "can_record": can_record,
        }
        return render(request, "plan/commitment.html", context)

    return form_page(
        request,
        forms.TransactionForm(request.POST or None, initial={"date": clock.today()}),
        save=lambda data: services.record_transaction(actor=actor, commitment=commitment, **data),
        success=_("Recorded."),
        done=lambda saved: redirect("plan:commitment", uuid=commitment.uuid),
        page=page,
    )


@login_required
def funders(request):
    actor = request.actor
    plan = plan_or_404(actor)
    return render(
        request, "plan/funders.html", {**page_context(actor, plan), "funders": selectors.funders(actor, plan)}
    )


@login_required
def funder_detail(request, uuid):
    actor = request.actor
    plan = plan_or_404(actor)
    funder = access.get_object_or_404(actor, Organisation, uuid=uuid)
    rows = selectors.commitments(actor, plan, funder=funder)
    totals = [f for f in selectors.funders(actor, plan) if f["funder_id"] == funder.pk]
    return render(
        request,
        "plan/funder.html",
        {
            **page_context(actor, plan),
            "funder": funder,
            "commitments": rows,
            "totals": totals[0] if totals else None,
        },
    )


@login_required
def responsibilities(request):
    actor = request.actor
    plan = plan_or_404(actor)
    if request.GET.get("org"):
        organisation = access.get_object_or_404(actor, Organisation, uuid=request.GET["org"])
    else:
        organisation = actor.organisation
    if organisation is None:
        raise Http404
    tree = selectors.plan_tree(actor, plan)
    ids = set(selectors.responsibilities(actor, plan, organisation).values_list("pk", flat=True))
    rows = [(a, r) for axis in tree for a in axis.actions for r in a.activities if r.activity.pk in ids]
    return render(
        request,
        "plan/responsibilities.html",
        {
            **page_context(actor, plan),
            "organisation": organisation,
            "rows": rows,
            "organisation_groups": group_by_type(
                core_selectors.organisations(actor).filter(plan_parties__isnull=False).distinct()
            ),
        },
    )


@login_required
def revisions(request):
    actor = request.actor
    plan = plan_or_404(actor)
    return render(
        request,
        "plan/revisions.html",
        {
            **page_context(actor, plan),
            "revisions": selectors.revisions(actor, plan)[:200],
            "differences": selectors.baseline_comparison(actor, plan),
        },
    )


@login_required
def exchange_rates(request):
    actor = request.actor
    plan = plan_or_404(actor)
    if request.method == "POST":
        access.require(actor, "plan.record_funding")
    return form_page(
        request,
        forms.ExchangeRateForm(request.POST or None),
        save=lambda data: services.record_exchange_rate(actor=actor, **data),
        success=_("Exchange rate recorded."),
        done=lambda saved: redirect("plan:rates"),
        page=lambda form: render(
            request,
            "plan/rates.html",
            {
                **page_context(actor, plan),
                "form": form,
                "rates": access.scoped(actor, ExchangeRate).select_related("entered_by")[:100],
                "can_fund": actor.has("plan.record_funding"),
            },
        ),
    )


@login_required
def export(request, fmt: str):
    actor = request.actor
    plan = plan_or_404(actor)
    if fmt not in exports.FORMATS:
        raise Http404
    content_type, filename = exports.FORMATS[fmt]
    response = HttpResponse(content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    exports.export(actor=actor, plan=plan, fmt=fmt, stream=response)
    return response
