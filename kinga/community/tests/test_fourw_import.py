"""The 4W import reads what real files hold (issue 14, items 8 and 9): the export's CSV and XLSX, Latin-1 with
semicolons and CRLF as Excel on Windows writes it, UTF-8 with a BOM, missing-value tokens, a U+2028 inside a
quoted field; a binary file ends in a French error; rejections over the threshold write nothing unless accepted
after a dry run; importing an export again never duplicates it."""

import datetime
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from kinga.community import fourw_io, selectors, services
from kinga.community.models import FourW
from kinga.core.roles import Role
from kinga.core.tabular import ImportRefused
from kinga.core.testing import actor_of, make_member, make_organisation

pytestmark = pytest.mark.django_db
START = datetime.date(2026, 3, 1)


@pytest.fixture
def clerk(org, kolwezi, reference_places):
    clerk = make_member(org, Role.DATA_CLERK)
    make_organisation("UNICEF RDC", type="un_agency")
    return clerk


def rows_of(*rows: list[str], header=None) -> list[list[str]]:
    header = header or [
        "Organisation",
        "Activité",
        "Code territoire",
        "Statut",
        "Date début",
        "Date fin",
        "Enfants ciblés (filles)",
        "Enfants atteints (filles)",
        "Bailleur",
    ]
    return [header, *rows]


GOOD = [
    [
        "ONG Mwana Lualaba",
        "Gestion de cas",
        "CD7201",
        "En cours",
        "2026-03-01",
        "2026-12-31",
        "300",
        "150",
        "UNICEF RDC",
    ],
    ["ONG Mwana Lualaba", "Réinsertion scolaire", "CD7202", "planned", "01/03/2026", "NA", "40", "N/A", "NA"],
]


def csv_of(rows, *, delimiter=",", newline="\n", encoding="utf-8", bom=False) -> bytes:
    def cell(value: str) -> str:
        if any(c in value for c in (delimiter, '"', "\n", "\r", "\u2028")):
            return '"' + value.replace('"', '""') + '"'
        return value

    text = newline.join(delimiter.join(cell(v) for v in row) for row in rows) + newline
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


def _import(actor, content: bytes, **options):
    return services.import_fourw(actor=actor_of(actor), content=content, filename="4w.csv", **options)


def _records():
    return {r.activity: r for r in FourW.objects.select_related("funder", "place")}


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"bom": True},
        {"delimiter": ";", "newline": "\r\n", "encoding": "cp1252"},
        {"delimiter": ";", "encoding": "latin-1", "bom": False},
    ],
    ids=["utf8", "utf8-bom", "cp1252-semicolon-crlf", "latin1-semicolon"],
)
def test_csv_variants_read_the_same(clerk, options):
    result = _import(clerk, csv_of(rows_of(*GOOD), **options))
    assert (result.rows, result.created, result.rejected) == (2, 2, [])
    records = _records()
    case, school = records["Gestion de cas"], records["Réinsertion scolaire"]
    assert case.place.pcode == "CD7201" and case.status == "ongoing" and case.funder.name == "UNICEF RDC"
    assert (case.targeted_f, case.reached_f, case.end) == (300, 150, datetime.date(2026, 12, 31))
    # Missing-value tokens are missing, never a value (NA is no organisation, no date, no number).
    assert (school.end, school.funder, school.reached_f, school.status) == (None, None, 0, "planned")
    assert school.start == START


def test_line_separator_inside_a_quoted_field_stays_in_it(clerk):
    rows = [["ONG Mwana Lualaba", "Écoute\u2028et orientation", "CD7201", "", "2026-03-01", "", "5", "2", ""]]
    result = _import(clerk, csv_of(rows_of(*rows), newline="\r\n"))
    assert (result.rows, result.created, result.rejected) == (1, 1, [])
    assert FourW.objects.get().activity == "Écoute\u2028et orientation"


def test_export_imports_back_unchanged_and_never_twice(clerk, kolwezi):
    actor = actor_of(clerk)
    services.create_fourw(
        actor=actor,
        activity="=HYPERLINK(1)",  # neutralised by the export, read back as entered
        place=kolwezi,
        start=START,
        targeted_f=10,
        reached_f=6,
        reached_by_age={"F": {"5-11": 4}},
        funder=make_organisation("UNICEF", type="un_agency"),
    )
    for fmt in ("csv", "xlsx"):
        exported = fourw_io.export(actor=actor, queryset=selectors.fourw(actor), fmt=fmt, filters={})
        content = "".join(exported).encode() if fmt == "csv" else exported.read()
        FourW.objects.all().delete()
        result = _import(clerk, content)
        assert (result.rows, result.created, result.rejected) == (1, 1, []), fmt
        record = FourW.objects.get()
        assert record.activity == "=HYPERLINK(1)" and record.reached_by_age == {"F": {"5-11": 4}}
        assert (record.targeted_f, record.reached_f, record.funder.name) == (10, 6, "UNICEF")
        again = _import(clerk, content)
        assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
        assert FourW.objects.count() == 1


