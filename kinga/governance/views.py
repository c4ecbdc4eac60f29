"""Screens of the governance records: the home page (what was given, built, advocated; state agents' involvement),
the lists of donations and infrastructures, an advocacy track's page, the involvement page, and their forms."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from kinga.core import access, charts
from kinga.core import selectors as core_selectors
from kinga.core.forms import form_page
from kinga.core.models import PlaceLevel
from kinga.governance import forms, selectors, services
from kinga.governance.models import (
    AdvocacyTrack,
    EquipmentCategory,
    InfrastructureKind,
    SocialInfrastructure,
)
from kinga.governance.services import STATE_SERVICES


def _can_record(actor) -> bool:
    return actor.has("governance.record")


def _involvement_chart(months):
    labels = [m.month.strftime("%m/%Y") for m in months]
    return charts.line_chart(
        _("State and security agents: inspections and trainings by month"),
        labels,
        [
            charts.Series(_("Inspections finding security forces involved"), [m.interfering for m in months]),
            charts.Series(_("Inspections finding illegal taxation"), [m.taxation for m in months]),
            charts.Series(_("Agents trained"), [m.agents_trained for m in months]),
        ],
    )


@login_required
def home(request):
    actor = request.actor
    access.require(actor, "governance.view")
    donations = selectors.donations(actor)
    infrastructures = selectors.infrastructures(actor)
    months = selectors.involvement(actor, months=12)
    return render(
        request,
        "governance/home.html",
        {
            "donations": donations[:5],
            "donation_totals": selectors.donation_totals(donations),
            "infrastructures": infrastructures[:5],
            "infrastructure_totals": selectors.infrastructure_totals(infrastructures),
            "tracks": selectors.tracks(actor)[:20],
            "chart": _involvement_chart(months),
            "can_record": _can_record(actor),
        },
    )


def _territory(request):
    pcode = request.GET.get("territoire", "")
    territories = core_selectors.places(request.actor).filter(level=PlaceLevel.TERRITORY)
    return territories, (territories.filter(pcode=pcode).first() if pcode else None)


@login_required
def donation_list(request):
    actor = request.actor
    category = request.GET.get("categorie", "")
    category = category if category in EquipmentCategory.values else ""
    territories, territory = _territory(request)
    qs = selectors.donations(actor, category=category, place=territory)
    return render(
        request,
        "governance/donations.html",
        {
            "page": Paginator(qs, 50).get_page(request.GET.get("page")),
            "totals": selectors.donation_totals(qs),
            "categories": EquipmentCategory.choices,
            "category": category,
            "territories": territories,
            "territory": territory,
            "can_record": _can_record(actor),
        },
    )


@login_required
def infrastructure_list(request):
    actor = request.actor
    kind = request.GET.get("type", "")
    kind = kind if kind in InfrastructureKind.values else ""
    in_service = request.GET.get("en_service", "")
    territories, territory = _territory(request)
    qs = selectors.infrastructures(actor, kind=kind, in_service=in_service, place=territory)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    for infrastructure in page:
        infrastructure.writable = actor.has("governance.record") and (
            actor.is_system_wide or infrastructure.organisation_id == actor.organisation_id
        )
    return render(
        request,
        "governance/infrastructures.html",
        {
            "page": page,
            "totals": selectors.infrastructure_totals(qs),
            "kinds": InfrastructureKind.choices,
            "kind": kind,
            "in_service": in_service,
            "territories": territories,
            "territory": territory,
            "can_record": _can_record(actor),
        },
    )


@login_required
def involvement(request):
    actor = request.actor
    territories, territory = _territory(request)
    months = selectors.involvement(actor, place=territory, months=24)
    return render(
        request,
        "governance/involvement.html",
        {
            "months": months[::-1],
            "chart": _involvement_chart(months),
            "territories": territories,
            "territory": territory,
        },
    )


@login_required
def donation_add(request):
    actor = request.actor
    access.require(actor, "governance.record")
    form = forms.DonationForm(
        request.POST or None,
        recipients=core_selectors.organisations(actor).filter(type__in=STATE_SERVICES),
        places=core_selectors.places(actor),
        # The coordination records what any donor gave; an organisation's staff, what their organisation gave.
        donors=core_selectors.organisations(actor) if actor.is_system_wide else None,
    )
    return form_page(
        request,
        form,
        title=_("Record equipment given to a state service"),
        save=lambda data: services.record_donation(actor=actor, **data),
        success=_("Donation recorded."),
        done=lambda _d: reverse("governance:donations"),
        cancel=reverse("governance:home"),
    )


@login_required
def infrastructure_add(request):
    actor = request.actor
    access.require(actor, "governance.record")
    form = forms.InfrastructureForm(
        request.POST or None,
        organisations=core_selectors.organisations(actor),
        places=core_selectors.places(actor),
    )
    return form_page(
        request,
        form,
        title=_("Record a social infrastructure"),
        intro=_("Built or restored; counted by the plan once in service."),
        save=lambda data: services.record_infrastructure(actor=actor, **data),
        success=_("Infrastructure recorded."),
        done=lambda _i: reverse("governance:infrastructures"),
        cancel=reverse("governance:home"),
    )


@login_required
def infrastructure_in_service(request, infrastructure_uuid):
    actor = request.actor
    infrastructure = access.get_object_or_404(
        actor,
        SocialInfrastructure,
        queryset=selectors.writable(actor, SocialInfrastructure, "organisation"),
        uuid=infrastructure_uuid,
    )
    return form_page(
        request,
        forms.InServiceForm(request.POST or None),
        title=_("Put %(name)s in service") % {"name": infrastructure.name},
        save=lambda data: services.put_in_service(actor=actor, infrastructure=infrastructure, **data),
        success=_("Infrastructure in service."),
        done=lambda _i: reverse("governance:infrastructures"),
        cancel=reverse("governance:infrastructures"),
    )


def _track_url(track: AdvocacyTrack) -> str:
    return reverse("governance:track", args=[track.uuid])


@login_required
def track_add(request):
    actor = request.actor
    access.require(actor, "governance.record")
    return form_page(
        request,
        forms.TrackForm(request.POST or None, places=core_selectors.places(actor)),
        title=_("Start an advocacy track"),
        intro=_(
            "For instance the installation of the children's court in Kolwezi: its steps, then its outcome."
        ),
        save=lambda data: services.start_track(actor=actor, **data),
        success=_("Advocacy track started."),
        done=_track_url,
        cancel=reverse("governance:home"),
    )


@login_required
def track(request, track_uuid):
    actor = request.actor
    found = access.get_object_or_404(actor, AdvocacyTrack, queryset=selectors.tracks(actor), uuid=track_uuid)
    writer = actor.has("governance.record") and (
        actor.is_system_wide or found.organisation_id == actor.organisation_id
    )
    return render(
        request,
        "governance/track.html",
        {
            "track": found,
            "steps": selectors.steps(actor, found),
            "can_write": writer and found.outcome == "ongoing",
            "can_step": writer and found.outcome == "ongoing" and actor.has("community.record_advocacy"),
        },
    )


def _writable_track(request, track_uuid) -> AdvocacyTrack:
    actor = request.actor
    return access.get_object_or_404(
        actor,
        AdvocacyTrack,
        queryset=selectors.writable(actor, AdvocacyTrack, "organisation"),
        uuid=track_uuid,
    )


@login_required
def step_add(request, track_uuid):
    actor = request.actor
    found = _writable_track(request, track_uuid)
    access.require(actor, "community.record_advocacy")
    return form_page(
        request,
        forms.StepForm(request.POST or None),
        title=_("A step of « %(title)s »") % {"title": found.title},
        save=lambda data: services.record_step(actor=actor, track=found, **data),
        success=_("Step recorded."),
        done=lambda _s: _track_url(found),
        cancel=_track_url(found),
    )


@login_required
def track_outcome(request, track_uuid):
    actor = request.actor
    found = _writable_track(request, track_uuid)
    return form_page(
        request,
        forms.OutcomeForm(request.POST or None),
        title=_("Outcome of « %(title)s »") % {"title": found.title},
        save=lambda data: services.close_track(actor=actor, track=found, **data),
        success=_("Outcome recorded."),
        done=lambda _t: _track_url(found),
        cancel=_track_url(found),
    )
