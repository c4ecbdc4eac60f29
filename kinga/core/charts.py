"""Charts drawn on the server as SVG: no JavaScript, the same markup for a page, a PDF and a 360 px phone.

    chart = charts.bar_chart(_("Sites by status"), ["T1 2026", "T2 2026"], [charts.Series(_("Red"), [3, 4])])
    {% include "core/chart.html" with chart=chart %}   → the figure, then its numbers as a table

Every chart is a `Chart`: `svg` (safe markup, sized by its viewBox so it scales to any width) and the same
figures as `columns` and `rows` for the table that follows it (screen readers, copying, export). Labels are
escaped; numbers are written in the active language's format (French: 1 234,5).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Colour-blind-safe defaults (Okabe–Ito); status colours for green/yellow/red/grey series.
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000")
STATUS_COLOURS = {
    "green": "#2e7d32",
    "yellow": "#f2b705",
    "red": "#c62828",
    "blue": "#1f5fae",
    "expired": "#6d6d6d",
    "grey": "#9e9e9e",
}

WIDTH = 360  # the viewBox width: the chart is drawn for a phone and scales up (its display width is capped)
FONT = 13  # in viewBox units: about 12 px on a 360 px phone, where the chart is a little narrower than 360
CHAR_W = 0.56  # average glyph width of a sans-serif font, as a share of the font size
LINE_H = 15

Number = int | float | Decimal


@dataclass(frozen=True)
class Series:
    label: str
    values: list[Number | None]
    colour: str = ""


@dataclass
class Chart:
    title: str
    svg: SafeString
    columns: list[str] = field(default_factory=list)  # first column: the category
    rows: list[list[str]] = field(default_factory=list)  # formatted cells, first one the category
    unit: str = ""

    def __str__(self) -> str:
        return self.svg

    def __html__(self) -> str:
        return self.svg


def number(value: Number | None, decimals: int = 0) -> str:
    """A number in the active language's format with thousands grouped ("1 234" in French); "—" for None."""
    if value is None:
        return "—"
    if decimals == 0:
        value = round(value)
    return formats.number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def _decimals(values: list[Number | None]) -> int:
    return 1 if any(v is not None and float(v) != int(float(v)) for v in values) else 0


def _table(categories: list[str], series: list[Series], unit: str) -> tuple[list[str], list[list[str]]]:
    decimals = _decimals([v for s in series for v in s.values])
    rows = []
    for i, category in enumerate(categories):
        cells = [str(category)]
        for s in series:
            v = s.values[i] if i < len(s.values) else None
            cells.append(number(v, decimals))
        rows.append(cells)
    return [""] + [str(s.label) for s in series], rows


def _colour(series: Series, n: int) -> str:
    return series.colour or PALETTE[n % len(PALETTE)]


def _short(text: str, length: int) -> str:
    text = str(text)
    return text if len(text) <= length else text[: length - 1] + "…"


def _text_width(text: str, size: float = FONT) -> float:
    return len(str(text)) * size * CHAR_W


def _wrap(text: str, chars: int, max_lines: int = 3) -> list[str]:
    """A label cut into lines of at most `chars` characters at spaces and after hyphens (a word longer than a
    line is cut), at most `max_lines` lines, the last one shortened with "…" only if the label is longer than
    all of them: a label is never clipped by the edge of the figure."""
    chars = max(4, int(chars))
    lines: list[str] = []
    for word in str(text).split():
        for n, piece in enumerate(re.split(r"(?<=-)(?=.)", word)):
            glue = "" if n else " "  # the pieces of a hyphenated word join without a space
            while len(piece) > chars:
                if lines and len(lines[-1]) + len(glue) < chars:
                    room = chars - len(lines[-1]) - len(glue)
                    lines[-1], piece = f"{lines[-1]}{glue}{piece[:room]}", piece[room:]
                else:
                    lines.append(piece[:chars])
                    piece = piece[chars:]
                glue = ""
            if lines and len(lines[-1]) + len(glue) + len(piece) <= chars:
                lines[-1] = f"{lines[-1]}{glue}{piece}"
            elif piece:
                lines.append(piece)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], _short(" ".join(lines[max_lines - 1 :]), chars)]
    return lines or [""]


