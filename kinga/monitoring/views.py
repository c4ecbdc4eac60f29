"""The province dashboard page: parse the period and the territory, one selector call, charts, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from kinga.core import access, charts, periods
from kinga.core.forms import form_page
from kinga.core.plugins import HomeCount, HomeLink, HomePanel
from kinga.monitoring import charts as monitoring_charts
from kinga.monitoring import reports as report_builder
from kinga.monitoring import selectors, services
from kinga.monitoring.forms import PruneForm, ReportForm
from kinga.sites.models import Status

STATUS_ORDER = monitoring_charts.STATUS_ORDER


def _parse(actor, data) -> tuple[periods.Period, object, dict]:
    """The period and the territory asked; a bad value falls back to the default with its message."""
    errors = {}
    try:
        period = periods.parse(data.get("period"))
    except ValidationError as error:
        errors["period"] = error.messages[0]
        period = periods.parse("")
    try:
        territory = selectors.territory_by_pcode(actor, data.get("territory", ""))
    except ValidationError as error:
        errors["territory"] = error.messages[0]
        territory = None
    return period, territory, errors


@login_required
def dashboard(request):
    actor = request.actor
    access.require(actor, selectors.PERMISSION)
    period, territory, errors = _parse(actor, request.GET)
    board = selectors.dashboard(actor, period=period, territory=territory)
    sites_query = urlencode({"territory": territory.uuid}) if territory is not None else ""
    # The plan's indicator pages take the same period, and the territory as ?territoire=.
    plan_query = urlencode({"period": period.iso, **({"territoire": territory.pcode} if territory else {})})
    context = {
        "board": board,
        "charts": monitoring_charts.dashboard_charts(board),
        "errors": errors,
        "period_value": request.GET.get("period", "") if "period" not in errors else "",
        "territories": selectors.territories(actor),
        "territory_value": territory.pcode if territory is not None else "",
        "plan_query": plan_query,
        "sites_map": reverse("sites:map") + (f"?{sites_query}" if sites_query else ""),
        "sites_list": reverse("sites:list") + (f"?{sites_query}" if sites_query else ""),
        "statuses": [(s, dict(Status.choices)[s], board.sites_now.get(s, 0)) for s in STATUS_ORDER],
        "status_colours": charts.STATUS_COLOURS,
        "suggested_periods": _suggested_periods(period),
        "on_track": selectors.ON_TRACK,
        "behind": selectors.BEHIND,
        "light_counts": [(k, label, board.lights.get(k, 0)) for k, label in selectors.LIGHT_LABELS.items()],
    }
    return render(request, "monitoring/dashboard.html", context, status=400 if errors else 200)


def _suggested_periods(chosen: periods.Period) -> list[tuple[str, str]]:
    """The choices of the period list: this month, this quarter and the three before, this year and last,
    the plan to date; and the period shown, when it was written in the address (2024Q1)."""
    current = periods.parse("", default=periods.QUARTER)
    choices = [periods.parse("", default=periods.MONTH)]
    choices += list(reversed(periods.series(current, 4)))
    year = periods.parse("", default=periods.YEAR)
    choices += [p for p in reversed(periods.series(year, 2))]
    choices.append(periods.plan_to_date())
    if all(p.iso != chosen.iso for p in choices):
        choices.insert(0, chosen)
    return [(p.iso, p.label) for p in choices]


def _count_label(figure: selectors.Figure, n: int) -> str:
    """A headline figure's noun after its count, singular or plural as the count asks ("1 alerte reçue")."""
    nouns = {
        "children_in_care": lambda: ngettext("child in care", "children in care", n),
        "children_exited": lambda: ngettext("child out of the mines", "children out of the mines", n),
        "children_relapsed": lambda: ngettext("child found working again", "children found working again", n),
        "alerts_received": lambda: ngettext("alert received", "alerts received", n),
    }
    return nouns[figure.key]() if figure.key in nouns else figure.label


def home_panel(actor) -> HomePanel | None:
    """The coordinator's and the viewer's home: the quarter's headline figures, and the way to the dashboard."""
    if not actor.has(selectors.PERMISSION):
        return None
    url = reverse("monitoring:dashboard")
    figures = selectors.headline(actor)
    return HomePanel(
        title=_("The province this quarter"),
        counts=[
            HomeCount(label=_count_label(f, int(f.value)), value=int(f.value), url=f"{url}#{f.section}")
            for f in figures
            if f.value is not None
        ],
        empty_text=_("No figure to show yet: they appear as cases and alerts are recorded."),
        action=HomeLink(_("Open the province dashboard"), url),
    )


# --- the plan's reports ---------------------------------------------------------------------------------------


@login_required
def reports(request):
    """The reports of the plan with their progress (htmx refreshes the rows while one is being built)."""
    actor = request.actor
    access.require(actor, selectors.REPORTS_PERMISSION)
    rows = list(selectors.reports(actor)[:50])
    for row in rows:
        row.step_text = report_builder.step_label(report_builder.next_step(row.step or "start"))
        row.period_label = periods.parse(row.period).label
    context = {
        "reports": rows,
        "building": any(r.status in ("queued", "running") for r in rows),
        "can_prune": actor.has(services.PRUNE_PERMISSION),
    }
    template = "monitoring/reports.html#report-rows" if request.htmx else "monitoring/reports.html"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def report_request(request):
    actor = request.actor
    access.require(actor, selectors.REPORTS_PERMISSION)
    return form_page(
        request,
        ReportForm(request.POST or None, territories=selectors.territories(actor)),
        title=_("Request a report of the plan"),
        intro=_(
            "The report is built in the background: follow its progress on the list of reports, then download it."
        ),
        save=lambda data: services.request_report(actor=actor, **data),
        success=_("Report requested."),
        done=lambda report: reverse("monitoring:reports"),
        back=(reverse("monitoring:reports"), _("Reports of the plan")),
        submit_label=_("Request the report"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_prune(request):
    """The administrator deletes old reports; the newest of each period (and territory) is always kept."""
    actor = request.actor
    access.require(actor, services.PRUNE_PERMISSION)
    return form_page(
        request,
        PruneForm(request.POST or None),
        title=_("Delete old reports"),
        intro=_(
            "The newest report of each period (and of each territory) is always kept, as are the reports being "
            "built. Each deletion is recorded in the audit log."
        ),
        save=lambda data: services.prune_reports(actor=actor, older_than_days=data["older_than"]),
        success=lambda deleted: (
            ngettext("%(n)d report deleted.", "%(n)d reports deleted.", deleted) % {"n": deleted}
        ),
        done=lambda deleted: reverse("monitoring:reports"),
        back=(reverse("monitoring:reports"), _("Reports of the plan")),
        submit_label=_("Delete"),
    )


@login_required
def report_download(request, uuid):
    """The report's file: an export, in the audit log; 404 while it is not ready."""
    actor = request.actor
    report = selectors.downloadable(actor, uuid)
    services.record_download(actor=actor, report=report)
    content_type = (
        "application/pdf"
        if report.format == "pdf"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response = HttpResponse(bytes(report.content), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{report.filename}"'
    return response
