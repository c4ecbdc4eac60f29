"""A small bar chart drawn on the server as SVG (no script, the same on a phone and in a PDF), for an indicator's
trend. The page shows the same numbers in a table next to it, for screen readers and for copying."""

from __future__ import annotations

from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH, HEIGHT, TOP, BOTTOM, LEFT = 320, 160, 12, 28, 4


def _short(value: Decimal) -> str:
    value = value.normalize()
    text = f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.1f}"
    return text.replace(",", "\u202f").replace(".", ",")


def bar_chart(
    points: list[tuple[str, Decimal | None]], *, title: str, target: Decimal | None = None
) -> SafeString:
    """One bar per (short label, value); an empty value draws no bar. `target`, when given, is a dashed line."""
    values = [v for _label, v in points if v is not None]
    top = max([*values, target or Decimal(0), Decimal(1)])
    plot = HEIGHT - TOP - BOTTOM
    step = (WIDTH - LEFT) / max(len(points), 1)
    bars = []
    for n, (label, value) in enumerate(points):
        x = LEFT + n * step
        h = 0 if value is None else float(value / top) * plot
        bars.append(
            (
                f"{x + step * 0.15:.1f}",
                f"{TOP + plot - h:.1f}",
                f"{step * 0.7:.1f}",
                f"{h:.1f}",
                f"{x + step / 2:.1f}",
                f"{TOP + plot - h - 2:.1f}",
                "" if value is None else _short(value),
                f"{HEIGHT - 10}",
                label,
            )
        )
    body = format_html_join(
        "",
        '<rect x="{0}" y="{1}" width="{2}" height="{3}" class="bar"></rect>'
        '<text x="{4}" y="{5}" text-anchor="middle" class="value">{6}</text>'
        '<text x="{4}" y="{7}" text-anchor="middle" class="label">{8}</text>',
        bars,
    )
    line = ""
    if target is not None:
        y = TOP + plot - float(target / top) * plot
        line = format_html(
            '<line x1="{}" x2="{}" y1="{:.1f}" y2="{:.1f}" class="target" stroke-dasharray="4 3"></line>',
            LEFT,
            WIDTH,
            y,
            y,
        )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" width="100%" role="img" aria-label="{}" '
        'preserveAspectRatio="xMidYMid meet"><title>{}</title>'
        "<style>.bar{{fill:#2f6f9f}}.target{{stroke:#c0392b;stroke-width:1.5}}"
        "text{{font-size:9px;fill:#333}}.label{{font-size:8px}}</style>{}{}</svg>",
        WIDTH,
        HEIGHT,
        title,
        title,
        body,
        line,
    )
