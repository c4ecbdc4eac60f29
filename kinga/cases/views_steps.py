"""Workflow screens of one case: each step a small form; the service decides and explains refusals."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kinga.core import access, clock, concurrency, pickers
from kinga.core import selectors as core_selectors
from kinga.core.forms import form_page
from kinga.sites.models import Site

from . import forms, selectors, services
from .models import CarePlanItemStatus, ClosureReason, ReferralStatus, ServiceType


def _sites(actor):
    return pickers.home_first(actor, "sites", access.scoped(actor, Site))


def _today(name="date"):
    return {name: clock.today()}


def _step(request, case, form, *, title, save: Callable[[dict], object], success, **page):
    """One workflow step of `case` as a form page (kinga.core.forms.form_page): `save(data)` calls the service.
    The page carries the case's version: a step saved by someone else since it was opened wins, this one is
    refused whole (kinga.core.concurrency). Success goes back to the case file."""

    def claimed(data):
        with transaction.atomic():
            concurrency.claim(case, request.POST.get("version"))
            save(data)
        return case

    return _case_page(request, case, form, title=title, save=claimed, success=success, **page)


def _case_page(request, case, form, *, title, save, success, context=None, **page):
    return form_page(
        request,
        form,
        title=title,
        save=save,
        success=success,
        done=lambda saved: reverse("cases:case", kwargs={"uuid": case.uuid}),
        back=(
            reverse("cases:case", kwargs={"uuid": case.uuid}),
            f"{case.number} · {case.get_status_display()}",
        ),
        template="cases/step.html",
        context={"case": case, **(context or {})},
        **page,
    )


@login_required
def assess(request, uuid):
    actor = request.actor
    case = selectors.get_case(actor, uuid, perm="cases.work")
    form = forms.AssessmentForm(request.POST or None, initial=_today())
    return _step(
        request,
        case,
        form,
        title=_("Assessment"),
        intro=_("Rate each domain from 0 (no concern) to 3 (very serious). Total 0–18."),
        save=lambda d: services.record_assessment(
            actor=actor,
            case=case,
            date=d["date"],
            scores=form.scores(),
            child_resources=d["child_resources"],
            family_resources=d["family_resources"],
            notes=d["notes"],
        ),
        success=_("Assessment recorded."),
    )


@login_required
def plan(request, uuid):
    """Care plan: its needs, and the form to add one (submitting the plan is plan_submit, an item's status
    plan_item: each form posts to its own view)."""
    actor = request.actor
    case = selectors.get_case(actor, uuid, perm="cases.work")
    context = {
        "case": case,
        "items": case.plan_items.select_related("responsible_organisation"),
        "can_work": True,
        "item_statuses": CarePlanItemStatus.choices,
    }
    return form_page(
        request,
        forms.PlanItemForm(request.POST or None, organisations=core_selectors.organisations(actor)),
        save=lambda d: services.add_plan_item(actor=actor, case=case, **d),
        success=_("Need added to the care plan."),
        done=lambda item: reverse("cases:plan", kwargs={"uuid": case.uuid}),
        page=lambda form: render(request, "cases/plan.html", {**context, "form": form}),
    )


@login_required
@require_POST
def plan_submit(request, uuid):
    """The plan page's button: the care plan goes to the supervisor (a refusal is said on the plan page)."""
    actor = request.actor
    case = selectors.get_case(actor, uuid, perm="cases.work")
    try:
        services.submit_care_plan(actor=actor, case=case, date=clock.today())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("cases:plan", uuid=case.uuid)
    messages.success(request, _("Care plan submitted to the supervisor."))
    return redirect("cases:case", uuid=case.uuid)


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
            messages.error(request, " ".join(exc.messages))
    return redirect("cases:case", uuid=case.uuid)


def _decision_form(data, *, with_override):
    form = forms.DecisionForm(data, initial=_today())
    if not with_override:
        del form.fields["override_reason"]
    return form


@login_required
def plan_decide(request, uuid):
    actor = request.actor
    case = selectors.get_case(actor, uuid, perm="cases.approve")
    return _step(
        request,
        case,
        _decision_form(request.POST or None, with_override=False),
        title=_("Supervisor: care plan decision"),
        save=lambda d: services.decide_care_plan(
            actor=actor, case=case, approve=d["decision"] == "approve", date=d["date"], comment=d["comment"]
        ),
        success=_("Decision recorded."),
        context={"items": case.plan_items.select_related("responsible_organisation")},
    )


