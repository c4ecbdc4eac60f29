"""Screens of the movements of people around sites: the year's counts by territory, month and site, and the forms
that record what an organisation observed at a site in a month and the relocations away from mining titles."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from kinga.core import access, charts, clock
from kinga.core.forms import form_page
from kinga.core.models import Place, PlaceLevel
from kinga.sites import forms, selectors, services
from kinga.sites import selectors_movements as movements
from kinga.sites.models import MovementObservation, Site
from kinga.sites.models_movements import COUNTS

RECENT = 20


def _chart(summary) -> charts.Chart:
    return charts.line_chart(
        _("Children arriving at and leaving the sites, by month"),
        [row.label for row in summary.months],
        [
            charts.Series(_("Children arrived"), [row.figures.children_arrived for row in summary.months]),
            charts.Series(_("Children departed"), [row.figures.children_departed for row in summary.months]),
        ],
    )


@login_required
def movements_home(request):
    actor = request.actor
    access.require(actor, "sites.view_movements")
    today = clock.today()
    years = movements.years(actor, today)
    try:
        year = int(request.GET.get("annee") or today.year)
    except ValueError:
        year = today.year
    if year not in years:
        year = today.year
    territory = None
    if request.GET.get("territoire"):
        territory = access.get_object_or_404(
            actor, Place, uuid=request.GET["territoire"], level=PlaceLevel.TERRITORY
        )
    summary = movements.summary(actor, year=year, territory=territory)
    context = {
        "summary": summary,
        "chart": _chart(summary),
        "years": years,
        "territories": selectors.territories_with_sites(actor),
        "observations": movements.observations(actor).select_related("site", "organisation")[:RECENT],
        "relocations": movements.relocations(actor).select_related(
            "from_place", "destination", "organisation"
        )[:RECENT],
        "can_record": actor.has("sites.record_movements"),
    }
    return render(request, "sites/movements.html", context)


def _sites(actor):
    return access.scoped(actor, Site).order_by("name", "id")


def _home() -> str:
    return reverse("sites:movements")


@login_required
def observation_add(request):
    actor = request.actor
    access.require(actor, "sites.record_movements")
    initial = {"month": clock.today().replace(day=1)}
    if request.GET.get("site"):
        site = selectors.site(actor, request.GET["site"])
        initial["site"] = site.pk
    form = forms.ObservationForm(request.POST or None, initial=initial, sites=_sites(actor))
    return form_page(
        request,
        form,
        title=_("Movements observed at a site"),
        intro=_(
            "How many families and children arrived at the site or left it during the month, as your team saw "
            "them. Counts only: never a name."
        ),
        save=lambda data: services.record_observation(actor=actor, **data),
        success=_("Counts recorded."),
        done=lambda _o: _home(),
        cancel=_home(),
    )


@login_required
def observation_edit(request, observation_uuid):
    actor = request.actor
    observation = access.get_object_or_404(
        actor,
        MovementObservation,
        perm="sites.record_movements",
        queryset=movements.observations(actor).filter(organisation_id=actor.organisation_id),
        uuid=observation_uuid,
    )
    initial = {"source": observation.source, **{name: getattr(observation, name) for name in COUNTS}}
    return form_page(
        request,
        forms.ObservationCountsForm(request.POST or None, initial=initial),
        title=_("Correct the counts of %(site)s for %(month)s")
        % {"site": observation.site.name, "month": observation.month.strftime("%m/%Y")},
        save=lambda data: services.correct_observation(actor=actor, observation=observation, **data),
        success=_("Counts corrected."),
        done=lambda _o: _home(),
        cancel=_home(),
    )


@login_required
def relocation_add(request):
    actor = request.actor
    access.require(actor, "sites.record_movements")
    places = access.scoped(actor, Place).filter(level__gte=PlaceLevel.TERRITORY)
    form = forms.RelocationForm(
        request.POST or None,
        initial={"month": clock.today().replace(day=1)},
        places=places,
        sites=_sites(actor),
    )
    return form_page(
        request,
        form,
        title=_("Households relocated away from a mining title"),
        intro=_("How many households left their homes on or next to a mining title for a new settlement."),
        save=lambda data: services.record_relocation(actor=actor, **data),
        success=_("Relocation recorded."),
        done=lambda _r: _home(),
        cancel=_home(),
    )
