"""The due-diligence report as a spreadsheet (XlsxWriter) and as a PDF (WeasyPrint), in the reader's language."""

from __future__ import annotations

import io

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from weasyprint import HTML

from kinga.core import spreadsheets
from kinga.supply.report import DueDiligenceReport, flag_label
from kinga.supply.selectors_partners import PartnersSection


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
    if report.partners is not None:
        _partners_sheets(book, report.partners, bold)
    book.close()
    return buffer.getvalue()


def _write_rows(sheet, headers: list[str], rows, bold, widths: dict[int, int]) -> None:
    """A sheet of one header row and its lines (dates, amounts and blanks typed by the spreadsheet writer)."""
    sheet.write_row(0, 0, headers, bold)
    n = 0
    for n, row in enumerate(rows, start=1):
        sheet.write_row(n, 0, row)
    for col, width in widths.items():
        sheet.set_column(col, col, width)
    sheet.autofilter(0, 0, max(n, 1), len(headers) - 1)


def _partners_sheets(book, partners: PartnersSection, bold) -> None:
    """The agreements with child-labour clauses, their visits and breaches in the period, and the commitments of
    the cahier des charges: what the page and the PDF show, one line per record (counts of children only)."""
    _write_rows(
        book.add_worksheet(_("Agreements")[:31]),
        [
            _("Agreement"),
            _("Cooperative"),
            _("Status"),
            _("Signed on"),
            _("In force from"),
            _("Until"),
            _("Clauses"),
            _("Other clauses (the parties' words)"),
            _("Visits in the period"),
            _("Last visit"),
            _("Children found at work"),
            _("Breaches in the period"),
            _("Breaches still open"),
        ],
        (
            [
                row.agreement.reference,
                row.agreement.cooperative.name if row.agreement.cooperative else "",
                str(row.agreement.get_status_display()),
                row.agreement.signed_on,
                row.agreement.starts_on,
                row.agreement.ends_on,
                " ; ".join(row.agreement.clause_labels()),
                row.agreement.other_clauses,
                row.visits,
                row.last_visit,
                row.children_found,
                row.breaches,
                row.open_breaches,
            ]
            for row in partners.agreements
        ),
        bold,
        {0: 20, 1: 30, 6: 80, 7: 50},
    )
    _write_rows(
        book.add_worksheet(_("Verification visits")[:31]),
        [
            _("Date"),
            _("Agreement"),
            _("Site visited"),
            _("Visiting organisation"),
            _("Finding"),
            _("Children found at work"),
            _("What was seen"),
        ],
        (
            [
                v.date,
                v.agreement.reference,
                v.site.name if v.site else "",
                v.visited_by.name,
                str(v.get_finding_display()),
                v.children_found,
                v.notes,
            ]
            for v in (partners.visits if partners.visits is not None else [])
        ),
        bold,
        {1: 20, 2: 25, 3: 30, 4: 20, 6: 60},
    )
    _write_rows(
        book.add_worksheet(_("Breaches")[:31]),
        [
            _("Noticed on"),
            _("Agreement"),
            _("Clause breached"),
            _("What happened"),
            _("Children involved"),
            _("What followed"),
            _("On"),
            _("Resolved on"),
        ],
        (
            [
                b.noticed_on,
                b.agreement.reference,
                str(b.get_clause_display()) if b.clause else "",
                b.description,
                b.children_involved,
                str(b.get_response_display()),
                b.response_on,
                b.resolved_on,
            ]
            for b in partners.breaches
        ),
        bold,
        {1: 20, 2: 40, 3: 60, 5: 30},
    )
    _write_rows(
        book.add_worksheet(pgettext("spreadsheet", "Commitments")[:31]),
        [
            _("Commitment"),
            _("Theme"),
            _("Place"),
            _("How it bears on child protection"),
            _("Amount (USD)"),
            _("Deadline"),
            _("Status"),
            _("Late"),
            _("Done on"),
            _("Evidence"),
        ],
        (
            [
                c.commitment,
                str(c.get_theme_display()),
                c.place.name if c.place else "",
                c.child_protection,
                c.amount_usd,
                c.deadline,
                str(c.get_status_display()),
                _("Yes") if getattr(c, "late", False) else _("No"),
                c.done_on,
                _evidence(c),
            ]
            for c in partners.commitments
        ),
        bold,
        {0: 50, 1: 25, 2: 20, 3: 60, 9: 50},
    )


def _evidence(commitment) -> str:
    # The file itself stays behind the access check of the page: the sheet says there is one.
    if commitment.evidence:
        note = f" — {commitment.evidence_note}" if commitment.evidence_note else ""
        return _("File attached on Kinga") + note
    return commitment.evidence_note


def to_pdf(report: DueDiligenceReport, context: dict) -> bytes:
    html = render_to_string("supply/due_diligence_print.html", {**context, "report": report})
    return HTML(string=html).write_pdf()
