import csv
import datetime
import io

import hxl
import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from kinga.community import fourw_io, selectors, services
from kinga.community.models import FourW
from kinga.community.services import seed_fourw_from_plan
from kinga.core.actors import system_actor
from kinga.core.models import AuditEvent, Place
from kinga.core.reference import load_organisations
from kinga.core.roles import Role
from kinga.core.testing import actor_of, client_for, make_member, make_organisation, shared_path
from kinga.plan.services.loading import ensure_plan_loaded

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 3, 1)
REFERENCE = shared_path("reference", "hxl", "3w_drc_cp.csv")


@pytest.fixture
def records(org, kolwezi, reference_places):
    clerk = actor_of(make_member(org, Role.DATA_CLERK))
    funder = make_organisation("UNICEF RDC", type="un_agency")
    mutshatsha = Place.objects.get(pcode="CD7202")
    services.create_fourw(
        actor=clerk,
        activity="Gestion de cas",
        place=kolwezi,
        start=TODAY,
        end=TODAY + datetime.timedelta(days=300),
        targeted_f=300,
        targeted_m=280,
        reached_f=150,
        reached_m=140,
        funder=funder,
        reached_by_age={"F": {"5-11": 100, "12-14": 50}, "M": {"15-17": 140}},
    )
    services.create_fourw(
        actor=clerk, activity="Réinsertion scolaire", place=mutshatsha, start=TODAY, status="planned"
    )
    return clerk


def _export_csv(actor, **filters):
    return "".join(
        fourw_io.export(actor=actor, queryset=selectors.fourw(actor, **filters), fmt="csv", filters={})
    )


def test_csv_parses_with_libhxl_and_pcodes_match_places(records):
    text = _export_csv(records)
    dataset = hxl.data(io.BytesIO(text.encode("utf-8")))
    rows = list(dataset)
    assert len(rows) == 2
    by_activity = {row.get("#activity+name"): row for row in rows}
    kzi = by_activity["Gestion de cas"]
    assert kzi.get("#adm1+code") == "CD72" and kzi.get("#adm2+code") == "CD7201"
    assert Place.objects.get(pcode=kzi.get("#adm2+code")).name == kzi.get("#adm2+name")
    assert kzi.get("#reached+f+children") == "150" and kzi.get("#date+start") == "2026-03-01"
    assert kzi.get("#org+funder+name") == "UNICEF RDC"
    assert kzi.get("#reached+f+children+age5_11") == "100"
    assert by_activity["Réinsertion scolaire"].get("#adm2+code") == "CD7202"
    assert AuditEvent.objects.filter(action="export", target_type="community.fourw").exists()


def test_columns_follow_the_reference_template_then_the_plan_action(records):
    with open(REFERENCE, encoding="utf-8") as handle:
        ref_headers, ref_tags = next(csv.reader(handle)), next(csv.reader(handle))
    reader = csv.reader(io.StringIO(_export_csv(records).lstrip("\ufeff")))
    headers, tags = next(reader), next(reader)
    assert headers[: len(ref_headers)] == ref_headers
    assert tags[: len(ref_tags)] == ref_tags
    assert headers[len(ref_headers)] == "Action du plan"


def test_territory_filter(records):
    text = _export_csv(records, territory=Place.objects.get(pcode="CD7202"))
    assert "Réinsertion scolaire" in text and "Gestion de cas" not in text


def test_xlsx_export_has_hxl_row(records):
    handle = fourw_io.export(actor=records, queryset=selectors.fourw(records), fmt="xlsx", filters={})
    sheet = openpyxl.load_workbook(handle, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Organisation" and rows[1][0] == "#org+prog+name" and len(rows) == 4


def test_command_exports_csv_and_xlsx(records, tmp_path):
    out = tmp_path / "4w.csv"
    call_command(
        "community",
        "export-4w",
        "--format",
        "csv",
        "-o",
        str(out),
        "--territory",
        "CD7201",
        "--from",
        "2026-01-01",
        "--to",
        "2026-12-31",
    )
    rows = list(hxl.data(io.BytesIO(out.read_bytes())))
    assert [r.get("#adm2+code") for r in rows] == ["CD7201"]
    xlsx = tmp_path / "4w.xlsx"
    call_command("community", "export-4w", "--format", "xlsx", "-o", str(xlsx))
    assert openpyxl.load_workbook(xlsx).active.max_row == 4


def test_screen_export_streams(records, org):
    client = client_for(make_member(org, Role.VIEWER))
    response = client.get(reverse("community:fourw_export", args=["csv"]) + "?territory=CD7201")
    assert response.status_code == 200 and response.streaming
    body = b"".join(response.streaming_content).decode()
    assert "Gestion de cas" in body and "Réinsertion scolaire" not in body
    assert (
        client_for(make_member(org, Role.FOCAL_POINT))
        .get(reverse("community:fourw_export", args=["csv"]))
        .status_code
        == 403
    )


def test_import_round_trip_and_atomic_errors(records, org):
    text = _export_csv(records)
    FourW.objects.all().delete()
    result = services.import_fourw(actor=records, content=text.encode())
    assert result.created == 2 and FourW.objects.filter(source="imported").count() == 2
    FourW.objects.all().delete()
    broken = text.replace("CD7202", "CD9999")
    with pytest.raises(ValidationError) as err:
        services.import_fourw(actor=records, content=broken.encode())
    assert "Ligne 4" in err.value.summary  # header, HXL row, then the broken row
    assert not FourW.objects.exists()  # one row of two rejected: over the threshold, nothing half-imported


def test_seed_from_plan_is_idempotent(db, reference_places):
    load_organisations()
    ensure_plan_loaded(actor=system_actor())
    first = seed_fourw_from_plan(actor=system_actor())
    assert first > 0 and FourW.objects.filter(source="plan", plan_action__isnull=False).count() == first
    assert seed_fourw_from_plan(actor=system_actor()) == 0
