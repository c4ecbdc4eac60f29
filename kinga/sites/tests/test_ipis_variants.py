"""The IPIS import reads what real exports of the IPIS file write (R, Excel, another encoding, reordered columns,
logicals, U+2028 in a field) exactly as the original, and never corrupts a good database.

The variants are built from the IPIS open data file in ../shared/data/ipis (kinga.core.testing.shared_path)."""

import csv
import datetime
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from kinga.core.roles import Role
from kinga.core.tabular import ImportRefused
from kinga.core.testing import actor_of, make_member, make_organisation, shared_path
from kinga.sites.models import Inspection, Site, StatusChange
from kinga.sites.services.ipis import VISIT_FIELDS, import_ipis

pytestmark = pytest.mark.django_db

REAL = shared_path("data", "ipis", "cod_mines_curated_all_opendata_p_ipis.csv")

# 0/1 columns of the IPIS file: R, Excel or pandas may write them as logicals.
FLAG_COLUMNS = (
    "visit_onsite",
    "childunder15",
    "women",
    *(
        f"{flag}_armed_group{i}"
        for i in (1, 2, 3)
        for flag in (
            "taxation",
            "commerce_taxation",
            "entrance_taxation",
            "monopoly",
            "buying_minerals",
            "digging",
            "forced_labour",
            "pillaging",
            "pit_ownership",
        )
    ),
)
SITE_FIELDS = (
    "code",
    "name",
    "place_id",
    "territory_id",
    "latitude",
    "longitude",
    "minerals",
    "workers_count",
    "state_services",
    "qualification",
    "qualification_date",
    "status",
)


@pytest.fixture(scope="module")
def sample():
    """Every 40th visit of the real file (~175 visits, ~25 off site), plus every Lualaba visit: (header, rows)."""
    with REAL.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = [r for i, r in enumerate(reader) if i % 40 == 0 or r["province"] == "Lualaba"]
        return list(reader.fieldnames), rows


def write(path: Path, header, rows, *, encoding="utf-8", newline="\n", quoting=csv.QUOTE_MINIMAL, **kw):
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator=newline, quoting=quoting, **kw)
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def r_style(header, rows):
    """As R's write.csv writes a data frame read from the file: a row-names column, NA for missing, logicals."""
    out_header = ["", *header]
    out_rows = []
    for n, row in enumerate(rows, start=1):
        out = {"": str(n)}
        for k in header:
            v = row[k]
            if k in FLAG_COLUMNS and v in ("0", "1"):
                v = "TRUE" if v == "1" else "FALSE"
            out[k] = v if v != "" else "NA"
        out_rows.append(out)
    return out_header, out_rows


def spelled(rows, true, false):
    return [
        {
            k: (true if v == "1" else false if v == "0" else v) if k in FLAG_COLUMNS else v
            for k, v in row.items()
        }
        for row in rows
    ]


def snapshot():
    sites = {s["code"]: s for s in Site.objects.values(*SITE_FIELDS)}
    visits = {v["ipis_vid"]: v for v in Inspection.objects.values("ipis_vid", *VISIT_FIELDS)}
    return sites, visits


@pytest.fixture
def admin(reference_places):
    return actor_of(make_member(make_organisation(), Role.ADMIN))


@pytest.fixture
def good(admin, sample, tmp_path):
    """A good database: the original file imported; its snapshot."""
    header, rows = sample
    result = import_ipis(write(tmp_path / "ipis.csv", header, rows), actor=admin)
    assert not result.rejected and result.visits_created == len(rows)
    assert Inspection.objects.filter(onsite=False).count() > 10
    assert Inspection.objects.filter(armed_group_present=True).count() > 20
    return snapshot()


