"""The timeline of an axis as server-drawn SVG: one bar per activity (planned), its progress, today's line."""

from __future__ import annotations

import datetime
from xml.sax.saxutils import escape

from kinga.plan.selectors import AxisRow, add_months

ROW_H, LABEL_W, WIDTH, TOP = 22, 260, 900, 28


def render_svg(axis_row: AxisRow, *, start: datetime.date, today: datetime.date) -> str:
    rows = [(a, r) for a in axis_row.actions for r in a.activities]
    ends = [r.planned_end for _a, r in rows if r.planned_end] + [today]
    end = max([*ends, add_months(start, 36)])
    span = max((end - start).days, 1)
    chart_w = WIDTH - LABEL_W - 10

    def x(day: datetime.date) -> float:
        return LABEL_W + max(0, min((day - start).days, span)) / span * chart_w

    height = TOP + ROW_H * len(rows) + 10
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'class="gantt" aria-label="{escape(axis_row.axis.title, {chr(34): "&quot;"})}">'
    ]
    year = start.year
    while datetime.date(year, 1, 1) <= end:
        day = max(datetime.date(year, 1, 1), start)
        out.append(f'<line x1="{x(day):.1f}" y1="{TOP - 6}" x2="{x(day):.1f}" y2="{height}" stroke="#ccc"/>')
        out.append(f'<text x="{x(day) + 2:.1f}" y="{TOP - 10}" font-size="11">{year}</text>')
        year += 1
    for i, (action_row, row) in enumerate(rows):
        y = TOP + i * ROW_H
        label = f"{action_row.action.number_label}.{row.activity.position} {row.activity.title}"
        short = label if len(label) <= 40 else label[:39] + "…"
        out.append(
            f'<text x="4" y="{y + 15}" font-size="11"><title>{escape(label)}</title>{escape(short)}</text>'
        )
        if row.planned_start and row.planned_end:
            x0, x1 = x(row.planned_start), x(row.planned_end)
            colour = "#c0392b" if row.delayed else "#2e7d5b"
            out.append(
                f'<rect x="{x0:.1f}" y="{y + 4}" width="{max(x1 - x0, 2):.1f}" height="{ROW_H - 8}" '
                f'fill="#dfe9e4" stroke="{colour}"><title>{row.planned_start} → {row.planned_end}</title></rect>'
            )
            done = (x1 - x0) * row.activity.percent_done / 100
            out.append(
                f'<rect x="{x0:.1f}" y="{y + 8}" width="{done:.1f}" height="{ROW_H - 16}" fill="{colour}"/>'
            )
        if row.activity.actual_start:
            x2 = x(row.activity.actual_start)
            out.append(f'<circle cx="{x2:.1f}" cy="{y + ROW_H / 2}" r="3" fill="#1f4e79"/>')
    out.append(
        f'<line x1="{x(today):.1f}" y1="{TOP - 6}" x2="{x(today):.1f}" y2="{height}" stroke="#c0392b" '
        'stroke-dasharray="4 3"/>'
    )
    out.append("</svg>")
    return "".join(out)