def _text(
    x: float, y: float, lines: list[str], *, size: float = FONT, anchor: str = "start", extra: str = ""
) -> str:
    """Multi-line SVG text: the first line's baseline at y, the next ones below it."""
    spans = "".join(
        f'<tspan x="{x:.1f}" dy="{0 if i == 0 else LINE_H}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"{extra}>{spans}</text>'


def _legend(series: list[Series], y: float) -> tuple[list[str], float]:
    """Legend items laid out in rows across the width; returns the parts and the height used."""
    parts, x, row_y, row_lines = [], 4.0, y, 1
    for n, s in enumerate(series):
        lines = _wrap(s.label, (WIDTH - 26) / (FONT * CHAR_W), max_lines=2)
        item_w = 18 + max(_text_width(line) for line in lines)
        if x + item_w > WIDTH and x > 4:
            x, row_y, row_lines = 4.0, row_y + row_lines * LINE_H + 2, 1
        parts.append(
            f'<rect x="{x:.0f}" y="{row_y - 10:.0f}" width="10" height="10" fill="{_colour(s, n)}"/>'
            + _text(x + 14, row_y, lines)
        )
        row_lines = max(row_lines, len(lines))
        x += item_w + 10
    return parts, row_y - y + row_lines * LINE_H + 2


def _open(height: float, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" role="img" aria-label="{escape(title)}" '
        f'font-family="sans-serif"><title>{escape(title)}</title>'
    )


def bar_chart(
    title: str,
    categories: list[str],
    series: list[Series],
    *,
    unit: str = "",
    stacked: bool = False,
) -> Chart:
    """Horizontal bars, one group per category (its label above the bars, so long labels fit a phone): a bar
    per series side by side, or one bar of stacked segments (`stacked`). None counts as no bar."""
    columns, rows = _table(categories, series, unit)
    decimals = _decimals([v for s in series for v in s.values])

    def value(s: Series, i: int) -> float:
        v = s.values[i] if i < len(s.values) else None
        return float(v) if v is not None else 0.0

    if stacked:
        top = max((sum(value(s, i) for s in series) for i in range(len(categories))), default=0.0)
    else:
        top = max((value(s, i) for s in series for i in range(len(categories))), default=0.0)
    top = top or 1.0
    if stacked:
        shown = [number(sum(value(s, i) for s in series), decimals) for i in range(len(categories))]
    else:
        shown = [
            number(s.values[i] if i < len(s.values) else None, decimals) + unit
            for s in series
            for i in range(len(categories))
        ]
    # The value written after the longest bar must fit inside the figure.
    left, bar_h, gap = 4, 13, 2
    right = max(24.0, max((_text_width(v) for v in shown), default=0) + 8)
    plot_w = WIDTH - left - right
    bars_per_group = 1 if stacked else len(series)
    labels = [_wrap(category, (WIDTH - 2 * left) / (FONT * CHAR_W)) for category in categories]
    legend, legend_h = _legend(series, 0) if len(series) > 1 else ([], 0)
    height = (
        6
        + sum(len(lines) * LINE_H + 4 + bars_per_group * (bar_h + gap) + 6 for lines in labels)
        + legend_h
        + 8
    )
    parts = [_open(height, title)]
    y = 6.0
    for i, lines in enumerate(labels):
        parts.append(_text(left, y + 12, lines, extra=' font-weight="600"'))
        y += len(lines) * LINE_H + 4
        if stacked:
            x = float(left)
            for n, s in enumerate(series):
                w = value(s, i) / top * plot_w
                if w > 0:
                    parts.append(
                        f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{bar_h}" fill="{_colour(s, n)}">'
                        f"<title>{escape(s.label)} : {number(value(s, i), decimals)}</title></rect>"
                    )
                x += w
            total = sum(value(s, i) for s in series)
            parts.append(
                f'<text x="{x + 4:.1f}" y="{y + 11:.1f}" font-size="{FONT}">{number(total, decimals)}</text>'
            )
            y += bar_h + gap
        else:
            for n, s in enumerate(series):
                raw = s.values[i] if i < len(s.values) else None
                w = value(s, i) / top * plot_w
                parts.append(
                    f'<rect x="{left}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{bar_h}" fill="{_colour(s, n)}">'
                    f"<title>{escape(s.label)} : {number(raw, decimals)}</title></rect>"
                    f'<text x="{left + w + 4:.1f}" y="{y + 11:.1f}" font-size="{FONT}">'
                    f"{number(raw, decimals)}{escape(unit)}</text>"
                )
                y += bar_h + gap
        y += 6
    if legend:
        legend_parts, _h = _legend(series, y + 12)
        parts.extend(legend_parts)
    parts.append("</svg>")
    return Chart(title=str(title), svg=mark_safe("".join(parts)), columns=columns, rows=rows, unit=unit)


def line_chart(title: str, x_labels: list[str], series: list[Series], *, unit: str = "") -> Chart:
    """A trend: one line per series over the x labels (periods, oldest first); None leaves a gap."""
    columns, rows = _table(x_labels, series, unit)
    values = [float(v) for s in series for v in s.values if v is not None]
    decimals = _decimals([v for s in series for v in s.values])
    top = max(values, default=0.0) or 1.0
    ticks = [number(top * fraction, decimals if top < 10 else 0) for fraction in (0, 0.5, 1)]
    tick_size = FONT - 1
    # The y axis as wide as its widest number.
    left = max(24.0, max(_text_width(t, tick_size) for t in ticks) + 8)
    right, top_pad, plot_h = 14, 10, 130
    plot_w = WIDTH - left - right
    # Each point in the middle of its band and its label centred under it, wrapped within the band (up to five
    # lines): round names are long ("Enquête socio-économique préalable 2018") and never overlap.
    step = plot_w / max(len(x_labels), 1)
    label_every = max(1, -(-len(x_labels) * 48 // int(plot_w)))  # a label every so many points when dense
    room = step * label_every
    x_lines = []
    for i, label in enumerate(x_labels):
        centre = left + (i + 0.5) * step  # a label near an edge has only twice its distance to that edge
        width = min(room, 2 * centre - 2, 2 * (WIDTH - centre) - 2)
        x_lines.append(_wrap(label, width / (tick_size * CHAR_W) - 1, max_lines=5))
    x_label_h = max((len(lines) for lines in x_lines), default=1) * LINE_H
    legend, legend_h = _legend(series, 0) if len(series) > 1 else ([], 0)
    height = top_pad + plot_h + x_label_h + 10 + legend_h + 4
    base = top_pad + plot_h

    def xy(i: int, v: float) -> tuple[float, float]:
        return left + (i + 0.5) * step, base - v / top * plot_h

    parts = [_open(height, title)]
    for fraction, tick in zip((0, 0.5, 1), ticks, strict=True):
        y = base - fraction * plot_h
        parts.append(
            f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}" stroke="#d8dde4"/>'
            f'<text x="{left - 4:.1f}" y="{y + 4:.1f}" font-size="{tick_size}" text-anchor="end">{tick}</text>'
        )
    for i, lines in enumerate(x_lines):
        if i % label_every == 0:
            parts.append(_text(left + (i + 0.5) * step, base + 15, lines, size=tick_size, anchor="middle"))
    for n, s in enumerate(series):
        colour = _colour(s, n)
        segment: list[str] = []
        for i, v in enumerate([*s.values, None]):
            if v is None:
                if len(segment) > 1:
                    parts.append(
                        f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{" ".join(segment)}"/>'
                    )
                segment = []
                continue
            x, y = xy(i, float(v))
            segment.append(f"{x:.1f},{y:.1f}")
            label = x_labels[i] if i < len(x_labels) else ""
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}">'
                f"<title>{escape(s.label)}, {escape(label)} : {number(v, decimals)}{escape(unit)}</title></circle>"
            )
    if legend:
        legend_parts, _h = _legend(series, base + x_label_h + 24)
        parts.extend(legend_parts)
    parts.append("</svg>")
    return Chart(title=str(title), svg=mark_safe("".join(parts)), columns=columns, rows=rows, unit=unit)