def _variants(header, rows, tmp_path):
    reordered = [*reversed(header), "commentaire_r", "geom_wkt"]
    extra = [{**r, "commentaire_r": "vu", "geom_wkt": "POINT(0 0)"} for r in rows]
    with_ls = [dict(r) for r in rows]
    for row in with_ls:
        if row["armed_group1"]:
            # A line separator inside a quoted field before the armed-group columns (the village name).
            row["village"] = row["village"] + "\u2028" + "Mukumbi"
    rh, rr = r_style(header, rows)
    return {
        "r-style": write(tmp_path / "r.csv", rh, rr, quoting=csv.QUOTE_NONNUMERIC),
        "bom-crlf": write(tmp_path / "bom.csv", header, rows, encoding="utf-8-sig", newline="\r\n"),
        "cp1252-semicolon": write(tmp_path / "excel.csv", header, rows, encoding="cp1252", delimiter=";"),
        "reordered-extra": write(tmp_path / "reord.csv", reordered, extra),
        "logicals-oui-non": write(tmp_path / "oui.csv", header, spelled(rows, "oui", "non")),
        "logicals-VRAI-FAUX": write(tmp_path / "vrai.csv", header, spelled(rows, "VRAI", "FAUX")),
        "logicals-True-False": write(tmp_path / "true.csv", header, spelled(rows, "True", "False")),
        "u2028": write(tmp_path / "u2028.csv", header, with_ls),
        "xlsx": write_xlsx(tmp_path / "ipis.xlsx", reordered, extra),
    }


def write_xlsx(path: Path, header, rows):
    """As Excel saves the file after opening it: numbers as numbers, dates as dates, empty cells empty."""

    def cell(column, value):
        if value == "":
            return None
        if column == "visit_date":
            return datetime.datetime.fromisoformat(value[:10])
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if number.is_integer() and "." not in value else number

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(header)
    for row in rows:
        sheet.append([cell(c, row[c]) for c in header])
    workbook.save(path)
    return path


VARIANTS = [
    "r-style",
    "bom-crlf",
    "cp1252-semicolon",
    "reordered-extra",
    "logicals-oui-non",
    "logicals-VRAI-FAUX",
    "logicals-True-False",
    "xlsx",
]


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_variant_of_the_same_data_changes_nothing_in_a_good_database(
    variant, good, admin, sample, tmp_path
):
    statuses = StatusChange.objects.count()
    path = _variants(*sample, tmp_path)[variant]
    result = import_ipis(path, actor=admin)
    assert result.rejected == [] and result.rows == len(sample[1])
    assert not result.changed and result.statuses_changed == 0
    assert snapshot() == good and StatusChange.objects.count() == statuses


def test_an_r_export_into_an_empty_database_reads_like_the_original(admin, sample, tmp_path):
    header, rows = sample
    path = _variants(header, rows, tmp_path)["r-style"]
    result = import_ipis(path, actor=admin)
    assert result.rejected == [] and result.visits_created == len(rows)
    # NA is missing, never a value; FALSE is an off-site visit
    names = {
        g["name"] for groups in Inspection.objects.values_list("armed_groups", flat=True) for g in groups
    }
    assert names and "NA" not in names and "" not in names
    assert not Inspection.objects.filter(offsite_reason="NA").exists()
    assert Inspection.objects.filter(onsite=False).count() == sum(r["visit_onsite"] == "0" for r in rows)
    armed = sum(1 for r in rows if r["armed_group1"] and r["armed_group1"].lower() not in ("aucun", "none"))
    assert Inspection.objects.filter(armed_group_present=True).count() <= armed
    assert Inspection.objects.filter(children_seen=True).count() == sum(
        r["childunder15"] == "1" for r in rows
    )


def test_a_line_separator_inside_a_quoted_field_stays_in_its_row(good, admin, sample, tmp_path):
    path = _variants(*sample, tmp_path)["u2028"]
    result = import_ipis(path, actor=admin)
    assert result.rejected == [] and result.rows == len(sample[1])
    _sites, visits = snapshot()
    # only the village changed, nowhere stored: the armed groups of every visit are those of the original
    assert visits == good[1]


