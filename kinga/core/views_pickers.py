"""The searchable picker's answers (kinga.core.pickers): the choices matching what was typed, as buttons."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kinga.core import pickers


@login_required
@require_GET
def pick(request, kind):
    """The choices of `kind` the actor may see matching `q` (a role without the kind's permission: 403)."""
    try:
        pickers.kind(kind)
    except LookupError:
        raise Http404 from None
    value_field = request.GET.get("value", "pk")
    if value_field not in pickers.VALUE_FIELDS:
        value_field = "pk"
    found = pickers.search(request.actor, kind, request.GET.get("q", "")[:100], near=_position(request.GET))
    results = [(getattr(obj, value_field), label) for obj, label in found]
    return render(request, "core/_picker_results.html", {"results": results, "q": request.GET.get("q", "")})


def _position(query) -> tuple[float, float] | None:
    """The user's position sent by picker.js (the form's latitude and longitude), or None."""
    try:
        latitude, longitude = float(query.get("lat", "")), float(query.get("lon", ""))
    except ValueError:
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return latitude, longitude
