"""Charts drawn on the server as SVG: no JavaScript, the same markup for a page, a PDF and a 360 px phone.

    chart = charts.bar_chart(_("Sites by status"), ["T1 2026", "T2 2026"], [charts.Series(_("Red"), [3, 4])])
    {% include "core/chart.html" with chart=chart %}   → the figure, then its numbers as a table

Every chart is a `Chart`: `svg` (safe markup, sized by its viewBox so it scales to any width) and the same
figures as `columns` and `rows` for the table that follows it (screen readers, copying, export). Labels are
escaped; numbers are written in the active language's format (French: 1 234,5).
"""

from __future__ import annotations

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

WIDTH = 360  # the viewBox width: the chart is drawn for a phone and scales up
FONT = 12

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


def _legend(series: list[Series], y: float) -> tuple[list[str], float]:
    """Legend items laid out in rows across the width; returns the parts and the height used."""
    parts, x, row_y = [], 4.0, y
    for n, s in enumerate(series):
        label = _short(s.label, 28)
        item_w = 18 + len(label) * FONT * 0.55
        if x + item_w > WIDTH and x > 4:
            x, row_y = 4.0, row_y + 16
        parts.append(
            f'<rect x="{x:.0f}" y="{row_y - 9:.0f}" width="10" height="10" fill="{_colour(s, n)}"/>'
            f'<text x="{x + 14:.0f}" y="{row_y:.0f}" font-size="{FONT}">{escape(label)}</text>'
        )
        x += item_w + 10
    return parts, row_y - y + 16


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
    left, right, bar_h, gap = 4, 70, 12, 2
    plot_w = WIDTH - left - right
    bars_per_group = 1 if stacked else len(series)
    group_h = 16 + bars_per_group * (bar_h + gap) + 6
    legend, legend_h = _legend(series, 0) if len(series) > 1 else ([], 0)
    height = 6 + len(categories) * group_h + legend_h + 4
    parts = [_open(height, title)]
    y = 6.0
    for i, category in enumerate(categories):
        parts.append(
            f'<text x="{left}" y="{y + 11:.0f}" font-size="{FONT}" font-weight="600">'
            f"{escape(_short(category, 56))}</text>"
        )
        y += 16
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
                f'<text x="{x + 4:.1f}" y="{y + 10:.1f}" font-size="{FONT}">{number(total, decimals)}</text>'
            )
            y += bar_h + gap
        else:
            for n, s in enumerate(series):
                raw = s.values[i] if i < len(s.values) else None
                w = value(s, i) / top * plot_w
                parts.append(
                    f'<rect x="{left}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{bar_h}" fill="{_colour(s, n)}">'
                    f"<title>{escape(s.label)} : {number(raw, decimals)}</title></rect>"
                    f'<text x="{left + w + 4:.1f}" y="{y + 10:.1f}" font-size="{FONT}">'
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
    left, right, top_pad, plot_h = 44, 12, 10, 130
    plot_w = WIDTH - left - right
    step = plot_w / max(len(x_labels) - 1, 1)
    label_every = max(1, -(-len(x_labels) * 48 // plot_w))  # never two labels on top of each other
    legend, legend_h = _legend(series, 0) if len(series) > 1 else ([], 0)
    height = top_pad + plot_h + 22 + legend_h + 4
    base = top_pad + plot_h

    def xy(i: int, v: float) -> tuple[float, float]:
        return left + i * step, base - v / top * plot_h

    parts = [_open(height, title)]
    for fraction in (0, 0.5, 1):
        y = base - fraction * plot_h
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}" stroke="#d8dde4"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" font-size="{FONT - 1}" text-anchor="end">'
            f"{number(top * fraction, decimals if top < 10 else 0)}</text>"
        )
    for i, label in enumerate(x_labels):
        if i % label_every == 0 or i == len(x_labels) - 1:
            x = left + i * step
            anchor = "end" if i == len(x_labels) - 1 and i else "start" if i == 0 else "middle"
            parts.append(
                f'<text x="{x:.1f}" y="{base + 15:.1f}" font-size="{FONT - 1}" text-anchor="{anchor}">'
                f"{escape(_short(label, 12))}</text>"
            )
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
        legend_parts, _h = _legend(series, base + 36)
        parts.extend(legend_parts)
    parts.append("</svg>")
    return Chart(title=str(title), svg=mark_safe("".join(parts)), columns=columns, rows=rows, unit=unit)
