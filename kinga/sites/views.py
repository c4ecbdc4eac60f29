"""Screens of the mine-sites app: list, map, site page with its timeline, inspections, rules table, ZEA."""

from __future__ import annotations

import os
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from kinga.core import access, clock
from kinga.core.forms import apply_service_errors, form_page, submit_and_redirect
from kinga.core.models import Organisation, Place, PlaceLevel
from kinga.sites import forms, selectors, selectors_movements, services
from kinga.sites.models import CorrectiveAction, InspectionPhoto, Status, Zone

IPIS_CREDIT = "Source : IPIS open data (ipisresearch.be)"


def _filters(request, actor) -> tuple[dict, dict]:
    """Filters from the query string: (selector kwargs, raw values for the template)."""
    raw = {
        k: request.GET.get(k, "").strip() for k in ("q", "territory", "mineral", "status", "children", "due")
    }
    kwargs: dict = {"q": raw["q"], "mineral": raw["mineral"]}
    if raw["status"] in Status.values:
        kwargs["status"] = raw["status"]
    if raw["children"] == "1":
        kwargs["children_seen"] = True
    if raw["due"] == "1":
        kwargs["inspection_due"] = True
    if raw["territory"]:
        kwargs["territory"] = access.get_object_or_404(actor, Place, uuid=raw["territory"])
    return kwargs, raw


def _filter_context(actor, raw) -> dict:
    return {
        "filters": raw,
        "territories": selectors.territories_with_sites(actor),
        "minerals": selectors.minerals(),
        "statuses": Status.choices,
        "ipis_credit": IPIS_CREDIT,
    }


@login_required
def site_list(request):
    actor = request.actor
    kwargs, raw = _filters(request, actor)
    qs = selectors.sites(actor, **kwargs)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    labels = dict(Status.choices)
    for item in page.object_list:
        item.status_label = labels.get(item.current_status, item.current_status)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "query": query.urlencode(),
        "counts": selectors.status_counts(actor, **kwargs),
        **_filter_context(actor, raw),
    }
    template = "sites/list.html#site-rows" if request.htmx else "sites/list.html"
    return render(request, template, context)


@login_required
def site_map(request):
    actor = request.actor
    access.require(actor, "sites.view")
    _kwargs, raw = _filters(request, actor)
    context = {
        "tile_url": settings.KINGA_MAP_TILE_URL,
        "tile_attribution": settings.KINGA_MAP_TILE_ATTRIBUTION,
        "statuses": Status.choices,
        "filters_set": any(raw.values()),
        **_filter_context(actor, raw),
    }
    return render(request, "sites/map.html", context)


@login_required
def map_data(request):
    """Compact map data: {"fields": [...], "sites": [[uuid, lat, lon, status, children, name, code], ...]}."""
    actor = request.actor
    kwargs, _raw = _filters(request, actor)
    body = selectors.map_json(actor, **kwargs)
    return HttpResponse(body, content_type="application/json")


@login_required
def site_detail(request, site_uuid):
    actor = request.actor
    site = selectors.site(actor, site_uuid)
    state = selectors.child_labour_status(site)
    context = {
        "site": site,
        "state": state,
        "timeline": selectors.timeline(actor, site),
        "movements": selectors_movements.site_months(actor, site),
        "ipis_credit": IPIS_CREDIT,
    }
    return render(request, "sites/detail.html", context)


def _places(actor):
    """The places a site or a ZEA may be in: the province and everything under it."""
    return access.scoped(actor, Place).filter(level__gte=PlaceLevel.PROVINCE).order_by("level", "name")


def _site_form(actor, data=None, *, initial=None, editing=False):
    return forms.SiteForm(
        data,
        initial=initial,
        editing=editing,
        places=_places(actor),
        organisations=access.scoped(actor, Organisation).order_by("name"),
        zones=selectors.zones(actor),
    )


@login_required
def site_add(request):
    actor = request.actor
    access.require(actor, "sites.edit")
    return form_page(
        request,
        _site_form(actor, request.POST or None),
        title=_("Add a site"),
        save=lambda data: services.create_site(actor=actor, **data),
        success=lambda site: _("Site “%(name)s” added.") % {"name": site.name},
        done=lambda site: reverse("sites:detail", kwargs={"site_uuid": site.uuid}),
    )


@login_required
def site_edit(request, site_uuid):
    actor = request.actor
    access.require(actor, "sites.edit")
    site = selectors.site(actor, site_uuid)
    initial = {
        "name": site.name,
        "place": site.place_id,
        "site_type": site.site_type,
        "latitude": site.latitude,
        "longitude": site.longitude,
        "minerals": ", ".join(site.minerals),
        "workers_count": site.workers_count,
        "operator": site.operator_id,
        "state_services": ", ".join(site.state_services),
        "zone": site.zone_id,
    }
    return form_page(
        request,
        _site_form(actor, request.POST or None, initial=initial, editing=True),
        title=_("Edit %(name)s") % {"name": site.name},
        save=lambda data: services.update_site(actor=actor, site=site, **data),
        success=_("Site updated."),
        done=lambda saved: reverse("sites:detail", kwargs={"site_uuid": site.uuid}),
    )


