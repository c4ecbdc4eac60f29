"""Tables that read on a phone: every cell of a responsive table carries its column's label.

At phone width a `table.list` (or a chart's `table.figures`) stacks (one block per row, one line per cell, see kinga.css) and its header row is
hidden, so each cell shows its column's name from its own `data-label` attribute. The labels are added here, to the
rendered page, from the table's header row, so that no template can forget them (TableLabelsMiddleware runs on
every HTML response). A cell that already has a `data-label` keeps it.

Column headers are the rows of <thead>, or, without a <thead>, a first row made only of <th>. Colspan and rowspan
are followed, in the header and in the body; with several header rows, a column's label joins them ("A — B").
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

# Lists, and the figures tables that give a chart's numbers (they have a column per series).
RESPONSIVE_CLASSES = frozenset({"list", "figures"})

_TAG = re.compile(r"<(/?)(table|thead|tbody|tfoot|tr|th|td)\b([^>]*)>", re.IGNORECASE)
_SPAN = re.compile(r"""\b(colspan|rowspan)\s*=\s*["']?(\d+)""", re.IGNORECASE)
_CLASS = re.compile(r"""\bclass\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
_HAS_LABEL = re.compile(r"\bdata-label\s*=", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^>]*>")
_HIDDEN_FROM_TEXT = re.compile(r"<(script|style|template)\b.*?</\1>", re.IGNORECASE | re.DOTALL)


@dataclass
class _Cell:
    slot: int  # index in the output of its opening tag
    header: bool
    colspan: int
    rowspan: int
    text_from: int
    text_to: int = -1
    column: int = 0


@dataclass
class _Table:
    responsive: bool
    in_head: bool = False
    body_rows: int = 0
    labels: dict[int, list[str]] = field(default_factory=dict)
    covered: dict[int, int] = field(default_factory=dict)  # column -> rows a rowspan still covers
    head_covered: dict[int, int] = field(default_factory=dict)
    row: list[_Cell] | None = None


def is_responsive(attributes: str) -> bool:
    found = _CLASS.search(attributes)
    return bool(found) and not RESPONSIVE_CLASSES.isdisjoint(found.group(1).split())


def cell_text(fragment: str) -> str:
    """The visible text of a cell's HTML, on one line."""
    text = _ANY_TAG.sub(" ", _HIDDEN_FROM_TEXT.sub(" ", fragment))
    return " ".join(html.unescape(text).split())


def _span(attributes: str, name: str) -> int:
    for found in _SPAN.finditer(attributes):
        if found.group(1).lower() == name:
            return max(1, min(int(found.group(2)), 1000))
    return 1


def _place(cells: list[_Cell], covered: dict[int, int]) -> None:
    """Give each cell of a row its first column, skipping the columns that rowspans from above still hold."""
    column = 0
    for cell in cells:
        while covered.get(column, 0) > 0:
            column += 1
        cell.column = column
        column += cell.colspan
    for col in list(covered):
        covered[col] -= 1
        if covered[col] <= 0:
            del covered[col]
    for cell in cells:
        if cell.rowspan > 1:
            for col in range(cell.column, cell.column + cell.colspan):
                covered[col] = cell.rowspan - 1


def label_table_cells(page: str) -> str:
    """The page with a `data-label` on every body cell (<td>, and <th> of body rows) of each responsive table."""
    if "<table" not in page and "<TABLE" not in page:
        return page
    out: list[str] = []
    tables: list[_Table] = []
    position = 0

    def close_cell(at: int) -> None:
        table = tables[-1]
        if table.row and table.row[-1].text_to < 0:
            table.row[-1].text_to = at

    def close_row(at: int) -> None:
        table = tables[-1]
        if table.row is None:
            return
        close_cell(at)
        cells, table.row = table.row, None
        header_row = table.in_head or (
            not table.body_rows and all(c.header for c in cells) and table.responsive and cells
        )
        if header_row:
            _place(cells, table.head_covered)
            for cell in cells:
                text = cell_text(page[cell.text_from : cell.text_to])
                for col in range(cell.column, cell.column + cell.colspan):
                    parts = table.labels.setdefault(col, [])
                    if text and text not in parts:
                        parts.append(text)
            return
        table.body_rows += 1
        _place(cells, table.covered)
        if not table.responsive:
            return
        for cell in cells:
            tag = out[cell.slot]
            if _HAS_LABEL.search(tag):
                continue
            # a cell across the whole row (an "empty list" message) belongs to no one column
            whole_row = cell.colspan > 1 and cell.colspan >= len(table.labels)
            label = "" if whole_row else " — ".join(table.labels.get(cell.column, []))
            out[cell.slot] = f'{tag[:-1]} data-label="{html.escape(label)}">'

    for found in _TAG.finditer(page):
        closing, name, attributes = found.group(1), found.group(2).lower(), found.group(3)
        out.append(page[position : found.start()])
        position = found.end()
        tag = found.group(0)
        if name == "table":
            if closing:
                if tables:
                    close_row(found.start())
                    tables.pop()
            else:
                if tables:
                    close_cell(found.start())
                tables.append(_Table(responsive=is_responsive(attributes)))
            out.append(tag)
            continue
        if not tables:
            out.append(tag)
            continue
        table = tables[-1]
        if name in ("thead", "tbody", "tfoot"):
            close_row(found.start())
            table.in_head = name == "thead" and not closing
        elif name == "tr":
            close_row(found.start())
            if not closing:
                table.row = []
        elif closing:  # </td> or </th>
            close_cell(found.start())
        else:  # <td> or <th>
            if table.row is None:  # a cell outside any <tr>: the browser opens a row for it
                table.row = []
            close_cell(found.start())
            table.row.append(
                _Cell(
                    slot=len(out),
                    header=name == "th",
                    colspan=_span(attributes, "colspan"),
                    rowspan=_span(attributes, "rowspan"),
                    text_from=found.end(),
                )
            )
        out.append(tag)
    out.append(page[position:])
    return "".join(out)


class TableLabelsMiddleware:
    """Adds the column labels to the responsive tables of every HTML page Kinga renders."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            getattr(response, "streaming", False)
            or response.has_header("Content-Encoding")
            or not response.get("Content-Type", "").startswith("text/html")
        ):
            return response
        charset = response.charset or "utf-8"
        try:
            page = response.content.decode(charset)
        except UnicodeDecodeError:
            return response
        if "<table" not in page:
            return response
        labelled = label_table_cells(page)
        if labelled != page:
            response.content = labelled.encode(charset)
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return response
