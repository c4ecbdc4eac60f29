import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from kinga.core.models import AuditEvent
from kinga.core.roles import Role
from kinga.core.tabular import ImportRefused
from kinga.core.testing import actor_of, assert_not_stored_in_clear, make_member, make_organisation
from kinga.households import services
from kinga.households.models import Household, HouseholdScore, ImportBatch, QuarantinedRow, Survey
from kinga.households.tests.factories import make_round

pytestmark = pytest.mark.django_db

HEADER = (
    "household_id;place;head_name;head_sex;head_age;household_size;surveyed_on;hunger_scale;housing;"
    "income_artisanal_mining;income_trade;has_productive_assets;children_working;children_working_at_mine;"
    "school_age_out_of_school"
)
GOOD = [
    "KZI-001;CD7201;Mwamba Kalenga;F;38;6;2024-02-01;3;precarious;40;10;non;1;1;1",
    "KZI-002;Kolwezi;Ngoy Banza;M;45;4;01/02/2024;1;durable;0;300;oui;0;0;0",
]
BAD = [
    "KZI-003;CD7201;Mpoyi Yav;M;45;300;2024-02-01;2;durable;0;-5;oui;0;0;0",  # 300 people, negative income
    "KZI-004;Nowhere;Mbuyu Kitenge;F;130;4;2024-02-01;9;castle;0;0;peut-être;0;0;0",
]


def csv_bytes(lines):
    return ("\n".join([HEADER, *lines]) + "\n").encode()


@pytest.fixture
def clerk():
    return actor_of(make_member(make_organisation(), Role.DATA_CLERK))


def test_import_creates_quarantines_and_reimport_updates(clerk, kolwezi):
    rnd = make_round(1)
    batch = services.import_round(
        actor=clerk, round=rnd, content=csv_bytes(GOOD + BAD), filename="r1.csv", accept_rejections=True
    )
    assert (batch.created, batch.updated, batch.quarantined) == (2, 0, 2)
    errors = {row.line: row.errors for row in QuarantinedRow.objects.all()}
    assert set(errors[4]) >= {"household_size", "income_trade"}
    assert set(errors[5]) >= {"place", "head_age", "hunger_scale", "housing", "has_productive_assets"}
    assert QuarantinedRow.objects.get(line=4).content["head_name"] == "Mpoyi Yav"  # nothing lost
    assert_not_stored_in_clear("Mpoyi")
    assert HouseholdScore.objects.count() == 2
    # Re-import with a change: updated, never duplicated.
    again = services.import_round(
        actor=clerk,
        round=rnd,
        content=csv_bytes([GOOD[0].replace(";3;precarious", ";1;precarious")]),
        filename="r1b.csv",
    )
    assert (again.created, again.updated) == (0, 1)
    assert Household.objects.count() == 2 and Survey.objects.count() == 2
    assert Survey.objects.get(household__survey_id="KZI-001").hunger_scale == 1
    assert AuditEvent.objects.filter(target_type="households.importbatch").count() == 2


def test_import_from_xlsx(clerk, kolwezi):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER.split(";"))
    ws.append(GOOD[0].split(";"))
    buffer = io.BytesIO()
    wb.save(buffer)
    batch = services.import_round(
        actor=clerk, round=make_round(1), content=buffer.getvalue(), filename="r1.xlsx"
    )
    assert batch.created == 1


def test_a_file_without_the_key_columns_is_refused_whole(clerk, kolwezi):
    with pytest.raises(ValidationError):
        services.import_round(actor=clerk, round=make_round(1), content=b"a,b\n1,2\n", filename="x.csv")
    assert not Household.objects.exists()


def test_import_requires_the_permission(kolwezi):
    viewer = actor_of(make_member(make_organisation(), Role.VIEWER))
    with pytest.raises(PermissionDenied):
        services.import_round(actor=viewer, round=make_round(1), content=csv_bytes(GOOD), filename="r.csv")


def test_score_command_prints_counts(clerk, kolwezi):
    services.import_round(actor=clerk, round=make_round(1), content=csv_bytes(GOOD), filename="r1.csv")
    out = io.StringIO()
    call_command("households", "score", stdout=out)
    text = out.getvalue().strip()
    assert text.startswith("2 ménage(s) noté(s), 0 sans note (aucune enquête), en ") and text.endswith(" s")


def test_command_refuses_an_unknown_round_or_index_version_in_french(tmp_path):
    with pytest.raises(CommandError, match="Version de l'indice inconnue : v9"):
        call_command("households", "score", "--version", "v9")
    with pytest.raises(CommandError, match="Passage inconnu : r9"):
        call_command("households", "import", str(tmp_path / "r.csv"), "--round", "r9")


