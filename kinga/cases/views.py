"""Screens of case management: caseload, registration, case file (+ PDF), team, statistics, export.

The workflow steps (assessment, care plan, consent, referral, follow-up, closure…) are in views_steps.py.
Every read goes through selectors (scoped), every write through services (audited).
"""

from __future__ import annotations

import datetime
import uuid as uuid_module

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from kinga.core import access, audit, clock, pickers, search, spreadsheets
from kinga.core import selectors as core_selectors
from kinga.core.forms import apply_service_errors
from kinga.core.pagination import UncountedPage
from kinga.sites.models import Site

from . import exports, forms, matching, selectors, services
from .models import CaseStatus, IdentificationMethod, RiskLevel


@login_required
def caseload(request):
    """My caseload: the earliest task due first, so overdue work is on top. Name search by whole tokens."""
    actor = request.actor
    data = search.params(request)  # a name search is posted: names stay out of URLs and access logs
    q = data.get("q", "").strip()
    status = data.get("status", "")
    status = status if status in CaseStatus.values else ""
    qs = selectors.caseload(actor, status=status, q=q, include_closed=bool(q) or status == CaseStatus.CLOSED)
    # A search is not counted (UncountedPage): over an organisation's cases the count cost more than the rows.
    page = UncountedPage(qs, data.get("page"), 25) if q else Paginator(qs, 25).get_page(data.get("page"))
    today = clock.today()
    context = {
        "page": page,
        "q": q,
        "status": status,
        "statuses": CaseStatus.choices,
        "today": today,
        "search_fields": search.pager_fields(data, "status"),
    }
    if request.htmx:  # the rows only: no badge to count
        return render(request, "cases/caseload.html#rows", context)
    context["overdue_referrals"] = selectors.referrals_out(actor, overdue_only=True, today=today).count()
    template = "cases/caseload.html"
    return render(request, template, context)


def _registration_form(request, actor):
    # The actor's own area first: most children are registered where their organisation works.
    places = pickers.home_first(actor, "places", core_selectors.places(actor).filter(level__gte=2))
    sites = pickers.home_first(actor, "sites", access.scoped(actor, Site))
    initial = {"identification_date": clock.today()}
    if request.method == "GET":
        initial.update(_from_inspection(request.GET, sites))
    return forms.RegistrationForm(request.POST or None, places=places, sites=sites, initial=initial)


def _from_inspection(query, sites) -> dict:
    """What an inspection that found children passes to the registration form (the inspection page's link):
    the site (among those the actor may choose), the date and the method; anything else is ignored."""
    initial = {}
    site = sites.filter(uuid=_uuid(query.get("site"))).first() if _uuid(query.get("site")) else None
    if site is not None:
        initial["identification_site"] = site.pk
    try:
        day = datetime.date.fromisoformat(query.get("date", ""))
    except ValueError:
        day = None
    if day is not None and day <= clock.today():
        initial["identification_date"] = day
    if query.get("method") in IdentificationMethod.values:
        initial["identification_method"] = query["method"]
    return initial


def _uuid(text) -> str:
    try:
        return str(uuid_module.UUID(str(text))) if text else ""
    except ValueError:
        return ""


# Another organisation's child is named on the page by a signed token, not by its id: the page hands out nothing
# of that child, and the token only says "the child the matcher proposed" back to this screen.
_OTHER_CHILD = "cases.register.same_as_other"


def _other_child_token(child_uuid: str) -> str:
    return signing.dumps(str(child_uuid), salt=_OTHER_CHILD)


def _other_child(token) -> str:
    try:
        return _uuid(signing.loads(token, salt=_OTHER_CHILD, max_age=24 * 3600)) if token else ""
    except signing.BadSignature:
        return ""


@login_required
def register(request):
    actor = request.actor
    access.require(actor, "cases.register")
    form = _registration_form(request, actor)
    suggestions = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # What the person chose among the candidates listed (the form's panel, shown only when there are some):
        # one of their organisation's children, another organisation's (asked to that organisation), or none.
        same_child, same_as_other = None, _other_child(request.POST.get("same_as_other"))
        if _uuid(request.POST.get("same_child")):
            same_child = selectors.child_for_registration(actor, _uuid(request.POST.get("same_child")))
        elif not same_as_other and request.POST.get("confirm_new") != "on":
            suggestions = matching.suggestions(actor, data)
        if not suggestions:
            kwargs = form.service_kwargs()
            if same_as_other:
                kwargs["same_as_other"] = same_as_other
            if same_child is not None:
                for key in list(kwargs):
                    if key not in services.CASE_FIELDS:
                        kwargs.pop(key)
                kwargs["child"] = same_child
            try:
                case = services.register_case(actor=actor, **kwargs)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Case %(number)s registered.") % {"number": case.number})
                if actor.has("cases.view_identity") and (
                    case.caseworker_id == actor.user.pk or case.supervisor_id == actor.user.pk
                ):
                    return redirect("cases:case", uuid=case.uuid)
                return redirect("cases:register")
    status = 400 if form.errors else 200
    held_elsewhere = any(not s.pickable for s in suggestions)
    tokens = {s.child_uuid: _other_child_token(s.child_uuid) for s in suggestions if not s.pickable}
    return render(
        request,
        "cases/register.html",
        {
            "form": form,
            "suggestions": [(s, tokens.get(s.child_uuid, "")) for s in suggestions],
            "held_elsewhere": held_elsewhere,
        },
        status=status,
    )


@login_required
def case_file(request, uuid):
    actor = request.actor
    case = selectors.open_case_file(actor, uuid)
    return render(request, "cases/case.html", selectors.case_file_context(actor, case))


@login_required
def case_pdf(request, uuid):
    """The case file on paper (WeasyPrint): an export, in the access log."""
    # Loaded on demand: weasyprint pulls in Pango at import (about a second, tens of MB), for this page only.
    from weasyprint import HTML  # noqa: PLC0415

    actor = request.actor
    access.require(actor, "cases.view_identity")
    case = selectors.open_case_file(actor, uuid)
    html = render_to_string("cases/case_pdf.html", selectors.case_file_context(actor, case), request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    services.record_pdf_export(actor=actor, case=case)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{case.number}.pdf"'
    return response


@login_required
def team(request):
    """The supervisor's team: per caseworker, open and overdue work; then every overdue task."""
    actor = request.actor
    access.require(actor, "cases.approve")
    today = clock.today()
    context = {
        "rows": selectors.team_overview(actor, today=today),
        "overdue": selectors.overdue(actor, today=today)[:100],
        "awaiting": selectors.awaiting_supervisor(actor)[:100],
        "today": today,
    }
    return render(request, "cases/team.html", context)


@login_required
def stats(request):
    """Counts only: what coordinators, viewers, funders and company officers see of case management."""
    actor = request.actor
    return render(
        request, "cases/stats.html", {"counts": selectors.counts(actor), "risks": RiskLevel.choices}
    )


@login_required
def export(request):
    """CSV of cases: identities only for roles that see them, pseudonymised otherwise; always in the log."""
    actor = request.actor
    access.require(actor, "cases.export")
    rows, header, count, identified = exports.case_rows(actor)
    audit.record_export(
        actor=actor,
        what="cases.case",
        rows=count,
        filters={"identities": identified},
        note="" if identified else "pseudonymised",
    )

    stream = spreadsheets.csv_lines([header, *rows])
    response = StreamingHttpResponse(stream, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="cas.csv"'
    return response


def case_url(case) -> str:
    return reverse("cases:case", kwargs={"uuid": case.uuid})
