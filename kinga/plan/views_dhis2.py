"""Pages of the DHIS2 link: the mapping (administrators edit it, coordinators read it), the downloads of the
indicators as DHIS2 JSON, ADX or HXL, and the sending of a period to DHIS2 with what it answered."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kinga.core import access
from kinga.core.forms import apply_service_errors, form_page
from kinga.plan import dhis2, selectors, services
from kinga.plan.forms_dhis2 import (
    CategoryOptionComboForm,
    DataElementForm,
    Dhis2SettingsForm,
    ExportForm,
    OrgUnitForm,
    PushForm,
)
from kinga.plan.models import Dhis2Push, Indicator, PushStatus
from kinga.plan.views import page_context, plan_or_404

# The password is never shown back.
SETTINGS_SHOWN = (
    "data_set",
    "data_set_code",
    "attribute_option_combo",
    "adx_sex_category",
    "adx_age_category",
    "server_url",
    "username",
)


def _overview(request, *, push_form=None):
    actor = request.actor
    plan = plan_or_404(actor)
    access.require(actor, "plan.push_dhis2")
    context = {
        **page_context(actor, plan),
        **selectors.dhis2_mapping(actor, plan),
        "push_form": push_form or PushForm(),
        "export_form": ExportForm(),
        "can_configure": actor.has("plan.configure_dhis2"),
    }
    return render(request, "plan/dhis2.html", context)


@login_required
def dhis2_overview(request):
    return _overview(request)


@login_required
def dhis2_settings(request):
    actor = request.actor
    plan = plan_or_404(actor)
    access.require(actor, "plan.configure_dhis2")
    current = selectors.dhis2_settings(actor, plan)
    initial = {field: getattr(current, field) for field in SETTINGS_SHOWN} if current else None
    return form_page(
        request,
        Dhis2SettingsForm(request.POST or None, initial=initial),
        title=_("DHIS2 settings"),
        intro=_("The identifiers and codes come from the administrators of the DHIS2 instance."),
        save=lambda data: services.save_dhis2_settings(actor=actor, plan=plan, **data),
        success=_("The DHIS2 settings were saved."),
        done=lambda saved: "plan:dhis2",
        back=("/plan/dhis2/", _("DHIS2")),
    )


@login_required
def dhis2_element(request, uuid):
    actor = request.actor
    plan_or_404(actor)
    indicator = access.get_object_or_404(actor, Indicator, uuid=uuid)
    access.require(actor, "plan.configure_dhis2")
    current = getattr(indicator, "dhis2_element", None)
    initial = (
        {"uid": current.uid, "code": current.code, "disaggregation": current.disaggregation}
        if current
        else None
    )
    return form_page(
        request,
        DataElementForm(request.POST or None, initial=initial),
        title=_("DHIS2 data element of: %(indicator)s") % {"indicator": indicator.label_fr},
        save=lambda data: services.map_data_element(actor=actor, indicator=indicator, **data),
        success=_("The mapping was saved."),
        done=lambda saved: "plan:dhis2",
        back=("/plan/dhis2/", _("DHIS2")),
    )


@login_required
def dhis2_org_unit(request):
    actor = request.actor
    plan_or_404(actor)
    access.require(actor, "plan.configure_dhis2")
    return form_page(
        request,
        OrgUnitForm(request.POST or None, places=selectors.dhis2_places(actor)),
        title=_("DHIS2 organisation unit of a place"),
        save=lambda data: services.map_org_unit(actor=actor, **data),
        success=_("The mapping was saved."),
        done=lambda saved: "plan:dhis2",
        back=("/plan/dhis2/", _("DHIS2")),
    )


@login_required
def dhis2_combo(request):
    actor = request.actor
    plan_or_404(actor)
    access.require(actor, "plan.configure_dhis2")
    return form_page(
        request,
        CategoryOptionComboForm(request.POST or None),
        title=_("DHIS2 category option combination"),
        intro=_("“All” for both sex and age band is the combination of a total (“default” in DHIS2)."),
        save=lambda data: services.map_category_option_combo(actor=actor, **data),
        success=_("The mapping was saved."),
        done=lambda saved: "plan:dhis2",
        back=("/plan/dhis2/", _("DHIS2")),
    )


@login_required
@require_POST
def dhis2_push(request):
    actor = request.actor
    plan = plan_or_404(actor)
    access.require(actor, "plan.push_dhis2")
    form = PushForm(request.POST)
    if form.is_valid():
        try:
            push = services.push_period(actor=actor, plan=plan, period=form.cleaned_data["period"])
        except services.Dhis2PushFailed as failure:
            messages.error(
                request, _("DHIS2 did not take the values: %(reason)s") % {"reason": failure.push.message}
            )
            return redirect("plan:dhis2_push_detail", uuid=failure.push.uuid)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            if push.status == PushStatus.SUCCESS:
                messages.success(
                    request, _("DHIS2 took the %(count)s values sent.") % {"count": push.values_sent}
                )
            else:
                messages.warning(
                    request,
                    _("DHIS2 took %(taken)s of the %(sent)s values sent; see below those it refused and why.")
                    % {"taken": push.imported + push.updated, "sent": push.values_sent},
                )
            return redirect("plan:dhis2_push_detail", uuid=push.uuid)
    response = _overview(request, push_form=form)
    response.status_code = 400
    return response


@login_required
def dhis2_push_detail(request, uuid):
    actor = request.actor
    plan = plan_or_404(actor)
    access.require(actor, "plan.push_dhis2")
    push = access.get_object_or_404(actor, Dhis2Push, uuid=uuid)
    # DHIS2 names a refused value by its data element's identifier: show the indicator it stands for.
    labels = selectors.dhis2_element_labels(actor, plan)
    for conflict in push.conflicts:
        conflict["indicator"] = labels.get(conflict.get("object", ""), "")
    return render(request, "plan/dhis2_push.html", {**page_context(actor, plan), "push": push})


@login_required
def indicators_export(request):
    """GET ?format=dhis2|adx|hxl&period=2026Q3: the file; refused, the indicators page's export form with its errors."""
    actor = request.actor
    plan = plan_or_404(actor)
    access.require(actor, "plan.export")
    form = ExportForm(request.GET or None)
    if form.is_valid():
        try:
            exported = dhis2.export_file(
                actor=actor, plan=plan, fmt=form.cleaned_data["format"], period=form.cleaned_data["period"]
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            response = HttpResponse(exported.content, content_type=exported.content_type)
            response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
            response["X-Kinga-Values-Left-Out"] = str(len(exported.export.skipped))
            return response
    return render(
        request,
        "plan/indicators_export.html",
        {**page_context(actor, plan), "form": form},
        status=400 if form.errors else 200,
    )