def test_too_many_quarantined_rows_write_nothing_unless_accepted(clerk, kolwezi, tmp_path):
    with pytest.raises(ImportRefused, match="lignes rejetées"):
        services.import_round(
            actor=clerk, round=make_round(1), content=csv_bytes(GOOD + BAD), filename="r.csv"
        )
    assert not Household.objects.exists() and not QuarantinedRow.objects.exists()
    assert not ImportBatch.objects.exists()
    path = tmp_path / "r.csv"
    path.write_bytes(csv_bytes(GOOD + BAD))
    member = clerk.membership
    with pytest.raises(CommandError, match="Rien n'a été importé"):
        call_command("households", "import", str(path), "--round", "r1", actor=member.user.email)
    out = io.StringIO()
    call_command(
        "households",
        "import",
        str(path),
        "--round",
        "r1",
        "--dry-run",
        actor=member.user.email,
        stdout=out,
    )
    assert "Simulation" in out.getvalue() and "2 créé" in out.getvalue()
    assert not Household.objects.exists() and not ImportBatch.objects.exists()


def r_style(lines, *, encoding="utf-8", delimiter=","):
    """As R's write.csv writes the file: row names, every text quoted, NA for missing, logicals TRUE/FALSE."""
    header = HEADER.split(";")
    out = ['"",' + ",".join(f'"{h}"' for h in header)]
    for n, line in enumerate(lines, start=1):
        cells = []
        for value in line.split(";"):
            value = {"oui": "TRUE", "non": "FALSE", "": "NA"}.get(value, value)
            cells.append(
                value
                if value.replace(".", "").isdigit() or value in ("TRUE", "FALSE", "NA")
                else f'"{value}"'
            )
        out.append(f'"{n}",' + ",".join(cells))
    return ("\r\n".join(out) + "\r\n").replace(",", delimiter).encode(encoding)


@pytest.mark.parametrize(
    "content",
    [
        r_style(GOOD),
        r_style(GOOD, encoding="cp1252", delimiter=";"),
        csv_bytes(GOOD).decode().replace(";non;", ";FAUX;").replace(";oui;", ";VRAI;").encode("utf-8-sig"),
        csv_bytes([g.replace("Mwamba Kalenga", "Mwamba Kalengé\u2028Ilunga") for g in GOOD]),
    ],
    ids=["r-style", "r-style-cp1252-semicolon", "bom-vrai-faux", "u2028"],
)
def test_what_r_excel_and_kobo_write_reads_like_the_template(clerk, kolwezi, content):
    batch = services.import_round(actor=clerk, round=make_round(1), content=content, filename="r1.csv")
    assert (batch.created, batch.quarantined) == (2, 0)
    first = Survey.objects.get(household__survey_id="KZI-001")
    second = Survey.objects.get(household__survey_id="KZI-002")
    assert (first.has_productive_assets, second.has_productive_assets) == (False, True)
    assert first.household.head_name.startswith("Mwamba Kalen")


def test_a_reimport_that_would_blank_recorded_answers_writes_nothing(clerk, kolwezi):
    rnd = make_round(1)
    services.import_round(actor=clerk, round=rnd, content=csv_bytes(GOOD), filename="r1.csv")
    lost = csv_bytes([GOOD[0].replace(";40;10;non;1;1;1", ";NA;NA;non;NA;NA;NA")])
    with pytest.raises(ImportRefused, match="effacées"):
        services.import_round(actor=clerk, round=rnd, content=lost, filename="r1b.csv")
    survey = Survey.objects.get(household__survey_id="KZI-001")
    assert survey.children_working == 1 and survey.monthly_income_usd == 50
    dry = services.import_round(actor=clerk, round=rnd, content=lost, filename="r1b.csv", dry_run=True)
    assert dry.updated == 1 and "KZI-001 : income_trade" in dry.blanked
    survey.refresh_from_db()
    assert survey.children_working == 1
    services.import_round(actor=clerk, round=rnd, content=lost, filename="r1b.csv", accept_rejections=True)
    survey.refresh_from_db()
    assert survey.children_working == 0


def test_a_binary_file_gets_a_french_error(clerk, kolwezi):
    with pytest.raises(ValidationError, match="données binaires"):
        services.import_round(
            actor=clerk, round=make_round(1), content=b"\x89PNG\r\n\x1a\n\x00\x00IHDR", filename="r.csv"
        )
