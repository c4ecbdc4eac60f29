"""Screens of the register of care facilities: the list (status, capacity, children in care today, cost of the
works), a facility's page (occupancy by month, status history, works) and the forms that write them."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kinga.core import access, charts
from kinga.core import selectors as core_selectors
from kinga.core.forms import form_page, submit_and_redirect

from . import forms_facilities as forms
from . import selectors_facilities as selectors
from . import services
from .models import CARE_FACILITY_TYPES, Facility, FacilityStatus, FacilityWork


def _url(facility: Facility) -> str:
    return reverse("cases:facility", args=[facility.uuid])


def _writable(request, facility_uuid) -> Facility:
    return access.get_object_or_404(
        request.actor, Facility, queryset=selectors.writable_facilities(request.actor), uuid=facility_uuid
    )


@login_required
def register(request):
    actor = request.actor
    service_type = request.GET.get("type", "")
    service_type = service_type if service_type in CARE_FACILITY_TYPES else ""
    status = request.GET.get("status", "")
    status = status if status in FacilityStatus.values else ""
    q = request.GET.get("q", "").strip()
    page = Paginator(selectors.facilities(actor, service_type=service_type, status=status, q=q), 50).get_page(
        request.GET.get("page")
    )
    in_care = selectors.in_care_now([f.pk for f in page])
    for facility in page:
        facility.in_care = in_care.get(facility.pk, 0)
    return render(
        request,
        "cases/facilities.html",
        {
            "page": page,
            "types": [(t.value, t.label) for t in CARE_FACILITY_TYPES],
            "statuses": FacilityStatus.choices,
            "type": service_type,
            "status": status,
            "q": q,
            "can_manage": actor.has("cases.manage_services"),
        },
    )


def _chart(months):
    labels = [m.month.strftime("%m/%Y") for m in months]
    series = [
        charts.Series(_("Children in care"), [m.in_care for m in months]),
        charts.Series(_("Admissions"), [m.admitted for m in months]),
    ]
    if months and months[0].capacity:
        series.append(charts.Series(_("Capacity"), [m.capacity for m in months]))
    return charts.line_chart(_("Occupancy by month (children)"), labels, series)


@login_required
def detail(request, facility_uuid):
    actor = request.actor
    facility = access.get_object_or_404(
        actor, Facility, queryset=selectors.facilities(actor), uuid=facility_uuid
    )
    months = selectors.occupancy(facility)
    works = list(selectors.works(actor, facility))
    writer = actor.has("cases.manage_services") and (
        actor.is_system_wide or facility.service.organisation_id == actor.organisation_id
    )
    return render(
        request,
        "cases/facility.html",
        {
            "facility": facility,
            "current": months[-1],
            "chart": _chart(months),
            "changes": facility.status_changes.all()[:20],
            "works": works,
            "works_total": sum((w.cost_usd for w in works), 0),
            "can_write": writer,
        },
    )


@login_required
def facility_add(request):
    actor = request.actor
    access.require(actor, "cases.manage_services")
    form = forms.RegisterFacilityForm(request.POST or None, services=selectors.registrable_services(actor))
    return form_page(
        request,
        form,
        title=_("Register a care facility"),
        intro=_(
            "A catch-up school, vocational centre, transit house or play space of the services directory, with "
            "its operating status. Add it to the directory first if it is not there."
        ),
        save=lambda data: services.register_facility(actor=actor, **data),
        success=_("Facility registered."),
        done=_url,
        cancel=reverse("cases:facilities"),
    )


@login_required
def status_add(request, facility_uuid):
    actor = request.actor
    facility = _writable(request, facility_uuid)
    form = forms.StatusForm(
        request.POST or None,
        initial={"status": facility.status, "capacity": facility.service.capacity},
    )
    return form_page(
        request,
        form,
        title=_("Operating status of %(name)s") % {"name": facility.service.name},
        save=lambda data: services.record_status(actor=actor, facility=facility, **data),
        success=_("Status recorded."),
        done=lambda _c: _url(facility),
        cancel=_url(facility),
    )


@login_required
def work_add(request, facility_uuid):
    actor = request.actor
    facility = _writable(request, facility_uuid)
    form = forms.WorkForm(request.POST or None, organisations=core_selectors.organisations(actor))
    return form_page(
        request,
        form,
        title=_("Works on %(name)s") % {"name": facility.service.name},
        save=lambda data: services.record_work(actor=actor, facility=facility, **data),
        success=_("Works recorded."),
        done=lambda _w: _url(facility),
        cancel=_url(facility),
    )


@login_required
@require_POST
def work_complete(request, work_uuid):
    actor = request.actor
    work = access.get_object_or_404(
        actor,
        FacilityWork,
        queryset=selectors.writable_works(actor),
        uuid=work_uuid,
    )
    return submit_and_redirect(
        request,
        forms.CompleteWorkForm(request.POST),
        lambda data: services.complete_work(actor=actor, work=work, **data),
        success=_("Works completed."),
        back=_url(work.facility),
    )
