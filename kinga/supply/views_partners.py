"""Screens of the agreements between buyers and their suppliers (clauses, verification visits, breaches and what
followed) and of the companies' sustainable-development commitments."""

from __future__ import annotations

import os

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kinga.core import access, clock
from kinga.core.forms import form_page, submit_and_redirect
from kinga.core.models import Organisation, OrganisationType, Place, PlaceLevel
from kinga.sites.models import Site
from kinga.supply import forms_partners as forms
from kinga.supply import selectors, services
from kinga.supply import selectors_partners as partners
from kinga.supply.models import Breach, SocialCommitment, SourcingAgreement
from kinga.supply.scopes import province_wide

RECORD = "supply.record_agreements"


def _can_record(actor, company_id: int) -> bool:
    return actor.has(RECORD) and (province_wide(actor) or actor.organisation_id == company_id)


def _agreement(request, uuid, perm: str | None = None) -> SourcingAgreement:
    return access.get_object_or_404(request.actor, SourcingAgreement, perm=perm, uuid=uuid)


def _agreement_url(agreement) -> str:
    return reverse("supply:agreement", args=[agreement.uuid])


@login_required
def agreement_list(request):
    actor = request.actor
    page = Paginator(partners.agreements(actor).order_by("-signed_on", "-id"), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "supply/agreements.html",
        {"page": page, "can_record": actor.has(RECORD), "title": _("Agreements with child-labour clauses")},
    )


@login_required
def agreement_add(request):
    actor = request.actor
    access.require(actor, RECORD)
    form = forms.AgreementForm(
        request.POST or None,
        buyers=selectors.buyers(actor),
        # Any active cooperative may be a party (a company officer sees no cooperative's supply records).
        cooperatives=access.scoped(actor, Organisation, perm="core.view_organisations")
        .filter(type=OrganisationType.COOPERATIVE, is_active=True)
        .order_by("name"),
        sites=access.scoped(actor, Site).order_by("name", "id"),
    )
    return form_page(
        request,
        form,
        title=_("Record an agreement"),
        intro=_(
            "Between a buying company and a cooperative or the sites it buys from: its child-labour clauses."
        ),
        save=lambda data: services.record_agreement(actor=actor, **data),
        success=_("Agreement recorded."),
        done=_agreement_url,
        cancel=reverse("supply:agreements"),
    )


@login_required
def agreement_detail(request, uuid):
    actor = request.actor
    agreement = _agreement(request, uuid)
    writer = _can_record(actor, agreement.buyer_id)
    context = {
        "a": agreement,
        "sites": agreement.sites.all().order_by("name")[:100],
        "visits": partners.visits(actor).filter(agreement=agreement)[:50],
        "breaches": partners.breaches(actor).filter(agreement=agreement).select_related("visit")[:50],
        "can_record": writer,
        "visit_form": forms.VisitForm(initial={"date": clock.today()}, sites=agreement.sites.all()),
        "breach_form": forms.BreachForm(initial={"noticed_on": clock.today()}, agreement=agreement),
        "resolve_form": forms.ResolveForm(initial={"resolved_on": clock.today()}),
    }
    return render(request, "supply/agreement.html", context)


@login_required
@require_POST
def visit_add(request, uuid):
    actor = request.actor
    agreement = _agreement(request, uuid, RECORD)
    return submit_and_redirect(
        request,
        forms.VisitForm(request.POST, sites=agreement.sites.all()),
        lambda data: services.record_visit(actor=actor, agreement=agreement, **data),
        success=_("Visit recorded."),
        back=_agreement_url(agreement),
    )


@login_required
@require_POST
def breach_add(request, uuid):
    actor = request.actor
    agreement = _agreement(request, uuid, RECORD)
    return submit_and_redirect(
        request,
        forms.BreachForm(request.POST, agreement=agreement),
        lambda data: services.record_breach(actor=actor, agreement=agreement, **data),
        success=_("Breach recorded."),
        back=_agreement_url(agreement),
    )


@login_required
@require_POST
def breach_resolve(request, uuid):
    actor = request.actor
    breach = access.get_object_or_404(actor, Breach, perm=RECORD, uuid=uuid)
    return submit_and_redirect(
        request,
        forms.ResolveForm(request.POST),
        lambda data: services.resolve_breach(actor=actor, breach=breach, **data),
        success=_("Breach marked resolved."),
        back=_agreement_url(breach.agreement),
    )


# ------------------------------------------------------------------------------------------------ commitments


@login_required
def commitment_list(request):
    actor = request.actor
    page = Paginator(partners.commitments(actor).order_by("deadline", "id"), 50).get_page(
        request.GET.get("page")
    )
    today = clock.today()
    for line in page:
        line.late = partners.is_late(line, today)
    return render(
        request,
        "supply/commitments.html",
        {
            "page": page,
            "can_record": actor.has(RECORD),
            "title": _("Companies' commitments (cahier des charges)"),
        },
    )


@login_required
def commitment_add(request):
    actor = request.actor
    access.require(actor, RECORD)
    form = forms.CommitmentForm(
        request.POST or None,
        companies=selectors.buyers(actor),
        places=access.scoped(actor, Place).filter(level__gte=PlaceLevel.PROVINCE),
    )
    return form_page(
        request,
        form,
        title=_("Record a commitment"),
        intro=_("A line of the company's cahier des charges, and what it changes for the children."),
        save=lambda data: services.record_commitment(actor=actor, **data),
        success=_("Commitment recorded."),
        done=lambda _c: reverse("supply:commitments"),
        cancel=reverse("supply:commitments"),
    )


@login_required
def commitment_edit(request, uuid):
    actor = request.actor
    line = access.get_object_or_404(actor, SocialCommitment, perm=RECORD, uuid=uuid)
    if not _can_record(actor, line.company_id):
        raise Http404
    form = forms.CommitmentStatusForm(
        request.POST or None,
        request.FILES or None,
        initial={"status": line.status, "done_on": line.done_on, "evidence_note": line.evidence_note},
    )
    return form_page(
        request,
        form,
        title=_("Where the commitment stands"),
        intro=f"{line.company} — {line.commitment}",
        save=lambda data: services.update_commitment(actor=actor, commitment=line, **data),
        success=_("Commitment updated."),
        done=lambda _c: reverse("supply:commitments"),
        cancel=reverse("supply:commitments"),
    )


@login_required
def commitment_evidence(request, uuid):
    """Uploaded files are never public media: the evidence passes the commitment's access check."""
    line = access.get_object_or_404(request.actor, SocialCommitment, uuid=uuid)
    if not line.evidence:
        raise Http404
    response = FileResponse(
        line.evidence.open("rb"), as_attachment=True, filename=os.path.basename(line.evidence.name)
    )
    response["Cache-Control"] = "private, no-store"
    return response