@login_required
def consent(request, uuid):
    actor = request.actor
    case = selectors.get_case(actor, uuid, perm="cases.work")
    form = forms.ConsentForm(
        request.POST or None, organisations=core_selectors.organisations(actor), initial=_today()
    )
    return _step(
        request,
        case,
        form,
        title=_("Consent and assent"),
        save=lambda d: services.record_consent(actor=actor, case=case, **d),
        success=_("Consent recorded."),
    )


@login_required
def refer(request, uuid):
    actor = request.actor
    case = selectors.get_case(actor, uuid, perm="cases.work")
    form = forms.ReferralForm(
        request.POST or None,
        organisations=core_selectors.organisations(actor),
        services=selectors.services_directory(actor),
        initial=_today(),
    )
    return _step(
        request,
        case,
        form,
        title=_("Referral"),
        save=lambda d: services.make_referral(actor=actor, case=case, **d),
        success=_("Referral sent."),
    )


@login_required
def follow_up(request, uuid):
    actor = request.actor
    case = selectors.get_case(actor, uuid, perm="cases.work")
    form = forms.FollowUpForm(request.POST or None, sites=_sites(actor), initial=_today("visit_date"))
    return _step(
        request,
        case,
        form,
        title=_("Follow-up visit"),
        save=lambda d: services.record_follow_up(actor=actor, case=case, **d),
        success=_("Follow-up visit recorded."),
    )


@login_required
def close(request, uuid):
    actor = request.actor
    case = selectors.get_case(actor, uuid, perm="cases.work")
    return _step(
        request,
        case,
        forms.ClosureForm(request.POST or None, initial=_today()),
        title=_("Closure"),
        save=lambda d: services.request_closure(actor=actor, case=case, **d),
        success=_("Closure proposed to the supervisor."),
        context={"exit_rule": services.evaluate_exit_rule(case)},
    )


@login_required
def close_decide(request, uuid):
    """The supervisor decides on the closure the caseworker proposed, reading its reason and note; the exit
    rule (and the box to close anyway when it is not met) concerns only an exit achieved."""
    actor = request.actor
    case = selectors.get_case(actor, uuid, perm="cases.approve")
    exit_achieved = case.closure_reason == ClosureReason.EXIT_ACHIEVED
    exit_rule = services.evaluate_exit_rule(case) if exit_achieved else None
    needs_override = exit_achieved and not case.exit_override_reason and not exit_rule.met
    return _step(
        request,
        case,
        _decision_form(request.POST or None, with_override=needs_override),
        title=_("Supervisor: closure decision"),
        save=lambda d: services.decide_closure(
            actor=actor,
            case=case,
            approve=d["decision"] == "approve",
            date=d["date"],
            comment=d["comment"],
            override_reason=d.get("override_reason", ""),
        ),
        success=_("Decision recorded."),
        context={"exit_rule": exit_rule, "proposal": case},
    )


@login_required
def retention(request, uuid, check_uuid):
    actor = request.actor
    case = selectors.get_case(actor, uuid, perm="cases.work")
    return _step(
        request,
        case,
        forms.RetentionForm(request.POST or None, sites=_sites(actor), initial=_today()),
        title=_("Retention check"),
        save=lambda d: services.record_retention_check(
            actor=actor, check=selectors.retention_check(case, check_uuid), **d
        ),
        success=_("Retention check recorded."),
    )


@login_required
def relapse(request, uuid):
    actor = request.actor
    case = selectors.get_case(actor, uuid, perm="cases.work")
    return _step(
        request,
        case,
        forms.RelapseForm(request.POST or None, sites=_sites(actor), initial=_today()),
        title=_("Relapse: child found working again"),
        save=lambda d: services.record_relapse(actor=actor, case=case, **d),
        success=_("Relapse recorded."),
    )


