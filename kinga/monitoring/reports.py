"""The plan's quarterly and annual reports: their content, as a PDF (WeasyPrint) or an XLSX workbook.

`gather()` reads every section through the selectors the pages use (the dashboard, the non-return cohorts, the
plan's budget, the 4W records), as the system actor: a report is the province's, the same whoever asks for it.
Counts only: no section reads or prints a child's identity. The caller runs it inside
`translation.override(language)`: every label, French or English, comes from the catalogues then.
`build()` turns it into the file's bytes, calling `progress(step)` between the sections.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from kinga.cases import selectors_nonreturn
from kinga.core import clock, periods, spreadsheets
from kinga.core.actors import system_actor
from kinga.core.models import Place
from kinga.monitoring import charts as monitoring_charts
from kinga.monitoring import selectors, selectors_cost
from kinga.plan import selectors as plan_selectors
from kinga.sites.models import Status

# The steps of a build, in order, with the progress reached once each is done (percent) and its label.
STEPS = {
    "start": (0, gettext_lazy("waiting to start")),
    "figures": (20, gettext_lazy("figures of the dashboard")),
    "charts": (35, gettext_lazy("charts")),
    "indicators": (50, gettext_lazy("indicators against targets")),
    "cohorts": (65, gettext_lazy("non-return cohorts")),
    "budget": (75, gettext_lazy("budget execution")),
    "fourw": (85, gettext_lazy("4W summary")),
    "cost": (90, gettext_lazy("cost per result")),
    "file": (99, gettext_lazy("writing the file")),
}
Progress = Callable[[str], None]


def parse_period(text: str) -> periods.Period:
    """A quarter (2026Q3) or a year (2026): the periods a report covers; ValidationError otherwise."""
    period = periods.parse(text)
    if period.kind not in (periods.QUARTER, periods.YEAR):
        raise ValidationError(
            _("A report covers a quarter (2026Q3) or a year (2026)."), code="report_period_kind"
        )
    return period


def step_label(step: str) -> str:
    return str(STEPS.get(step, STEPS["start"])[1])


def next_step(step: str) -> str:
    """The step that follows `step` (the last one done): the one a failure interrupted."""
    names = list(STEPS)
    index = names.index(step) if step in names else 0
    return names[min(index + 1, len(names) - 1)]


@dataclass
class IndicatorLine:
    label: str
    unit: str
    in_period: object
    to_date: object
    expected: object
    target: object
    target_date: datetime.date | None
    percent: int | None
    light: str
    light_label: str


@dataclass
class ReportData:
    period: periods.Period
    language: str
    built_on: datetime.date
    plan_title: str
    board: selectors.Dashboard
    charts: dict = field(default_factory=dict)
    indicators: list[IndicatorLine] = field(default_factory=list)
    non_return: object = None
    fourw: list = field(default_factory=list)
    cost: object = None  # kinga.monitoring.selectors_cost.CostPerResult
    territory: Place | None = None  # None: the whole province

    @property
    def area_label(self) -> str:
        return self.territory.name if self.territory is not None else _("The whole province of Lualaba")

    @property
    def budget(self) -> list[dict]:
        return self.board.budget


def cost_lines(cost) -> list[list]:
    """The cost-per-result table of a report: each axis, each funder, then the whole plan; per row the spending
    (USD), the share attached to a result (%), then for each result its count and its cost (USD)."""
    lines = []
    for row in [*(r for r in cost.rows if r.level == "axis"), *cost.funders, cost.total]:
        if row.level == "axis":
            label = _("Axis %(number)s") % {"number": row.code}
        elif row.level == "total":
            label = _("The whole plan")
        else:
            label = row.label
        cells = [label, row.spent, row.coverage]
        for count, unit_cost in row.cells:
            cells += [count, unit_cost]
        lines.append(cells)
    return lines


def cost_header() -> list[str]:
    header = [_("Row"), _("Spent (USD)"), _("Attached to a result (%)")]
    for label in selectors_cost.RESULTS.values():
        header += [str(label), _("USD per %(result)s") % {"result": label}]
    return header


def gather(
    period: periods.Period, *, territory: Place | None = None, progress: Progress | None = None
) -> ReportData:
    """Every section for the period, of one territory (None: the whole province). The budget stays the
    province's: spending is not recorded by territory (the cost per result says so)."""
    progress = progress or (lambda step: None)
    actor = system_actor()
    board = selectors.dashboard(actor, period=period, territory=territory)
    plan = plan_selectors.current_plan(actor)
    data = ReportData(
        period=period,
        language=get_language() or "fr",
        built_on=clock.today(),
        plan_title=plan.title if plan is not None else "",
        board=board,
        territory=territory,
    )
    progress("figures")
    data.charts = monitoring_charts.dashboard_charts(board)
    progress("charts")
    english = data.language.startswith("en")
    data.indicators = [
        IndicatorLine(
            label=(row.indicator.label_en if english and row.indicator.label_en else row.indicator.label_fr),
            unit=row.indicator.unit,
            in_period=row.in_period,
            to_date=row.to_date,
            expected=row.expected,
            target=row.next_target,
            target_date=row.next_target_date,
            percent=row.percent,
            light=row.light,
            light_label=row.light_label,
        )
        for row in board.indicators
    ]
    progress("indicators")
    data.non_return = selectors_nonreturn.non_return(
        actor, period=period, territory=territory, with_indicators=False
    )
    cohorts = monitoring_charts.cohort_chart(data.non_return.cohorts)
    if cohorts is not None:
        data.charts["cohorts"] = cohorts
    progress("cohorts")
    progress("budget")  # read with the dashboard's figures (the plan's tree, since the start of the plan)
    data.fourw = selectors.fourw_summary(actor, period=period, territory=territory)
    progress("fourw")
    data.cost = selectors.cost_per_result(actor, period=period, area=territory)
    progress("cost")
    return data


