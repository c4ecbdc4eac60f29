"""Screens of household production and nutrition: micro-finance groups (their fund, members, loans and arrears),
a loan's repayments, a household's harvests and nutrition visits, and the production of the households followed."""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kinga.core import access, clock
from kinga.core.forms import form_page
from kinga.households import selectors, services
from kinga.households import selectors_production as production
from kinga.households.forms_production import (
    CapitalForm,
    GroupForm,
    GroupMemberForm,
    HarvestForm,
    LoanForm,
    NutritionVisitForm,
    RepaymentForm,
)
from kinga.households.models import FinanceGroup, Household, Loan
from kinga.households.nutrition import measurable

IDENTITY = "households.view_identity"
COUNTS = "households.view_counts"


@login_required
def groups(request):
    """The groups the actor follows, each with its fund's totals and arrears today."""
    actor = request.actor
    page = Paginator(production.groups(actor), 30).get_page(request.GET.get("page"))
    listed = production.with_member_counts(list(page))
    totals = production.totals_of(listed)
    rows = [(g, totals[g.pk]) for g in listed]
    return render(
        request,
        "households/groups.html",
        {"page": page, "rows": rows, "can_create": actor.has("households.manage_programmes")},
    )


@login_required
def group_add(request):
    actor = request.actor
    access.require(actor, "households.manage_programmes")
    return form_page(
        request,
        GroupForm(request.POST or None),
        title=_("New micro-finance group"),
        intro=_("A savings and loan group or a revolving fund of one place, supported by your organisation."),
        save=lambda data: services.create_group(actor=actor, **data),
        success=_("Group recorded."),
        done=lambda group: reverse("households:group", args=[group.uuid]),
        cancel=reverse("households:groups"),
    )


def _group(request, group_uuid) -> FinanceGroup:
    return access.get_object_or_404(request.actor, FinanceGroup, perm=COUNTS, uuid=group_uuid)


def _group_page(request, group: FinanceGroup, **bound) -> HttpResponse:
    """The group's page: its fund's totals to every reader; its members and loans (households) to the roles that
    see households, with the forms that add to them to the roles that enrol."""
    actor = request.actor
    context = {"group": group, "totals": production.group_totals(group), "today": clock.today()}
    if actor.has(IDENTITY):
        members = production.group_members(actor, group)
        context["members"] = members
        context["loans"] = production.group_loans(actor, group)[:100]
        if actor.has("households.enrol"):
            households = production.member_households(actor, group)
            context |= {
                "member_form": GroupMemberForm(households=selectors.households(actor, order="created")),
                "loan_form": LoanForm(members=households.order_by("survey_id")),
                "capital_form": CapitalForm(),
                **bound,
            }
    return render(request, "households/group.html", context)


@login_required
def group_detail(request, group_uuid):
    return _group_page(request, _group(request, group_uuid))


def _group_to_edit(request, group_uuid) -> FinanceGroup:
    group = _group(request, group_uuid)
    access.require(request.actor, IDENTITY)
    access.require(request.actor, "households.enrol")
    return group


def _back(group):
    return lambda saved: redirect("households:group", group_uuid=group.uuid)


@login_required
@require_POST
def group_member_add(request, group_uuid):
    actor = request.actor
    group = _group_to_edit(request, group_uuid)
    form = GroupMemberForm(request.POST, households=selectors.households(actor, order="created"))
    return form_page(
        request,
        form,
        save=lambda data: services.add_group_member(actor=actor, group=group, **data),
        success=_("Member household added."),
        done=_back(group),
        page=lambda form: _group_page(request, group, member_form=form),
    )


@login_required
@require_POST
def loan_add(request, group_uuid):
    actor = request.actor
    group = _group_to_edit(request, group_uuid)
    members = production.member_households(actor, group)
    return form_page(
        request,
        LoanForm(request.POST, members=members),
        save=lambda data: services.record_loan(actor=actor, group=group, **data),
        success=_("Loan recorded."),
        done=_back(group),
        page=lambda form: _group_page(request, group, loan_form=form),
    )


