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
    found = pickers.search(request.actor, kind, request.GET.get("q", "")[:100])
    results = [(getattr(obj, value_field), label) for obj, label in found]
    return render(request, "core/_picker_results.html", {"results": results, "q": request.GET.get("q", "")})
