"""The due-diligence report as a spreadsheet (XlsxWriter) and as a PDF (WeasyPrint), in the reader's language."""

from __future__ import annotations

import io

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from weasyprint import HTML

from kinga.core import spreadsheets
from kinga.supply.report import DueDiligenceReport, flag_label


def _status_label(code: str) -> str:
    return {
        "green": _("Green"),
        "yellow": _("Yellow"),
        "red": _("Red"),
        "blue": _("Not inspected"),
        "expired": _("Expired"),
        "none": _("Not decided"),
        "": _("Not decided"),
    }.get(code, code)


def to_xlsx(report: DueDiligenceReport) -> bytes:
    buffer = io.BytesIO()
    book = spreadsheets.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True})
    date = book.add_format({"num_format": "yyyy-mm-dd"})

    summary = book.add_worksheet(_("Summary")[:31])
    lines = [
        (_("Due-diligence report"), ""),
        (_("Buyer company"), report.buyer.name),
        (_("Period"), f"{report.start:%Y-%m-%d} – {report.end:%Y-%m-%d}"),
        (_("Sites watched until"), f"{report.watch_until:%Y-%m-%d}"),
        (_("Lots"), report.totals["lots"]),
        (_("Weight (kg)"), float(report.totals["weight_kg"])),
        (flag_label("red_at_time"), report.totals["red_at_time"]),
        (flag_label("turned_red_after"), report.totals["turned_red_after"]),
        (flag_label("not_authorised"), report.totals["not_authorised"]),
        (_("Children identified (children's cases)"), report.totals["children_identified"]),
        (_("Children's cases opened"), report.totals["cases_opened"]),
        (_("Children remediated (latest follow-up: out of the mine)"), report.totals["children_remediated"]),
        (_("Children observed during inspections"), report.totals["children_observed"]),
        (_("Open corrective actions"), report.totals["open_actions"]),
        (_("Generated on"), f"{report.generated_at:%Y-%m-%d %H:%M} UTC"),
        (_("Counts only: no child is identified in this report."), ""),
    ]
    for i, (label, value) in enumerate(lines):
        summary.write(i, 0, label, bold if i == 0 else None)
        summary.write(i, 1, value)
    summary.set_column(0, 0, 55)
    summary.set_column(1, 1, 40)

    sites = book.add_worksheet(_("Sites")[:31])
    headers = [
        _("Site"),
        _("Code"),
        _("Lots"),
        _("Weight (kg)"),
        _("Green at authorisation"),
        _("Yellow at authorisation"),
        _("Red at authorisation"),
        _("Not decided"),
        _("Not authorised"),
        _("Turned red after a lot"),
        _("Turned red on"),
        _("Children identified"),
        _("Children's cases opened"),
        _("Children remediated"),
        _("Children observed"),
        _("Open corrective actions"),
        _("Overdue corrective actions"),
        _("Red flags"),
    ]
    sites.write_row(0, 0, headers, bold)
    for i, row in enumerate(report.sites, start=1):
        sites.write_row(
            i,
            0,
            [
                row.name,
                row.code,
                row.lots,
                float(row.weight_kg),
                row.by_snapshot.get("green", 0),
                row.by_snapshot.get("yellow", 0),
                row.red_at_time,
                row.by_snapshot.get("none", 0),
                row.not_authorised,
                row.turned_red_after,
                ", ".join(d.isoformat() for d in row.red_onsets),
                row.children_identified,
                row.cases_opened,
                row.children_remediated,
                row.children_observed,
                row.open_actions,
                row.overdue_actions,
                "; ".join(flag_label(f) for f in row.flags),
            ],
        )
    sites.set_column(0, 0, 30)
    sites.set_column(17, 17, 60)
    sites.autofilter(0, 0, max(len(report.sites), 1), len(headers) - 1)

    flagged = book.add_worksheet(_("Flagged lots")[:31])
    flagged.write_row(
        0,
        0,
        [
            _("Lot"),
            _("Date"),
            _("Site"),
            _("Mineral"),
            _("Weight (kg)"),
            _("Site at authorisation"),
            _("Red flag"),
            _("Turned red on"),
        ],
        bold,
    )
    for i, lot in enumerate(report.flagged_lots, start=1):
        flagged.write(i, 0, lot.reference)
        flagged.write(i, 1, lot.date, date)
        flagged.write(i, 2, lot.site)
        flagged.write(i, 3, lot.mineral)
        flagged.write(i, 4, float(lot.weight_kg))
        flagged.write(i, 5, _status_label(lot.site_status))
        flagged.write(i, 6, flag_label(lot.flag))
        flagged.write(i, 7, lot.red_on.isoformat() if lot.red_on else "")
    flagged.set_column(0, 0, 24)
    flagged.set_column(6, 6, 50)
    book.close()
    return buffer.getvalue()


def to_pdf(report: DueDiligenceReport, context: dict) -> bytes:
    html = render_to_string("supply/due_diligence_print.html", {**context, "report": report})
    return HTML(string=html).write_pdf()
