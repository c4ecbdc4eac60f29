"""Workflow screens of one case: each step a small form; the service decides and explains refusals."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kinga.core import access, clock, concurrency
from kinga.core import selectors as core_selectors
from kinga.core.forms import apply_service_errors, submit
from kinga.sites.models import Site

from . import forms, selectors, services
from .models import CarePlanItemStatus, ReferralStatus, ServiceType


def _sites(actor):
    return access.scoped(actor, Site).order_by("name")


def _step(
    request,
    uuid,
    *,
    title,
    form_factory: Callable,
    handle: Callable,
    perm: str = "cases.work",
    done: str,
    extra: Callable | None = None,
):
    actor = request.actor
    case = selectors.get_case(actor, uuid, perm=perm)
    form = form_factory(actor, case, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                # The page carries the case's version: a step saved by someone else since it was opened wins,
                # this one is refused whole (kinga.core.concurrency).
                concurrency.claim(case, request.POST.get("version"))
                handle(actor, case, form.cleaned_data, form)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("cases:case", uuid=case.uuid)
    context = {"case": case, "form": form, "title": title}
    if extra:
        context.update(extra(actor, case))
    return render(request, "cases/step.html", context, status=400 if form.errors else 200)


def _today_initial(name="date"):
    return {name: clock.today()}


@login_required
def assess(request, uuid):
    def handle(actor, case, d, form):
        services.record_assessment(
            actor=actor,
            case=case,
            date=d["date"],
            scores=form.scores(),
            child_resources=d["child_resources"],
            family_resources=d["family_resources"],
            notes=d["notes"],
        )

    return _step(
        request,
        uuid,
        title=gettext_lazy("Assessment"),
        form_factory=lambda a, c, data: forms.AssessmentForm(data, initial=_today_initial()),
        handle=handle,
        done=gettext_lazy("Assessment recorded."),
        extra=lambda a, c: {
            "help": _("Rate each domain from 0 (no concern) to 3 (very serious). Total 0–18.")
        },
    )


@login_required
def plan(request, uuid):
    """Care plan: add needs with their support; submit to the supervisor."""
    actor = request.actor
    case = selectors.get_case(actor, uuid, perm="cases.work")
    organisations = core_selectors.organisations(actor)
    form = forms.PlanItemForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and request.POST.get("submit_plan"):
        form = forms.PlanItemForm(organisations=organisations)
        try:
            services.submit_care_plan(actor=actor, case=case, date=clock.today())
        except ValidationError as exc:
            messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
        else:
            messages.success(request, _("Care plan submitted to the supervisor."))
            return redirect("cases:case", uuid=case.uuid)
    elif request.method == "POST" and form.is_valid():
        try:
            services.add_plan_item(actor=actor, case=case, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Need added to the care plan."))
            return redirect("cases:plan", uuid=case.uuid)
    items = case.plan_items.select_related("responsible_organisation")
    return render(
        request,
        "cases/plan.html",
        {
            "case": case,
            "form": form,
            "items": items,
            "can_work": True,
            "item_statuses": CarePlanItemStatus.choices,
        },
        status=400 if form.errors else 200,
    )


@login_required
def plan_item(request, uuid, item_uuid):
    actor = request.actor
    case = selectors.get_case(actor, uuid, perm="cases.work")
    item = selectors.plan_item(case, item_uuid)
    form = forms.PlanItemStatusForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_plan_item(actor=actor, item=item, status=form.cleaned_data["status"])
        except ValidationError as exc:
            messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
    return redirect("cases:case", uuid=case.uuid)


@login_required
def plan_decide(request, uuid):
    def handle(actor, case, d, form):
        services.decide_care_plan(
            actor=actor, case=case, approve=d["decision"] == "approve", date=d["date"], comment=d["comment"]
        )

    return _step(
        request,
        uuid,
        title=gettext_lazy("Supervisor: care plan decision"),
        form_factory=lambda a, c, data: _decision_form(data, with_override=False),
        handle=handle,
        perm="cases.approve",
        done=gettext_lazy("Decision recorded."),
        extra=lambda a, c: {"items": c.plan_items.select_related("responsible_organisation")},
    )


def _decision_form(data, *, with_override):
    form = forms.DecisionForm(data, initial=_today_initial())
    if not with_override:
        del form.fields["override_reason"]
    return form


@login_required
def consent(request, uuid):
    def handle(actor, case, d, form):
        services.record_consent(actor=actor, case=case, **d)

    return _step(
        request,
        uuid,
        title=gettext_lazy("Consent and assent"),
        form_factory=lambda a, c, data: forms.ConsentForm(
            data, organisations=core_selectors.organisations(a), initial=_today_initial()
        ),
        handle=handle,
        done=gettext_lazy("Consent recorded."),
    )


@login_required
def refer(request, uuid):
    def handle(actor, case, d, form):
        services.make_referral(
            actor=actor,
            case=case,
            provider=d["provider"],
            service=d["service"],
            service_type=d["service_type"],
            reason=d["reason"],
            date=d["date"],
            consent_override_reason=d["consent_override_reason"],
        )

    return _step(
        request,
        uuid,
        title=gettext_lazy("Referral"),
        form_factory=lambda a, c, data: forms.ReferralForm(
            data,
            organisations=core_selectors.organisations(a),
            services=selectors.services_directory(a),
            initial=_today_initial(),
        ),
        handle=handle,
        done=gettext_lazy("Referral sent."),
    )


@login_required
def follow_up(request, uuid):
    def handle(actor, case, d, form):
        services.record_follow_up(actor=actor, case=case, **d)

    return _step(
        request,
        uuid,
        title=gettext_lazy("Follow-up visit"),
        form_factory=lambda a, c, data: forms.FollowUpForm(
            data, sites=_sites(a), initial=_today_initial("visit_date")
        ),
        handle=handle,
        done=gettext_lazy("Follow-up visit recorded."),
    )


@login_required
def close(request, uuid):
    def handle(actor, case, d, form):
        services.request_closure(
            actor=actor,
            case=case,
            reason=d["reason"],
            date=d["date"],
            note=d["note"],
            override_reason=d["override_reason"],
        )

    return _step(
        request,
        uuid,
        title=gettext_lazy("Closure"),
        form_factory=lambda a, c, data: forms.ClosureForm(data, initial=_today_initial()),
        handle=handle,
        done=gettext_lazy("Closure proposed to the supervisor."),
        extra=lambda a, c: {"exit_rule": services.evaluate_exit_rule(c)},
    )


@login_required
def close_decide(request, uuid):
    def handle(actor, case, d, form):
        services.decide_closure(
            actor=actor,
            case=case,
            approve=d["decision"] == "approve",
            date=d["date"],
            comment=d["comment"],
            override_reason=d["override_reason"],
        )

    return _step(
        request,
        uuid,
        title=gettext_lazy("Supervisor: closure decision"),
        form_factory=lambda a, c, data: _decision_form(data, with_override=True),
        handle=handle,
        perm="cases.approve",
        done=gettext_lazy("Decision recorded."),
        extra=lambda a, c: {"exit_rule": services.evaluate_exit_rule(c)},
    )


@login_required
def retention(request, uuid, check_uuid):
    def handle(actor, case, d, form):
        check = selectors.retention_check(case, check_uuid)
        services.record_retention_check(actor=actor, check=check, **d)

    return _step(
        request,
        uuid,
        title=gettext_lazy("Retention check"),
        form_factory=lambda a, c, data: forms.RetentionForm(data, sites=_sites(a), initial=_today_initial()),
        handle=handle,
        done=gettext_lazy("Retention check recorded."),
    )


@login_required
def relapse(request, uuid):
    def handle(actor, case, d, form):
        services.record_relapse(actor=actor, case=case, **d)

    return _step(
        request,
        uuid,
        title=gettext_lazy("Relapse: child found working again"),
        form_factory=lambda a, c, data: forms.RelapseForm(data, sites=_sites(a), initial=_today_initial()),
        handle=handle,
        done=gettext_lazy("Relapse recorded."),
    )


@login_required
def assign(request, uuid):
    def handle(actor, case, d, form):
        services.assign_case(actor=actor, case=case, caseworker=d["caseworker"])

    return _step(
        request,
        uuid,
        title=gettext_lazy("Assign the case"),
        form_factory=lambda a, c, data: forms.AssignForm(data, staff=selectors.staff(a)),
        handle=handle,
        perm="cases.assign",
        done=gettext_lazy("Case assigned."),
    )


# --- referrals -------------------------------------------------------------------------------------


@login_required
def referrals_out(request):
    actor = request.actor
    qs = selectors.referrals_out(actor, overdue_only=request.GET.get("overdue") == "1")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "cases/referrals_out.html", {"page": page, "today": clock.today()})


@login_required
def referrals_in(request):
    actor = request.actor
    status = request.GET.get("status", "")
    status = status if status in ReferralStatus.values else ""
    page = Paginator(selectors.referrals_in(actor, status=status), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/referrals_in.html",
        {"page": page, "status": status, "statuses": ReferralStatus.choices},
    )


@login_required
def referral_in(request, uuid):
    """A provider's view of one referral: the shared fields only, and its answer."""
    actor = request.actor
    referral = selectors.referral_in(actor, uuid)
    form = forms.ReferralAnswerForm(request.POST or None, initial=_today_initial())
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if d["decision"] == "delivered":
                services.report_service_delivered(
                    actor=actor, referral=referral, date=d["date"], note=d["reason"]
                )
            else:
                services.answer_referral(
                    actor=actor,
                    referral=referral,
                    accept=d["decision"] == "accept",
                    date=d["date"],
                    reason=d["reason"],
                )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Answer recorded."))
            return redirect("cases:referral_in", uuid=referral.uuid)
    return render(
        request,
        "cases/referral_in.html",
        {"referral": referral, "shared": selectors.shared_fields(referral), "form": form},
        status=400 if form.errors else 200,
    )


