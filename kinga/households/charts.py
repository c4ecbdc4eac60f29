"""Server-drawn SVG line charts (no JavaScript, readable on a 360 px phone, printable)."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

COLOURS = ("#0b6e4f", "#b3261e", "#1f5fae", "#b58100")


def line_chart(
    title: str,
    x_labels: list[str],
    series: list[tuple[str, list[float | None]]],
    *,
    unit: str = "",
    height: int = 180,
) -> SafeString:
    """One SVG with a line per series over x_labels; None values leave a gap."""
    width, left, right, top, bottom = 340, 40, 10, 24, 40
    values = [v for _label, points in series for v in points if v is not None]
    if not x_labels or not values:
        return mark_safe("")
    top_value = max(values) or 1.0
    top_value = top_value * 1.1
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(x_labels) - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return left + i * step, top + plot_h - (v / top_value) * plot_h

    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg" style="max-width:100%;height:auto;background:#fff">',
        f'<text x="{left}" y="14" font-size="12" font-weight="600">{escape(title)}</text>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="#d8dde4"/>',
        f'<text x="2" y="{top + 8}" font-size="10">{top_value / 1.1:.0f}{escape(unit)}</text>',
        f'<text x="2" y="{top + plot_h}" font-size="10">0</text>',
    ]
    for i, label in enumerate(x_labels):
        x = left + i * step
        parts.append(
            f'<text x="{x:.1f}" y="{top + plot_h + 14}" font-size="10" text-anchor="middle">{escape(label[:14])}</text>'
        )
    for n, (label, points) in enumerate(series):
        colour = COLOURS[n % len(COLOURS)]
        segment: list[str] = []
        for i, v in enumerate(points):
            if v is None:
                if len(segment) > 1:
                    parts.append(
                        f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{" ".join(segment)}"/>'
                    )
                segment = []
                continue
            x, y = xy(i, v)
            segment.append(f"{x:.1f},{y:.1f}")
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"><title>{escape(label)}: {v:.2f}</title></circle>'
            )
        if len(segment) > 1:
            parts.append(
                f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{" ".join(segment)}"/>'
            )
        parts.append(
            f'<rect x="{left + n * 150}" y="{height - 14}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{left + n * 150 + 14}" y="{height - 5}" font-size="10">{escape(label[:24])}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