@login_required
@require_POST
def capital_add(request, group_uuid):
    actor = request.actor
    group = _group_to_edit(request, group_uuid)
    return form_page(
        request,
        CapitalForm(request.POST),
        save=lambda data: services.add_capital(actor=actor, group=group, **data),
        success=_("Capital recorded."),
        done=_back(group),
        page=lambda form: _group_page(request, group, capital_form=form),
    )


@login_required
def loan_detail(request, loan_uuid):
    """A loan, what it owes and its repayments; the form of a repayment for the roles that enrol."""
    actor = request.actor
    loan = access.get_object_or_404(
        actor,
        Loan,
        queryset=production.loans_with_repaid().select_related("group", "household"),
        uuid=loan_uuid,
    )
    form = None
    if actor.has("households.enrol"):
        form = RepaymentForm(request.POST or None)
        if request.method == "POST":
            return form_page(
                request,
                form,
                save=lambda data: services.record_repayment(actor=actor, loan=loan, **data),
                success=_("Repayment recorded."),
                done=lambda saved: redirect("households:loan", loan_uuid=loan.uuid),
                page=lambda form: _loan_page(request, loan, form),
            )
    return _loan_page(request, loan, form)


def _loan_page(request, loan: Loan, form) -> HttpResponse:
    context = {
        "loan": loan,
        "repayments": production.loan_repayments(request.actor, loan),
        "owed": loan.amount_due - loan.repaid,
        "late": loan.due_on < clock.today() and loan.repaid < loan.amount_due,
        "form": form,
    }
    return render(request, "households/loan.html", context)


def _household_to_record(request, household_uuid) -> Household:
    household = access.get_object_or_404(request.actor, Household, perm=IDENTITY, uuid=household_uuid)
    access.require(request.actor, "households.edit")
    return household


def _back_to(household):
    return reverse("households:detail", kwargs={"household_uuid": household.uuid}), household.survey_id


@login_required
def harvest_add(request, household_uuid):
    actor = request.actor
    household = _household_to_record(request, household_uuid)
    return form_page(
        request,
        HarvestForm(request.POST or None),
        title=_("Record a harvest or livestock production"),
        intro=_("One line per product and season: what the household harvested or raised."),
        back=_back_to(household),
        save=lambda data: services.record_harvest(actor=actor, household=household, **data),
        success=_("Harvest recorded."),
        done=lambda saved: reverse("households:detail", args=[household.uuid]) + "#production",
    )


@login_required
def nutrition_add(request, household_uuid):
    """The visit form: the week's food groups and the MUAC of each child of 6 to 59 months of the household."""
    actor = request.actor
    household = _household_to_record(request, household_uuid)
    today = clock.today()
    children = [m for m in household.members.all() if measurable(m.birth_date, today)]
    form = NutritionVisitForm(request.POST or None, children=children)

    def save(data):
        measures = [services.ChildMeasure(child, mm, oedema) for child, mm, oedema in form.measures()]
        return services.record_nutrition_visit(
            actor=actor,
            household=household,
            visited_on=data["visited_on"],
            food_days=form.food_days(),
            children=measures,
        )

    return form_page(
        request,
        form,
        title=_("Nutrition visit"),
        intro=_(
            "How many days in the last 7 the household ate each food group; the score is computed. Then the "
            "MUAC of each child of 6 to 59 months (the status is computed: under 115 mm severe, 115 to 124 mm "
            "moderate)."
        ),
        back=_back_to(household),
        save=save,
        success=_("Nutrition visit recorded."),
        done=lambda saved: reverse("households:detail", args=[household.uuid]) + "#nutrition",
    )


@login_required
def production_page(request):
    """What the households the actor follows produced over the last twelve months, by product."""
    actor = request.actor
    access.require(actor, COUNTS)
    since = clock.today() - datetime.timedelta(days=365)
    rows = production.production_by_product(actor, since=since)
    return render(request, "households/production.html", {"rows": rows, "since": since})