# --- services directory ------------------------------------------------------------------------------


@login_required
def directory(request):
    actor = request.actor
    service_type = request.GET.get("type", "")
    service_type = service_type if service_type in ServiceType.values else ""
    q = request.GET.get("q", "").strip()
    page = Paginator(selectors.services_directory(actor, service_type=service_type, q=q), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "cases/services.html",
        {"page": page, "types": ServiceType.choices, "type": service_type, "q": q},
    )


@login_required
def service_add(request):
    actor = request.actor
    access.require(actor, "cases.manage_services")
    orgs = core_selectors.organisations(actor)
    if not actor.is_system_wide:
        orgs = orgs.filter(pk=actor.organisation_id)
    form = forms.ServiceForm(
        request.POST or None, organisations=orgs, places=core_selectors.places(actor).filter(level__gte=2)
    )
    saved = submit(
        request,
        form,
        lambda data: services.save_service(actor=actor, **data),
        success=_("Service added to the directory."),
    )
    if saved is not None:
        return redirect("cases:services")
    return render(
        request,
        "cases/step.html",
        {"form": form, "title": _("Add a service")},
        status=400 if form.errors else 200,
    )


@login_required
def rules(request):
    """Deadlines, exit rule and scoring versions (administrator). Each change is a new, audited version."""
    actor = request.actor
    access.require(actor, "cases.configure")
    current = services.current_rules()
    initial = {
        f: getattr(current, f)
        for f in (
            "assessment_days",
            "assessment_days_high_risk",
            "care_plan_days",
            "follow_up_every_months",
            "referral_response_days",
            "exit_min_follow_ups",
            "exit_months_apart",
        )
    }
    initial["retention_months"] = ", ".join(str(m) for m in current.retention_months)
    scoring = services.active_scoring()
    rules_form = forms.RulesForm(request.POST if "save_rules" in request.POST else None, initial=initial)
    scoring_form = forms.ScoringForm(
        request.POST if "save_scoring" in request.POST else None,
        initial={"medium_from": scoring.medium_from, "high_from": scoring.high_from},
    )
    for form, save in ((rules_form, services.update_rules), (scoring_form, services.new_scoring_version)):
        if form.is_bound and form.is_valid():
            try:
                save(actor=actor, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("New version saved."))
                return redirect("cases:rules")
    return render(
        request,
        "cases/rules.html",
        {
            "rules_form": rules_form,
            "scoring_form": scoring_form,
            "scoring": scoring,
            "exit_rule": services.exit_rule_text(current),
        },
        status=400 if rules_form.errors or scoring_form.errors else 200,
    )


@login_required
def photo(request, uuid):
    actor = request.actor
    case = selectors.get_case(actor, uuid, perm="cases.work")
    form = forms.PhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["photo"]
        try:
            services.set_photo(
                actor=actor, case=case, content=upload.read(), content_type=upload.content_type
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Photo saved (encrypted)."))
            return redirect("cases:case", uuid=case.uuid)
    return render(
        request,
        "cases/step.html",
        {"case": case, "form": form, "title": _("Photo"), "multipart": True},
        status=400 if form.errors else 200,
    )
