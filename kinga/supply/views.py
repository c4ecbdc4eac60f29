"""Screens of the supply chain: lots and their authorisations, cooperatives, production, document types."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kinga.core import access, clock
from kinga.core.forms import apply_service_errors, form_page
from kinga.core.models import Organisation
from kinga.sites.models import Site
from kinga.supply import forms, selectors, services
from kinga.supply.decision import reason_text
from kinga.supply.models import DocumentType, EvacuationAuthorisation, Lot, LotStatus, Mineral


def _params(request) -> str:
    """The current filters as a query string, for the pager's links."""
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("sites_page", None)
    return params.urlencode()


def _date_param(request, name: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(request.GET.get(name, ""))
    except ValueError:
        return None


@login_required
def home(request):
    actor = request.actor
    access.require(actor, "supply.view")
    context = {
        "counts": selectors.lot_counts(actor),
        "waiting": selectors.overrides_waiting(actor)[:20],
        "can_record": actor.has("supply.record"),
        "can_report": actor.has("supply.report"),
        "can_configure": actor.has("supply.configure"),
    }
    return render(request, "supply/home.html", context)


# --- Lots ------------------------------------------------------------------------------------------------


@login_required
def lot_list(request):
    actor = request.actor
    filters = {
        "q": request.GET.get("q", "").strip(),
        "status": request.GET.get("status", "") if request.GET.get("status") in LotStatus.values else "",
        "mineral": request.GET.get("mineral", "") if request.GET.get("mineral") in Mineral.values else "",
        "start": _date_param(request, "start"),
        "end": _date_param(request, "end"),
    }
    qs = selectors.lots(actor, **filters)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    template = "supply/lots.html#lot-rows" if request.htmx else "supply/lots.html"
    return render(
        request,
        template,
        {
            "page": page,
            "filters": filters,
            "statuses": LotStatus.choices,
            "minerals": Mineral.choices,
            "can_record": actor.has("supply.record"),
            "params": _params(request),
        },
    )


@login_required
def lot_add(request):
    actor = request.actor
    access.require(actor, "supply.record")
    form = forms.LotForm(
        request.POST or None,
        sites=selectors.sites(actor),
        cooperatives=selectors.cooperatives(actor),
        buyers=selectors.buyers(actor),
    )
    if request.method == "POST" and form.is_valid():
        try:
            lot = services.record_lot(actor=actor, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Lot %(ref)s recorded.") % {"ref": lot.reference})
            return redirect("supply:lot_detail", lot_uuid=lot.uuid)
    return render(request, "supply/lot_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def lot_detail(request, lot_uuid):
    actor = request.actor
    lot = access.get_object_or_404(actor, Lot, uuid=lot_uuid)
    decisions = list(selectors.authorisations(actor, lot=lot))
    for d in decisions:
        d.reason_texts = [reason_text(r) for r in d.reasons]
        d.warning_texts = [reason_text(w) for w in d.warnings]
    latest = decisions[0] if decisions else None
    context = {
        "lot": lot,
        "decisions": decisions,
        "latest": latest,
        "can_decide": actor.has("supply.authorise") and not lot.can_leave_site,
        "can_request_override": actor.has("supply.request_override")
        and latest is not None
        and latest.outcome == "refused"
        and latest.override_state in ("", "declined"),
        "can_decide_override": actor.has("supply.override")
        and latest is not None
        and latest.override_state == "requested",
        "reason_form": forms.ReasonForm(),
    }
    return render(request, "supply/lot_detail.html", context)


@login_required
@require_POST
def lot_decide(request, lot_uuid):
    actor = request.actor
    access.require(actor, "supply.authorise")
    lot = access.get_object_or_404(actor, Lot, perm="supply.authorise", uuid=lot_uuid)
    try:
        decision = services.decide_evacuation(actor=actor, lot=lot)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if decision.outcome == "refused":
            messages.error(request, _("Evacuation refused: %(n)s.") % {"n": decision.number})
        else:
            messages.success(request, _("Evacuation authorised: %(n)s.") % {"n": decision.number})
    return redirect("supply:lot_detail", lot_uuid=lot.uuid)


def _override_step(request, authorisation_uuid, perm: str, step):
    actor = request.actor
    access.require(actor, perm)
    authorisation = access.get_object_or_404(
        actor, EvacuationAuthorisation, perm=perm, uuid=authorisation_uuid
    )
    form = forms.ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    else:
        try:
            step(actor, authorisation, form.cleaned_data["reason"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return render(request, "supply/denied.html", {"message": str(exc)}, status=403)
        else:
            messages.success(request, _("Saved."))
    return redirect("supply:lot_detail", lot_uuid=authorisation.lot.uuid)


@login_required
@require_POST
def override_request(request, authorisation_uuid):
    return _override_step(
        request,
        authorisation_uuid,
        "supply.request_override",
        lambda actor, a, reason: services.request_override(actor=actor, authorisation=a, reason=reason),
    )


@login_required
@require_POST
def override_decide(request, authorisation_uuid):
    approve = request.POST.get("approve") == "1"
    return _override_step(
        request,
        authorisation_uuid,
        "supply.override",
        lambda actor, a, reason: services.decide_override(
            actor=actor, authorisation=a, approve=approve, reason=reason
        ),
    )


# --- Cooperatives -------------------------------------------------------------------------------------------


@login_required
def cooperative_list(request):
    actor = request.actor
    q = request.GET.get("q", "").strip()
    page = Paginator(selectors.cooperatives(actor, q=q), 50).get_page(request.GET.get("page"))
    summary = selectors.cooperatives_documents_summary(actor, list(page), clock.today())
    rows = [(coop, summary[coop.pk]) for coop in page]
    return render(request, "supply/cooperatives.html", {"page": page, "rows": rows, "q": q})


def _cooperative(actor, cooperative_uuid) -> Organisation:
    return access.get_object_or_404(
        actor, Organisation, perm="supply.view", queryset=selectors.cooperatives(actor), uuid=cooperative_uuid
    )


@login_required
def cooperative_detail(request, cooperative_uuid):
    actor = request.actor
    coop = _cooperative(actor, cooperative_uuid)
    today = clock.today()
    year_ago = today.replace(day=1) - datetime.timedelta(days=365)
    can_record = actor.has("supply.record")
    context = {
        "coop": coop,
        "profile": selectors.cooperative_profile(coop),
        "documents_state": selectors.documents_state(actor, cooperative=coop, day=today),
        "documents": selectors.documents(actor, cooperative=coop)[:100],
        "members": selectors.miners_summary(actor, cooperative=coop, day=today),
        "sites": selectors.cooperative_sites(actor, cooperative=coop)[:100],
        "production": selectors.label_minerals(
            selectors.production_by_site(actor, cooperative=coop, start=year_ago)[:100]
        ),
        "can_record": can_record,
        "document_form": forms.DocumentForm(document_types=selectors.document_types(actor, active_only=True))
        if can_record
        else None,
        "miner_form": forms.MinerForm() if can_record else None,
    }
    return render(request, "supply/cooperative_detail.html", context)


@login_required
def document_add(request, cooperative_uuid):
    actor = request.actor
    access.require(actor, "supply.record")
    coop = _cooperative(actor, cooperative_uuid)
    back = reverse("supply:cooperative_detail", kwargs={"cooperative_uuid": coop.uuid})
    return form_page(
        request,
        forms.DocumentForm(
            request.POST or None, document_types=selectors.document_types(actor, active_only=True)
        ),
        title=_("Add a document"),
        back=(back, str(coop)),
        save=lambda data: services.record_document(actor=actor, cooperative=coop, **data),
        success=_("Document recorded."),
        done=lambda saved: back,
    )


@login_required
def miner_add(request, cooperative_uuid):
    actor = request.actor
    access.require(actor, "supply.record")
    coop = _cooperative(actor, cooperative_uuid)
    back = reverse("supply:cooperative_detail", kwargs={"cooperative_uuid": coop.uuid})
    return form_page(
        request,
        forms.MinerForm(request.POST or None),
        title=_("Register a member (EMA)"),
        back=(back, str(coop)),
        save=lambda data: services.register_miner(actor=actor, cooperative=coop, **data),
        success=_("Member registered."),
        done=lambda saved: back,
    )


@login_required
def miner_list(request, cooperative_uuid):
    actor = request.actor
    coop = _cooperative(actor, cooperative_uuid)
    page = Paginator(selectors.miners(actor, cooperative=coop), 50).get_page(request.GET.get("page"))
    context = {"coop": coop, "page": page, "can_record": actor.has("supply.record")}
    return render(request, "supply/miners.html", context)


@login_required
def miner_leave(request, cooperative_uuid, miner_uuid):
    actor = request.actor
    access.require(actor, "supply.record")
    coop = _cooperative(actor, cooperative_uuid)
    member = selectors.miner(actor, cooperative=coop, uuid=miner_uuid)
    form = forms.MinerLeftForm(request.POST or None, initial={"left_on": member.left_on or clock.today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.miner_leaves(actor=actor, miner=member, left_on=form.cleaned_data["left_on"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, _("Departure of member n° %(number)s recorded.") % {"number": member.member_number}
            )
            return redirect("supply:miner_list", cooperative_uuid=coop.uuid)
    return render(
        request,
        "supply/miner_leave.html",
        {"coop": coop, "member": member, "form": form},
        status=400 if form.errors else 200,
    )


# --- Production -------------------------------------------------------------------------------------------


@login_required
def production_list(request):
    actor = request.actor
    start = _date_param(request, "start") or clock.today().replace(day=1) - datetime.timedelta(days=365)
    end = _date_param(request, "end")
    site = None
    if request.GET.get("site"):
        site = access.get_object_or_404(actor, Site, uuid=request.GET["site"])
    stats = Paginator(selectors.production_by_site(actor, start=start, end=end, site=site), 50).get_page(
        request.GET.get("sites_page")
    )
    stats.object_list = selectors.label_minerals(stats.object_list)
    totals = selectors.production_by_mineral(actor, start=start, end=end, site=site)
    page = Paginator(selectors.production(actor, start=start, end=end, site=site), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "supply/production.html",
        {
            "stats": stats,
            "totals": totals,
            "page": page,
            "start": start,
            "end": end,
            "can_record": actor.has("supply.record"),
            "params": _params(request),
        },
    )


@login_required
def production_add(request):
    actor = request.actor
    access.require(actor, "supply.record")
    return form_page(
        request,
        forms.ProductionForm(
            request.POST or None, sites=selectors.sites(actor), cooperatives=selectors.cooperatives(actor)
        ),
        title=_("Record monthly production"),
        save=lambda data: services.record_production(actor=actor, **data),
        success=_("Production recorded."),
        done=lambda saved: reverse("supply:production"),
    )


# --- Document types (configuration) ----------------------------------------------------------------------


@login_required
def document_types(request):
    actor = request.actor
    access.require(actor, "supply.configure")
    return render(request, "supply/document_types.html", {"types": selectors.document_types(actor)})


@login_required
def document_type_edit(request, type_uuid=None):
    actor = request.actor
    access.require(actor, "supply.configure")
    instance = None
    initial = None
    if type_uuid is not None:
        instance = access.get_object_or_404(actor, DocumentType, perm="supply.configure", uuid=type_uuid)
        initial = {
            f: getattr(instance, f)
            for f in (
                "code",
                "name_fr",
                "name_en",
                "is_required",
                "default_validity_months",
                "order",
                "is_active",
            )
        }

    def save(data):
        order = data["order"] if data["order"] is not None else 100
        return services.save_document_type(actor=actor, document_type=instance, **{**data, "order": order})

    return form_page(
        request,
        forms.DocumentTypeForm(request.POST or None, initial=initial),
        title=_("Cooperative document type"),
        save=save,
        success=_("Document type saved."),
        done=lambda saved: reverse("supply:document_types"),
    )
