"""The timeline of an axis as server-drawn SVG: one bar per activity (planned), its progress, today's line.

On a phone the wide chart is unreadable micro-text, so the page also gets `phone_rows`: the same activities as a
list, each with its own small bar on the same time scale (drawn here too, no JavaScript)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe

from kinga.core.clock import day_text
from kinga.plan.selectors import AxisRow, add_months

ROW_H, LABEL_W, WIDTH, TOP = 22, 260, 900, 28


def _end(axis_row: AxisRow, *, start: datetime.date, today: datetime.date) -> datetime.date:
    ends = [r.planned_end for a in axis_row.actions for r in a.activities if r.planned_end] + [today]
    return max([*ends, add_months(start, 36)])


@dataclass
class PhoneRow:
    label: str
    planned_start: datetime.date | None
    planned_end: datetime.date | None
    percent_done: int
    delayed: bool
    bar: SafeString  # a small SVG: the planned period, the share done, today's line


def phone_rows(axis_row: AxisRow, *, start: datetime.date, today: datetime.date) -> list[PhoneRow]:
    """One entry per activity, its bar on the whole axis' time scale (0 to 100 across the phone's width)."""
    end = _end(axis_row, start=start, today=today)
    span = max((end - start).days, 1)

    def x(day: datetime.date) -> float:
        return max(0, min((day - start).days, span)) / span * 100

    out = []
    for action_row in axis_row.actions:
        for row in action_row.activities:
            parts = [
                '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 12" preserveAspectRatio="none" '
                'class="gantt-bar" aria-hidden="true" focusable="false">',
                '<rect x="0" y="0" width="100" height="12" fill="#f1f3f5"/>',
            ]
            if row.planned_start and row.planned_end:
                x0, x1 = x(row.planned_start), x(row.planned_end)
                colour = "#c0392b" if row.delayed else "#2e7d5b"
                width = max(x1 - x0, 0.8)
                parts.append(
                    f'<rect x="{x0:.2f}" y="1" width="{width:.2f}" height="10" fill="#dfe9e4" stroke="{colour}" '
                    'stroke-width="1" vector-effect="non-scaling-stroke"/>'
                )
                done = width * row.activity.percent_done / 100
                parts.append(f'<rect x="{x0:.2f}" y="3" width="{done:.2f}" height="6" fill="{colour}"/>')
            parts.append(
                f'<line x1="{x(today):.2f}" y1="0" x2="{x(today):.2f}" y2="12" stroke="#c0392b" '
                'stroke-dasharray="2 2" vector-effect="non-scaling-stroke"/></svg>'
            )
            out.append(
                PhoneRow(
                    label=f"{action_row.action.number_label}.{row.activity.position} {row.activity.title}",
                    planned_start=row.planned_start,
                    planned_end=row.planned_end,
                    percent_done=row.activity.percent_done,
                    delayed=row.delayed,
                    bar=mark_safe("".join(parts)),  # numbers and fixed strings only
                )
            )
    return out


def render_svg(axis_row: AxisRow, *, start: datetime.date, today: datetime.date) -> str:
    rows = [(a, r) for a in axis_row.actions for r in a.activities]
    end = _end(axis_row, start=start, today=today)
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
                f'fill="#dfe9e4" stroke="{colour}"><title>{day_text(row.planned_start)} → {day_text(row.planned_end)}</title></rect>'
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