def test_a_broken_coordinate_and_an_unknown_territory(admin, sample, tmp_path):
    header, rows = sample
    rows = [dict(r) for r in rows]
    located = next(i for i, r in enumerate(rows) if r["latitude"] and r["province"] != "Lualaba")
    rows[located]["latitude"] = "-2,4O"
    other = next(i for i, r in enumerate(rows) if i != located and r["province"] == "Sud-Kivu")
    rows[other]["territoire"] = "Atlantide"
    rows = [r for r in rows if r["pcode"] != rows[other]["pcode"] or r is rows[other]]
    result = import_ipis(write(tmp_path / "f.csv", header, rows), actor=admin)
    assert result.rejected == []
    assert any(rows[located]["pcode"] in w and "coordonnées" in w for w in result.warnings)
    broken = Inspection.objects.get(ipis_vid=int(rows[located]["vid"]))
    assert broken.site.latitude is None or broken.site.inspections.count() > 1
    atlantide = Site.objects.get(code=rows[other]["pcode"])
    assert (
        atlantide.territory is None and atlantide.place.level == 1 and "Atlantide" in atlantide.place_warning
    )


def test_blanking_recorded_values_writes_nothing_unless_accepted_after_a_dry_run(
    good, admin, sample, tmp_path
):
    header, rows = sample
    # An export that lost its armed-group and qualification columns' content (NA everywhere).
    lost = [
        {
            k: ("NA" if k.startswith(("armed_group", "type_armed_group", "qualification")) else v)
            for k, v in r.items()
        }
        for r in rows
    ]
    path = write(tmp_path / "lost.csv", header, lost)
    statuses = StatusChange.objects.count()
    with pytest.raises(ImportRefused) as refused:
        import_ipis(path, actor=admin)
    assert "effacées" in refused.value.messages[0]
    assert snapshot() == good and StatusChange.objects.count() == statuses

    with pytest.raises(CommandError) as command:
        call_command("sites", "import-ipis", str(path))
    assert "Rien n'a été importé" in str(command.value) and "--dry-run" in str(command.value)
    assert snapshot() == good

    dry = import_ipis(path, actor=admin, dry_run=True)
    assert dry.dry_run and dry.visits_updated > 0 and dry.blanked
    assert snapshot() == good and StatusChange.objects.count() == statuses

    done = import_ipis(path, actor=admin, accept_rejections=True)
    assert done.visits_updated == dry.visits_updated and done.statuses_changed == dry.statuses_changed
    assert not Inspection.objects.filter(armed_group_present=True).exists()


def test_too_many_rejected_rows_write_nothing(admin, sample, tmp_path, capsys):
    header, rows = sample
    bad = [{**r, "qualification": "Violet"} if i % 10 == 0 else r for i, r in enumerate(rows)]
    path = write(tmp_path / "bad.csv", header, bad)
    with pytest.raises(CommandError) as refused:
        call_command("sites", "import-ipis", str(path))
    assert "lignes rejetées" in str(refused.value)
    assert not Site.objects.exists() and not Inspection.objects.exists()
    call_command("sites", "import-ipis", str(path), "--dry-run")
    assert "simulation" in capsys.readouterr().out.lower()
    assert not Site.objects.exists()
    call_command("sites", "import-ipis", str(path), "--accept-rejections")
    assert Inspection.objects.count() == len(rows) - len(range(0, len(rows), 10))


def test_a_binary_or_empty_file_ends_with_a_french_error(admin, tmp_path):
    binary = tmp_path / "photo.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(CommandError, match="données binaires"):
        call_command("sites", "import-ipis", str(binary))
    empty = tmp_path / "vide.csv"
    empty.write_bytes(b"")
    with pytest.raises(CommandError, match="vide"):
        call_command("sites", "import-ipis", str(empty))
    damaged = tmp_path / "ipis.xlsx"
    damaged.write_bytes(b"PK\x03\x04" + bytes(200))
    with pytest.raises(CommandError, match="XLSX"):
        call_command("sites", "import-ipis", str(damaged))
    with pytest.raises(CommandError, match="dossier"):
        call_command("sites", "import-ipis", str(tmp_path))
    assert not Site.objects.exists()
