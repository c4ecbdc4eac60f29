"""The buyer's due-diligence report: a page, a PDF and a spreadsheet of the same figures (counts only)."""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from kinga.core import access, audit, clock
from kinga.core.models import Organisation
from kinga.supply import exports, selectors
from kinga.supply.forms import ReportForm
from kinga.supply.report import due_diligence as build_report
from kinga.supply.report import flag_label

# The page shows this many sites and flagged lots (the flagged sites first); the PDF and the spreadsheet, all.
# A buyer at national scale has hundreds of supplying sites: every row on a phone made a page of 400 KB.
PAGE_ROWS = 50


def _site_rows(sites):
    return [(row, [flag_label(f) for f in row.flags]) for row in sites]


def _page_site_rows(report):
    return _site_rows(sorted(report.sites, key=lambda row: (not row.flags, -row.lots))[:PAGE_ROWS])


@login_required
def due_diligence(request):
    actor = request.actor
    access.require(actor, "supply.report")
    buyers = selectors.buyers(actor)
    today = clock.today()
    data = request.GET.copy()
    data.setdefault("start", datetime.date(today.year, 1, 1).isoformat())
    data.setdefault("end", today.isoformat())
    if data.get("buyer"):
        # Another company's report is not "forbidden", it does not exist for this reader.
        buyer = access.get_object_or_404(
            actor, Organisation, perm="supply.report", queryset=buyers, uuid=data["buyer"]
        )
        data["buyer"] = buyer.pk
    elif buyers.count() == 1:
        data["buyer"] = buyers.first().pk
    else:
        # Nothing chosen yet: the company that bought last, not a form in error.
        default = selectors.latest_buyer(actor, end=today)
        if default is not None:
            data["buyer"] = default.pk
    form = ReportForm(data, buyers=buyers)
    report = None
    if form.is_valid():
        report = build_report(
            actor,
            buyer=form.cleaned_data["buyer"],
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
        )
    fmt = request.GET.get("format", "")
    if report is not None:
        # A buyer's supply is disclosed on the page as much as in a file: every reading is in the audit trail.
        filters = {
            "buyer": str(report.buyer.uuid),
            "start": report.start,
            "end": report.end,
            "format": fmt or "page",
        }
        audit.record_export(
            actor=actor, what="supply.due_diligence", rows=report.totals["lots"], filters=filters
        )
    if report is not None and fmt in ("pdf", "xlsx"):
        name = (
            f"diligence-{report.buyer.acronym or report.buyer.pk}-{report.start:%Y%m%d}-{report.end:%Y%m%d}"
        )
        if fmt == "xlsx":
            response = HttpResponse(
                exports.to_xlsx(report),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        else:
            context = {
                "site_rows": _site_rows(report.sites),
                "sites_total": len(report.sites),
                "flagged_lots": [(lot, flag_label(lot.flag)) for lot in report.flagged_lots],
                "flag_label": flag_label,
            }
            response = HttpResponse(exports.to_pdf(report, context), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
        return response
    context = {
        "form": form,
        "report": report,
        "site_rows": _page_site_rows(report) if report else [],
        "sites_total": len(report.sites) if report else 0,
        "flagged_lots": [(lot, flag_label(lot.flag)) for lot in report.flagged_lots[:PAGE_ROWS]]
        if report
        else [],
        "query": request.GET.urlencode() if report else "",
        "title": _("Due-diligence report"),
    }
    return render(request, "supply/due_diligence.html", context, status=400 if form.errors else 200)
