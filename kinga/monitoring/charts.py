"""The charts of the province dashboard and of the plan's reports (kinga.core.charts: SVG drawn on the server,
each with its numbers as a table): the page, the PDF and a phone show the same chart."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kinga.core import charts
from kinga.monitoring import selectors
from kinga.sites.models import Status

STATUS_ORDER = (Status.GREEN, Status.YELLOW, Status.RED, Status.EXPIRED, Status.BLUE)


def dashboard_charts(board: selectors.Dashboard) -> dict:
    """The dashboard's charts: the page and the reports draw the same ones."""
    labels = dict(Status.choices)
    children = charts.bar_chart(
        _("Children, %(period)s") % {"period": board.period.label},
        [f.label for f in board.children if f.value is not None],
        [charts.Series(_("Children"), [f.value for f in board.children if f.value is not None])],
    )
    result = {"children": children}
    if board.children_trend:
        result["trend"] = charts.line_chart(
            _("Children identified and out of the mines, by period"),
            board.children_trend["labels"],
            [
                charts.Series(_("Children identified"), board.children_trend["identified"]),
                charts.Series(_("Children out of the mines"), board.children_trend["exited"]),
            ],
        )
    result["sites"] = charts.bar_chart(
        _("Sites by status at the end of each quarter"),
        [label for label, _counts in board.sites_history],
        [
            charts.Series(
                str(labels[s]), [c[s] for _label, c in board.sites_history], charts.STATUS_COLOURS[s]
            )
            for s in STATUS_ORDER
        ],
        stacked=True,
    )
    if board.budget:
        money = [row["money"] for row in board.budget]
        result["budget"] = charts.bar_chart(
            _("Budget by axis (USD)"),
            [_("Axis %(number)s") % {"number": row["axis"].number} for row in board.budget],
            [
                charts.Series(_("Planned"), [m.planned for m in money]),
                charts.Series(_("Committed"), [m.committed for m in money]),
                charts.Series(_("Disbursed"), [m.disbursed for m in money]),
                charts.Series(_("Spent"), [m.spent for m in money]),
            ],
        )
    return result


def cohort_chart(cohorts) -> charts.Chart | None:
    """The share of each cohort of exits known to be out of the mines at 3, 6 and 12 months (percent)."""
    if not cohorts:
        return None
    ordered = list(reversed(cohorts))
    return charts.bar_chart(
        _("Children still out of the mines, by quarter of exit (%)"),
        [c.quarter.label for c in ordered],
        [
            charts.Series(
                _("%(months)s months") % {"months": months},
                [next(cell.share_of_cohort for cell in c.cells if cell.months == months) for c in ordered],
            )
            for months in (3, 6, 12)
        ],
        unit="%",
    )
