"""Programme and cooperative pages: lists, creation, a programme's comparison of trajectories, members."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kinga.core import access, charts, search
from kinga.core.forms import form_page
from kinga.households import outcomes, selectors, services
from kinga.households.forms import (
    CooperativeForm,
    CooperativeMemberForm,
    NetworkForm,
    ProgrammeForm,
)
from kinga.households.models import (
    Cooperative,
    CooperativeNetwork,
    Programme,
    ProgrammeKind,
)
from kinga.households.views import COUNTS, IDENTITY, round_value


@login_required
def programmes(request):
    actor = request.actor
    kind = request.GET.get("kind", "")
    page = Paginator(selectors.programmes(actor, kind=kind), 30).get_page(request.GET.get("page"))
    return render(
        request, "households/programmes.html", {"page": page, "kind": kind, "kinds": ProgrammeKind.choices}
    )


@login_required
def programme_add(request):
    actor = request.actor
    access.require(actor, "households.manage_programmes")
    form = ProgrammeForm(request.POST or None)
    return form_page(
        request,
        form,
        title=_("New programme"),
        save=lambda data: services.create_programme(actor=actor, **data),
        success=_("Programme created."),
        done=lambda programme: redirect("households:programme", programme_uuid=programme.uuid),
    )


@login_required
def programme_detail(request, programme_uuid):
    """Enrolled households' trajectories against the other surveyed households (aggregates only)."""
    actor = request.actor
    programme = access.get_object_or_404(actor, Programme, perm=COUNTS, uuid=programme_uuid)
    comparison = outcomes.programme_comparison(actor, programme)
    labels = [r.name for r in comparison.rounds]
    charts_ = []
    if not comparison.suppressed:
        for key, title in (
            ("income_pp", _("Income per person (USD a month)")),
            ("hunger", _("Hunger scale (mean, 0–6)")),
            ("mine", _("Households with a child at a mine (%)")),
            ("out_of_school", _("Households with a child out of school (%)")),
        ):
            charts_.append(
                charts.line_chart(
                    title,
                    labels,
                    [
                        charts.Series(
                            _("Enrolled"),
                            [round_value(comparison.enrolled, r.number, key) for r in comparison.rounds],
                        ),
                        charts.Series(
                            _("Not enrolled"),
                            [round_value(comparison.others, r.number, key) for r in comparison.rounds],
                        ),
                    ],
                )
            )
    return render(
        request,
        "households/programme.html",
        {"programme": programme, "comparison": comparison, "charts": charts_, "min_cell": outcomes.MIN_CELL},
    )


# --- cooperatives ---------------------------------------------------------------------------------


@login_required
def cooperatives(request):
    actor = request.actor
    q = request.GET.get("q", "").strip()
    qs = selectors.cooperatives(actor, q=q, with_counts=True)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    networks = access.scoped(actor, CooperativeNetwork, perm=COUNTS).order_by("name")
    return render(request, "households/cooperatives.html", {"page": page, "q": q, "networks": networks})


@login_required
def cooperative_add(request):
    actor = request.actor
    access.require(actor, "households.manage_cooperatives")
    networks = access.scoped(actor, CooperativeNetwork, perm=COUNTS)
    form = CooperativeForm(request.POST or None, networks=networks)
    return form_page(
        request,
        form,
        title=_("New cooperative"),
        save=lambda data: services.create_cooperative(actor=actor, **data),
        success=_("Cooperative created."),
        done=lambda cooperative: redirect("households:cooperative", cooperative_uuid=cooperative.uuid),
    )


@login_required
def network_add(request):
    actor = request.actor
    access.require(actor, "households.manage_cooperatives")
    form = NetworkForm(request.POST or None)
    return form_page(
        request,
        form,
        title=_("New network of cooperatives"),
        save=lambda data: services.create_network(actor=actor, **data),
        success=_("Network created."),
        done=lambda network: redirect("households:cooperatives"),
    )


@login_required
def cooperative_detail(request, cooperative_uuid):
    actor = request.actor
    cooperative = access.get_object_or_404(actor, Cooperative, perm=COUNTS, uuid=cooperative_uuid)
    members = None
    data = search.params(request)  # a name search is posted: names stay out of URLs and access logs
    q = data.get("q", "").strip()
    if actor.has(IDENTITY):
        members = Paginator(selectors.cooperative_members(actor, cooperative, q=q), 50).get_page(
            data.get("page")
        )
    summary = selectors.cooperative_summary(cooperative)
    context = {
        "cooperative": cooperative,
        "members": members,
        "summary": summary,
        "q": q,
        "search_fields": search.pager_fields(data),
    }
    return render(request, "households/cooperative.html", context)


@login_required
def cooperative_member_add(request, cooperative_uuid):
    actor = request.actor
    access.require(actor, "households.edit")
    cooperative = access.get_object_or_404(actor, Cooperative, perm=COUNTS, uuid=cooperative_uuid)
    if not selectors.can_keep_members(actor, cooperative):
        raise PermissionDenied(
            _("Only the cooperative and its supporting organisation keep its member list.")
        )
    form = CooperativeMemberForm(request.POST or None)
    return form_page(
        request,
        form,
        title=_("Add a cooperative member"),
        save=lambda data: services.add_cooperative_member(actor=actor, cooperative=cooperative, **data),
        success=_("Member added."),
        done=lambda member: redirect("households:cooperative", cooperative_uuid=cooperative.uuid),
    )
