"""The field forms page: each XLSForm Kinga builds, to download as XLSX with the CSV lists it reads, for loading
onto KoboToolbox or ODK Central by hand (`kinga forms publish` does it through their APIs)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kinga.core import access
from kinga.core import selectors as core_selectors
from kinga.core.models import PlaceLevel

from .xlsforms import builder, reference
from .xlsforms.catalogue import FORMS

DOWNLOAD = "field.download_forms"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

PURPOSES = {
    "kinga_identification": _("A child identified at a mine site or elsewhere: registered as a new case."),
    "kinga_follow_up": _("A follow-up visit of a case, by its case number."),
    "kinga_retention_check": _("A retention check after a case's closure, by its case number."),
    "kinga_site_inspection": _("An inspection of a mine site: children seen, safety, corrective actions."),
    "kinga_household_survey": _("A household's socio-economic survey in a survey round."),
    "kinga_alert": _("A community alert: children seen at a site or at risk."),
    "kinga_awareness_session": _("An awareness session, community meeting or radio broadcast."),
}
LISTS = {
    "places.csv": _("Places with their p-codes"),
    "sites.csv": _("Mine sites and their territory"),
    "organisations.csv": _("Organisations"),
    "rounds.csv": _("Household survey rounds"),
    "services.csv": _("Services directory"),
}


def _title(form) -> str:
    language = (get_language() or "fr")[:2]
    return form.title.get(language) if language in ("fr", "en", "sw") else form.title.fr


def _territories(actor):
    return (
        core_selectors.places(actor)
        .filter(level=PlaceLevel.TERRITORY)
        .exclude(pcode__isnull=True)
        .exclude(pcode="")
        .order_by("name")
    )


def _territory(request) -> str:
    """The territory whose sites and places the lists keep (?territoire=<p-code>), "" for all; 404 if unknown."""
    pcode = (request.GET.get("territoire") or "").strip().upper()
    if pcode and not _territories(request.actor).filter(pcode=pcode).exists():
        raise Http404
    return pcode


@login_required
def forms(request):
    access.require(request.actor, DOWNLOAD)
    territory = _territory(request)
    rows = [
        {
            "id": form.form_id,
            "title": _title(form),
            "purpose": PURPOSES.get(form.form_id, ""),
            "version": builder.version(form),
            "questions": sum(1 for f in form.walk() if f.type != "begin_repeat"),
            "lists": [(name, LISTS.get(name, name)) for name in form.attachments],
        }
        for form in FORMS.values()
    ]
    context = {
        "forms": rows,
        "lists": list(LISTS.items()),
        "territory": territory,
        "territories": [(place.pcode, place.name) for place in _territories(request.actor)],
    }
    return render(request, "field/forms.html", context)


@login_required
def form_xlsx(request, form_id: str):
    access.require(request.actor, DOWNLOAD)
    form = FORMS.get(form_id)
    if form is None:
        raise Http404
    response = HttpResponse(builder.workbook_bytes(form), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{builder.filename(form)}"'
    return response


@login_required
def choice_list(request, name: str):
    access.require(request.actor, DOWNLOAD)
    if name not in reference.BUILDERS:
        raise Http404
    response = HttpResponse(
        reference.build(name, _territory(request) or None), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
