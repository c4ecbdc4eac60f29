"""Machine exports keep "." as decimal separator while pages use the French comma: a CSV or XLSX file is read by
R, Excel and scripts, whatever the language of the page that offered it. Each test first checks that French
number formatting is active (a page would show « 1234,56 »), so it fails if that localisation leaked into a file."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.template import Context, Template
from django.utils import translation

from kinga.core import spreadsheets
from kinga.core.actors import system_actor
from kinga.plan import exports

pytestmark = pytest.mark.django_db


def _page_shows(value) -> str:
    return Template("{{ value }}").render(Context({"value": value}))


def test_csv_keeps_the_point_in_french():
    with translation.override("fr"):
        assert _page_shows(Decimal("1234.56")) == "1234,56"  # the page: French comma
        line = spreadsheets.csv_text([[Decimal("1234.56"), 0.25, 3, datetime.date(2026, 1, 2)]])
    assert line == "1234.56,0.25,3,2026-01-02\r\n"


def test_xlsx_writes_numbers_as_numbers_in_french():
    def build(book):
        sheet = book.add_worksheet("Feuille")
        sheet.write_row(0, 0, [Decimal("1234.56"), 0.25, "12,5"])

    with translation.override("fr"):
        assert _page_shows(0.25) == "0,25"
        content = spreadsheets.xlsx_bytes(build)
    cells = [c.value for c in openpyxl.load_workbook(io.BytesIO(content)).active[1]]
    assert cells == [1234.56, 0.25, "12,5"]  # numbers stay numbers; a text stays the text it was


def test_the_plans_budget_export_has_numbers_not_french_text(plan):
    stream = io.BytesIO()
    with translation.override("fr"):
        exports.export(actor=system_actor(), plan=plan, fmt="budget-xlsx", stream=stream)
    book = openpyxl.load_workbook(io.BytesIO(stream.getvalue()))
    values = [c.value for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None]
    numbers = [v for v in values if isinstance(v, int | float)]
    assert numbers, "the budget has amounts"
    texts = [v for v in values if isinstance(v, str)]
    assert not [
        t for t in texts if t.replace(",", "").replace(" ", "").replace("\u202f", "").isdigit() and "," in t
    ]
