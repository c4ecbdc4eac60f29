"""Screens of the registry: the supervisors' review queue, one pair, and the suggestions shown while a
child is being registered."""

from __future__ import annotations

import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from kinga.core import access, audit

from . import selectors, services
from .matching.learn import FIELDS, prior_m, upgrade
from .models import PairStatus
from .services import MERGE_FIELDS
from .suggestions import comparison_rows
from .tasks import learn_registry_parameters

# The levels of each field, strongest first, in the words of the page.
_FIELD_NAMES = {
    "given": _lazy("given name"),
    "family": _lazy("family name"),
    "sex": _lazy("sex"),
    "date": _lazy("birth date"),
    "place": _lazy("place"),
    "caregiver": _lazy("caregiver"),
}
_NAME_LEVELS = {
    6: _lazy("same"),
    5: _lazy("same sound"),
    4: _lazy("one letter apart"),
    3: _lazy("one name part in common"),
    2: _lazy("one written short"),
    1: _lazy("an initial"),
    0: _lazy("different"),
}
_TOKEN_LEVELS = {2: _lazy("same"), 1: _lazy("partly the same"), 0: _lazy("different")}
_LEVELS = {
    "given": _NAME_LEVELS,
    "family": _NAME_LEVELS,
    "sex": {1: _lazy("same"), 0: _lazy("different")},
    "date": {
        12: _lazy("same year (an estimated date)"),
        11: _lazy("within a year (an estimated date)"),
        10: _lazy("within two years (an estimated date)"),
        9: _lazy("same"),
        8: _lazy("day and month swapped"),
        7: _lazy("year off by one"),
        6: _lazy("one digit of the year mistyped"),
        5: _lazy("one digit of the day mistyped"),
        4: _lazy("same month and year"),
        3: _lazy("same year"),
        2: _lazy("within a year"),
        1: _lazy("within two years"),
        0: _lazy("further apart"),
    },
    "place": _TOKEN_LEVELS,
    "caregiver": _TOKEN_LEVELS,
}


def _learnt_rows(parameters: dict) -> list[dict]:
    rows = []
    prior = prior_m()
    parameters = upgrade(parameters)
    for name in FIELDS:
        for level, label in _LEVELS[name].items():
            m = float(parameters["m"][name][str(level)])
            u = float(parameters["u"][name][str(level)])
            rows.append(
                {
                    "field": _FIELD_NAMES[name],
                    "level": label,
                    "m": m * 100,
                    "prior": prior[name][level] * 100,
                    "u": u * 100,
                    "weight": math.log2(m / u),
                }
            )
        missing_m, missing_u = parameters["m"][name].get("-1"), parameters["u"][name].get("-1")
        if missing_m is not None and missing_u is not None and 0 < missing_u < 1 and 0 < missing_m < 1:
            # the absence's prior is to say nothing: m equal to u
            rows.append(
                {
                    "field": _FIELD_NAMES[name],
                    "level": _("missing on one side"),
                    "m": missing_m * 100,
                    "prior": missing_u * 100,
                    "u": missing_u * 100,
                    "weight": math.log2(missing_m / missing_u),
                }
            )
    return rows


@login_required
def learnt(request):
    """What the matcher learnt from the registry: the estimated share of duplicates, each field's m and u."""
    actor = request.actor
    history = selectors.learnt_parameters(actor)
    if request.method == "POST":
        learn_registry_parameters.enqueue(reason="page")
        messages.success(
            request, _("The registry will learn again in the background: come back in a few minutes.")
        )
        return redirect("registry:learnt")
    latest = history[0] if history else None
    context = {"latest": latest, "history": history[1:]}
    if latest:
        pairs = latest.match_share * latest.records * (latest.records - 1) / 2
        context.update(
            rows=_learnt_rows(latest.parameters),
            duplicate_pairs=round(pairs),
            duplicate_records=min(100.0, 100 * 2 * pairs / max(latest.records, 1)),
        )
    return render(request, "registry/learnt.html", context)


@login_required
def queue(request):
    actor = request.actor
    access.require(actor, "registry.review")
    status = request.GET.get("status", "")
    page = Paginator(selectors.queue(actor, status=status), 25).get_page(request.GET.get("page"))
    rows = [
        {"pair": p, "a": selectors.side(actor, p.child_a), "b": selectors.side(actor, p.child_b)}
        for p in page
    ]
    return render(
        request,
        "registry/queue.html",
        {"page": page, "rows": rows, "status": status, "statuses": PairStatus.choices},
    )


@login_required
def pair_detail(request, uuid):
    actor = request.actor
    pair = selectors.get_pair(actor, uuid)
    a, b = selectors.side(actor, pair.child_a), selectors.side(actor, pair.child_b)
    merge = selectors.active_merge(pair)
    both_visible = a["full"] and b["full"]
    choices = []
    if both_visible and pair.status in (PairStatus.OPEN, PairStatus.AWAITING_OTHER):
        defaults = services.default_choices(pair.child_a, pair.child_b)
        for name in MERGE_FIELDS:
            left, right = (
                services.field_display(pair.child_a, name),
                services.field_display(pair.child_b, name),
            )
            if left != right:
                choices.append(
                    {
                        "name": name,
                        "label": services.field_label(name),
                        "survivor": left,
                        "absorbed": right,
                        "default": defaults[name],
                    }
                )
    if both_visible:
        audit.record_read(actor=actor, obj=pair.child_a, note=gettext_noop("registry review"))
        audit.record_read(actor=actor, obj=pair.child_b, note=gettext_noop("registry review"))
    return render(
        request,
        "registry/pair.html",
        {
            "pair": pair,
            "a": a,
            "b": b,
            "levels": comparison_rows(selectors.explain_pair(pair)),
            "merge": merge,
            "choices": choices,
            "agreed": list(pair.agreed_by.values_list("name", flat=True)),
            "mine_agreed": pair.agreed_by.filter(pk=actor.organisation_id).exists(),
            "open": pair.status in (PairStatus.OPEN, PairStatus.AWAITING_OTHER),
        },
    )


@login_required
@require_POST
def pair_decide(request, uuid):
    actor = request.actor
    pair = selectors.get_pair(actor, uuid)
    decision = request.POST.get("decision")
    try:
        if decision == "dismiss":
            services.dismiss_pair(actor=actor, pair=pair)
            messages.success(request, _("The pair is dismissed: it will not be proposed again."))
        elif decision == "confirm":
            picks = {
                name: request.POST[f"choice_{name}"]
                for name in MERGE_FIELDS
                if f"choice_{name}" in request.POST
            }
            merge = services.confirm_pair(actor=actor, pair=pair, choices=picks)
            if merge is None:
                messages.success(
                    request, _("Your agreement is recorded; the other organisation must agree too.")
                )
            else:
                messages.success(request, _("The two records are merged into one child."))
        elif decision == "unmerge":
            merge = selectors.active_merge(pair)
            if merge is None:
                raise ValidationError({"merge": [_("This pair is not merged.")]})
            services.unmerge(actor=actor, merge=merge)
            messages.success(request, _("The merge is undone: both children are restored."))
        else:
            raise ValidationError({"decision": [_("Unknown decision.")]})
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("registry:pair", uuid=pair.uuid)