@login_required
def assign(request, uuid):
    actor = request.actor
    case = selectors.get_case(actor, uuid, perm="cases.assign")
    return _step(
        request,
        case,
        forms.AssignForm(request.POST or None, staff=selectors.staff(actor)),
        title=_("Assign the case"),
        save=lambda d: services.assign_case(actor=actor, case=case, caseworker=d["caseworker"]),
        success=_("Case assigned."),
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


def _answer(actor, referral, d):
    if d["decision"] == "delivered":
        return services.report_service_delivered(
            actor=actor, referral=referral, date=d["date"], note=d["reason"]
        )
    accept = d["decision"] == "accept"
    return services.answer_referral(
        actor=actor, referral=referral, accept=accept, date=d["date"], reason=d["reason"]
    )


@login_required
def referral_in(request, uuid):
    """A provider's view of one referral: the shared fields only, and the form of its answer."""
    actor = request.actor
    referral = selectors.referral_in(actor, uuid)
    context = {"referral": referral, "shared": selectors.shared_fields(referral)}
    return form_page(
        request,
        forms.ReferralAnswerForm(request.POST or None, initial=_today()),
        save=lambda d: _answer(actor, referral, d),
        success=_("Answer recorded."),
        done=lambda saved: reverse("cases:referral_in", kwargs={"uuid": referral.uuid}),
        page=lambda form: render(request, "cases/referral_in.html", {**context, "form": form}),
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
    places = core_selectors.places(actor).filter(level__gte=2)
    return form_page(
        request,
        forms.ServiceForm(request.POST or None, organisations=orgs, places=places),
        title=_("Add a service"),
        save=lambda data: services.save_service(actor=actor, **data),
        success=_("Service added to the directory."),
        done=lambda saved: reverse("cases:services"),
        cancel=reverse("cases:services"),
    )


RULE_FIELDS = (
    "assessment_days",
    "assessment_days_high_risk",
    "care_plan_days",
    "follow_up_every_months",
    "referral_response_days",
    "exit_min_follow_ups",
    "exit_months_apart",
)


@login_required
def rules(request):
    """Deadlines and exit rule (administrator); the scoring is rules_scoring. Each change is a new, audited
    version."""
    actor = request.actor
    access.require(actor, "cases.configure")
    current = services.current_rules()
    initial = {f: getattr(current, f) for f in RULE_FIELDS}
    initial["retention_months"] = ", ".join(str(m) for m in current.retention_months)
    return form_page(
        request,
        forms.RulesForm(request.POST or None, initial=initial),
        title=_("Case management rules"),
        intro=_("Each change is a new version: past assessments keep the scoring they were made with."),
        save=lambda data: services.update_rules(actor=actor, **data),
        success=_("New version saved."),
        done=lambda saved: reverse("cases:rules"),
        template="cases/rules.html",
        context={"exit_rule": services.exit_rule_text(current), "scoring": services.active_scoring()},
    )


@login_required
def rules_scoring(request):
    """A new version of the vulnerability scoring's thresholds (administrator)."""
    actor = request.actor
    access.require(actor, "cases.configure")
    scoring = services.active_scoring()
    return form_page(
        request,
        forms.ScoringForm(
            request.POST or None, initial={"medium_from": scoring.medium_from, "high_from": scoring.high_from}
        ),
        title=_("Vulnerability scoring"),
        intro=_(
            "Version %(v)s: 6 domains rated 0–3 (total 0–18); medium risk from %(medium)s, high risk from "
            "%(high)s."
        )
        % {"v": scoring.version, "medium": scoring.medium_from, "high": scoring.high_from},
        back=(reverse("cases:rules"), _("Case management rules")),
        submit_label=_("Save as a new version"),
        save=lambda data: services.new_scoring_version(actor=actor, **data),
        success=_("New version saved."),
        done=lambda saved: reverse("cases:rules"),
    )


@login_required
def photo(request, uuid):
    actor = request.actor
    case = selectors.get_case(actor, uuid, perm="cases.work")

    def save(data):
        upload = data["photo"]
        return services.set_photo(
            actor=actor, case=case, content=upload.read(), content_type=upload.content_type
        )

    return _case_page(
        request,
        case,
        forms.PhotoForm(request.POST or None, request.FILES or None),
        title=_("Photo"),
        save=save,
        success=_("Photo saved (encrypted)."),
    )