def _context(data: ReportData) -> dict:
    return {
        "data": data,
        "board": data.board,
        "charts": data.charts,
        "non_return": data.non_return,
        "lights": [(k, label, data.board.lights.get(k, 0)) for k, label in selectors.LIGHT_LABELS.items()],
        "on_track": selectors.ON_TRACK,
        "behind": selectors.BEHIND,
        "cost_header": cost_header(),
        "cost_lines": cost_lines(data.cost),
    }


def to_html(data: ReportData) -> str:
    return render_to_string("monitoring/report_pdf.html", _context(data))


def to_pdf(data: ReportData) -> bytes:
    # Loaded on demand: weasyprint pulls in Pango at import (about a second, tens of MB).
    from weasyprint import HTML  # noqa: PLC0415

    return HTML(string=to_html(data)).write_pdf()


def _figure_rows(figures) -> list[list]:
    return [[f.label, None if f.value is None else f.value] for f in figures]


def _write_table(book, name: str, title: str, header: list, rows: list[list]) -> None:
    sheet = book.add_worksheet(name[:31])
    bold = book.add_format({"bold": True})
    sheet.write(0, 0, title, bold)
    sheet.write_row(2, 0, header, bold)
    for i, row in enumerate(rows, start=3):
        sheet.write_row(i, 0, row)
    sheet.set_column(0, 0, 55)
    sheet.set_column(1, max(len(header) - 1, 1), 16)
    sheet.freeze_panes(3, 1)