def test_xlsx_written_by_hand_is_read(clerk):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows_of(*GOOD):
        sheet.append(row)
    sheet.append(["ONG Mwana Lualaba", "Sensibilisation", "CD7201", "", START, None, 12, 0, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = _import(clerk, buffer.getvalue())
    assert (result.rows, result.created, result.rejected) == (3, 3, [])
    assert _records()["Sensibilisation"].targeted_f == 12


@pytest.mark.parametrize(
    "content",
    [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"%PDF-1.4\n\x00\x01\x02binary", b"PK\x03\x04not really a zip"],
    ids=["png", "pdf", "broken-zip"],
)
def test_binary_file_is_refused_in_french(clerk, content):
    with pytest.raises(ValidationError) as err:
        _import(clerk, content)
    message = " ".join(err.value.messages)
    assert "fichier" in message.lower() and "Traceback" not in message
    assert not FourW.objects.exists()


def test_a_table_that_is_not_a_4w_is_refused_in_french(clerk):
    with pytest.raises(ValidationError) as err:
        _import(clerk, csv_of([["nom", "âge"], ["Amani", "7"]]))
    assert "4W" in " ".join(err.value.messages) and "colonnes" in " ".join(err.value.messages)


def test_rejections_over_the_threshold_write_nothing_unless_accepted(clerk):
    bad = ["ONG Inconnue", "Gestion de cas", "CD9999", "", "hier", "", "-3", "", ""]
    content = csv_of(rows_of(*GOOD, bad))
    with pytest.raises(ImportRefused) as err:
        _import(clerk, content)
    assert "1 ligne rejetée" in err.value.summary and "Ligne 4" in err.value.summary
    assert "Organisation" in err.value.summary and "Code territoire" in err.value.summary
    assert not FourW.objects.exists()
    dry = _import(clerk, content, dry_run=True)
    assert dry.dry_run and dry.created == 2 and len(dry.rejected) == 1 and "Simulation" in dry.summary()
    assert not FourW.objects.exists()
    result = _import(clerk, content, accept_rejections=True)
    assert result.created == 2 and [r["line"] for r in result.rejected] == [4]
    assert FourW.objects.count() == 2


def test_a_file_that_would_blank_recorded_values_is_refused(clerk):
    _import(clerk, csv_of(rows_of(*GOOD)))
    lost = [list(GOOD[0]), GOOD[1]]
    lost[0][8] = "NA"  # the funder column lost its content
    with pytest.raises(ImportRefused) as err:
        _import(clerk, csv_of(rows_of(*lost)))
    assert "Bailleur" in str(err.value.messages)
    assert _records()["Gestion de cas"].funder.name == "UNICEF RDC"
    result = _import(clerk, csv_of(rows_of(*lost)), accept_rejections=True)
    assert result.updated == 1 and _records()["Gestion de cas"].funder is None


def test_command_dry_run_rejects_file_and_french_errors(clerk, tmp_path):
    email = clerk.user.email
    bad = ["ONG Inconnue", "Gestion de cas", "CD7201", "", "2026-03-01", "", "", "", ""]
    source = tmp_path / "4w.csv"
    source.write_bytes(csv_of(rows_of(*GOOD, bad), delimiter=";", encoding="cp1252"))
    out, err = io.StringIO(), io.StringIO()
    call_command("community", "import-4w", str(source), "--dry-run", actor=email, stdout=out, stderr=err)
    assert "Simulation" in out.getvalue() and "Ligne 4" in err.getvalue()
    assert not FourW.objects.exists()
    with pytest.raises(CommandError) as refused:
        call_command("community", "import-4w", str(source), actor=email, stdout=io.StringIO())
    assert "Rien n'a été importé" in str(refused.value)
    rejects = tmp_path / "rejets.csv"
    call_command(
        "community",
        "import-4w",
        str(source),
        "--accept-rejections",
        "--rejects",
        str(rejects),
        actor=email,
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert FourW.objects.count() == 2
    text = rejects.read_text(encoding="utf-8-sig")
    assert text.startswith("ligne,motifs,Organisation") and "ONG Inconnue" in text
    binary = tmp_path / "photo.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(CommandError) as error:
        call_command("community", "import-4w", str(binary), actor=email, stdout=io.StringIO())
    assert "binaire" in str(error.value) or "texte" in str(error.value)