@login_required
def inspection_add(request, site_uuid):
    actor = request.actor
    access.require(actor, "sites.inspect")
    site = selectors.site(actor, site_uuid)
    form = forms.InspectionForm(
        request.POST or None,
        organisations=access.scoped(actor, Organisation).order_by("name"),
        # The team is usually the inspector's own organisation, and the visit is usually written up the same day.
        initial={
            "date": clock.today(),
            "organisations": [actor.organisation_id] if actor.organisation_id else [],
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            inspection = services.record_inspection(
                actor=actor,
                site=site,
                date=form.cleaned_data["date"],
                organisations=list(form.cleaned_data["organisations"]),
                actions=form.actions(),
                **form.inspection_fields(),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            site.refresh_from_db()
            messages.success(
                request,
                _("Inspection recorded. Site status: %(status)s.") % {"status": Status(site.status).label},
            )
            return redirect("sites:inspection", inspection_uuid=inspection.uuid)
    return render(
        request,
        "sites/inspection_form.html",
        {"form": form, "site": site},
        status=400 if form.errors else 200,
    )


def _children_next_steps(actor, inspection) -> list[tuple[str, str]]:
    """When the inspection found children: register them (the registration form with the site and the date) or
    raise an alert (the alert form with the site and the counts), each offered only to a role that may do it."""
    if not (inspection.children_seen or inspection.children_count):
        return []
    steps = []
    if actor.has("cases.register"):
        query = urlencode(
            {"site": inspection.site.uuid, "date": inspection.date.isoformat(), "method": "site_inspection"}
        )
        steps.append((f"{reverse('cases:register')}?{query}", _("Register these children")))
    if actor.has("community.report_alert"):
        counts = {
            "n_M_u": inspection.boys_under_15,
            "n_F_u": inspection.girls_under_15,
            "n_M_15_17": inspection.boys_15_17,
            "n_F_15_17": inspection.girls_15_17,
        }
        query = urlencode({"site": inspection.site.uuid, **{k: v for k, v in counts.items() if v}})
        steps.append((f"{reverse('community:alert_add')}?{query}", _("Raise an alert")))
    return steps


@login_required
def inspection_detail(request, inspection_uuid):
    actor = request.actor
    inspection = selectors.inspection(actor, inspection_uuid)
    photos = []
    if actor.has("sites.view_photos"):
        photos = list(
            access.scoped(actor, InspectionPhoto, perm="sites.view_photos").filter(inspection=inspection)
        )
    context = {
        "inspection": inspection,
        "site": inspection.site,
        "next_steps": _children_next_steps(actor, inspection),
        "actions": access.scoped(actor, CorrectiveAction).filter(inspection=inspection),
        "photos": photos,
        "photo_form": forms.PhotoForm(),
        "ipis_credit": IPIS_CREDIT,
    }
    return render(request, "sites/inspection.html", context)


@login_required
@require_POST
def photo_add(request, inspection_uuid):
    actor = request.actor
    access.require(actor, "sites.inspect")
    inspection = selectors.inspection(actor, inspection_uuid)
    return submit_and_redirect(
        request,
        forms.PhotoForm(request.POST, request.FILES),
        lambda d: services.add_photo(actor=actor, inspection=inspection, **d),
        success=_("Photo added."),
        refused=_("Choose a photo to add."),
        back=reverse("sites:inspection", kwargs={"inspection_uuid": inspection.uuid}),
    )


@login_required
def photo_file(request, photo_uuid):
    """Photos are served through the app (never as public media): they may show children."""

    actor = request.actor
    photo = access.get_object_or_404(actor, InspectionPhoto, perm="sites.view_photos", uuid=photo_uuid)
    return FileResponse(photo.image.open("rb"))


@login_required
@require_POST
def action_done(request, action_uuid):
    actor = request.actor
    access.require(actor, "sites.inspect")
    action = access.get_object_or_404(actor, CorrectiveAction, uuid=action_uuid)
    return submit_and_redirect(
        request,
        forms.ActionDoneForm(request.POST),
        lambda d: services.complete_action(actor=actor, action=action, done_on=d["done_on"]),
        success=_("Corrective action marked as done."),
        refused=_("Give the date the action was done."),
        back=reverse("sites:inspection", kwargs={"inspection_uuid": action.inspection.uuid}),
    )


@login_required
def rules(request):
    actor = request.actor
    rows, policy = selectors.rules_table(actor)
    can_edit = actor.has("sites.configure_rules")
    form = None
    if can_edit:
        form = forms.RulesForm(
            request.POST or None,
            rows=rows,
            initial={
                "correction_months": policy.correction_months,
                "red_clearance_months": policy.red_clearance_months,
                "expiry_months": policy.expiry_months,
            },
        )
        if request.method == "POST" and form.is_valid():
            try:
                changed = services.update_rules(
                    actor=actor,
                    outcomes=form.outcomes(),
                    correction_months=form.cleaned_data["correction_months"],
                    red_clearance_months=form.cleaned_data["red_clearance_months"],
                    expiry_months=form.cleaned_data["expiry_months"],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    ngettext(
                        "Rules saved. %(n)d site changed status.",
                        "Rules saved. %(n)d sites changed status.",
                        changed,
                    )
                    % {"n": changed},
                )
                return redirect("sites:rules")
    elif request.method == "POST":
        access.require(actor, "sites.configure_rules")
    return render(
        request,
        "sites/rules.html",
        {"rows": rows, "policy": policy, "form": form},
        status=400 if form is not None and form.errors else 200,
    )


# --- ZEA -----------------------------------------------------------------------------------------------------


@login_required
def zone_list(request):
    actor = request.actor
    stage = request.GET.get("stage", "")
    q = request.GET.get("q", "").strip()
    qs = selectors.zones(actor, stage=stage if stage in Zone.Stage.values else "", q=q)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "q": q,
        "stage": stage,
        "stages": Zone.Stage.choices,
        "progress": selectors.zone_progress(actor),
    }
    return render(request, "sites/zones.html", context)


@login_required
def zone_add(request):
    actor = request.actor
    access.require(actor, "sites.edit")
    return form_page(
        request,
        forms.ZoneForm(request.POST or None, places=_places(actor)),
        title=_("Add a ZEA"),
        save=lambda data: services.create_zone(actor=actor, **data),
        success=lambda zone: _("ZEA “%(name)s” added.") % {"name": zone.name},
        done=lambda zone: reverse("sites:zone", kwargs={"zone_uuid": zone.uuid}),
    )


@login_required
def zone_edit(request, zone_uuid):
    actor = request.actor
    access.require(actor, "sites.edit")
    zone = selectors.zone(actor, zone_uuid)
    initial = {
        f: getattr(zone, f) for f in ("name", "expired_title", "area_ha", "latitude", "longitude", "notes")
    }
    initial["place"] = zone.place_id
    return form_page(
        request,
        forms.ZoneForm(request.POST or None, initial=initial, editing=True, places=_places(actor)),
        title=_("Edit %(name)s") % {"name": zone.name},
        save=lambda data: services.update_zone(actor=actor, zone=zone, **data),
        success=_("ZEA updated."),
        done=lambda saved: reverse("sites:zone", kwargs={"zone_uuid": zone.uuid}),
    )


@login_required
def zone_detail(request, zone_uuid):
    actor = request.actor
    zone = selectors.zone(actor, zone_uuid)
    stage_form = forms.StageForm(prefix="stage")
    study_form = forms.StudyForm(prefix="study")
    status = 200
    if request.method == "POST":
        access.require(actor, "sites.edit")
        try:
            if "stage-stage" in request.POST:
                stage_form = forms.StageForm(request.POST, prefix="stage")
                if stage_form.is_valid():
                    services.advance_zone(actor=actor, zone=zone, **stage_form.cleaned_data)
                    messages.success(request, _("Stage updated."))
                    return redirect("sites:zone", zone_uuid=zone.uuid)
            else:
                study_form = forms.StudyForm(request.POST, request.FILES, prefix="study")
                if study_form.is_valid():
                    data = dict(study_form.cleaned_data)
                    services.add_study(actor=actor, zone=zone, **data)
                    messages.success(request, _("Study attached."))
                    return redirect("sites:zone", zone_uuid=zone.uuid)
        except ValidationError as exc:
            target = stage_form if "stage-stage" in request.POST else study_form
            apply_service_errors(target, exc)
        status = 400
    context = {
        "zone": zone,
        "studies": selectors.studies(actor, zone),
        "sites": selectors.sites(actor).filter(zone=zone),
        "stage_form": stage_form,
        "study_form": study_form,
    }
    return render(request, "sites/zone.html", context, status=status)


@login_required
def study_document(request, study_uuid):
    """Uploaded files are never public media: each download passes the access check of its study."""

    study = selectors.study_with_document(request.actor, study_uuid)
    response = FileResponse(
        study.document.open("rb"), as_attachment=True, filename=os.path.basename(study.document.name)
    )
    response["Cache-Control"] = "private, no-store"
    return response