def to_xlsx(data: ReportData) -> bytes:
    board, nr = data.board, data.non_return

    def build(book) -> None:
        value = _("Value")
        _write_table(
            book,
            _("Cover"),
            _("Plan report"),
            [_("Item"), value],
            [
                [_("Plan"), data.plan_title],
                [_("Period"), data.period.label],
                [_("From"), data.period.start],
                [_("To"), data.period.end],
                [_("Built on"), data.built_on],
                [_("Area"), data.area_label],
            ],
        )
        rows = [[_("Children")], *_figure_rows(board.children), [_("Community alerts")]]
        rows += _figure_rows(board.alerts)
        rows.append([_("Share verified in time (%)"), board.alerts_in_time_percent])
        rows += [[_("Households supported")], *_figure_rows(board.households)]
        rows += [[_("Mine sites by child-labour status")]]
        rows += [
            [str(label), board.sites_now.get(code, 0)]
            for code, label in Status.choices
            if code in board.sites_now
        ]
        _write_table(book, _("Figures"), _("Figures of the period"), [_("Figure"), value], rows)
        _write_table(
            book,
            _("Indicators"),
            _("The plan's indicators against their targets"),
            [
                _("Indicator"),
                _("Unit"),
                _("In the period"),
                _("Since the start of the plan"),
                _("Expected at this date"),
                _("Target"),
                _("Target date"),
                _("Progress (%)"),
                _("Light"),
            ],
            [
                [
                    i.label,
                    i.unit,
                    i.in_period,
                    i.to_date,
                    i.expected,
                    i.target,
                    i.target_date,
                    i.percent,
                    i.light_label,
                ]
                for i in data.indicators
            ],
        )
        cohort_rows = []
        for cohort in nr.cohorts:
            for cell in cohort.cells:
                cohort_rows.append(
                    [
                        cohort.quarter.label,
                        cohort.children,
                        cell.months,
                        cell.retained,
                        cell.working,
                        cell.not_due,
                        cell.late,
                        cell.missed,
                        cell.lapsed,
                        cell.share_of_cohort,
                    ]
                )
        _write_table(
            book,
            _("Cohorts"),
            _("Non-return: cohorts by quarter of exit"),
            [
                _("Quarter of exit"),
                _("Children"),
                _("Months after exit"),
                _("Still out of the mines"),
                _("Found working"),
                _("Not yet due"),
                _("Late"),
                _("Missed"),
                _("No longer possible"),
                _("Share of the cohort (%)"),
            ],
            cohort_rows,
        )
        relapse_rows = [
            [_("Relapses"), nr.relapses],
            [_("Children found working again"), nr.children_relapsed],
        ]
        for heading, shares in (
            (_("By what found them"), nr.by_source),
            (_("By sex"), nr.by_sex),
            (_("By age band"), nr.by_age_band),
            (_("By territory"), nr.by_territory),
        ):
            relapse_rows.append([heading])
            relapse_rows += [[s.label, s.count] for s in shares]
        _write_table(
            book, _("Relapses"), _("Children found working again"), [_("Group"), _("Relapses")], relapse_rows
        )
        money = [
            [
                _("Axis %(number)s") % {"number": row["axis"].number} + f" — {row['axis'].title}",
                row["money"].planned,
                row["money"].committed,
                row["money"].disbursed,
                row["money"].spent,
            ]
            for row in board.budget
        ]
        total = board.budget_total
        money.append([_("Total"), total.planned, total.committed, total.disbursed, total.spent])
        _write_table(
            book,
            _("Budget"),
            _("Budget of the plan by axis (USD, since the start of the plan)"),
            [_("Axis"), _("Planned"), _("Committed"), _("Disbursed"), _("Spent")],
            money,
        )
        _write_table(
            book,
            "4W",
            _("4W summary: who does what where"),
            [_("Axis"), _("Organisations"), _("Activities"), _("Places"), _("Children reached")],
            [
                [
                    _fourw_axis(r.axis, last=i == len(data.fourw) - 1),
                    r.organisations,
                    r.activities,
                    r.places,
                    r.children_reached,
                ]
                for i, r in enumerate(data.fourw)
            ],
        )
        _write_table(
            book,
            _("Cost per result"),
            _("Cost per result"),
            cost_header(),
            [*cost_lines(data.cost), [], *([sentence] for sentence in data.cost.sentences)],
        )

    return spreadsheets.xlsx_bytes(build)


def _fourw_axis(axis: int | None, *, last: bool) -> str:
    if last:
        return _("Total")
    if axis is None:
        return _("No action of the plan")
    return _("Axis %(number)s") % {"number": axis}


def build(
    period: periods.Period, fmt: str, *, territory: Place | None = None, progress: Progress | None = None
) -> bytes:
    """The report's file (call inside translation.override(language)); of one territory if given."""
    progress = progress or (lambda step: None)
    data = gather(period, territory=territory, progress=progress)
    content = to_pdf(data) if fmt == "pdf" else to_xlsx(data)
    progress("file")
    return content
