import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from openpyxl import Workbook

from kinga.core.models import AuditEvent
from kinga.core.roles import Role
from kinga.core.testing import actor_of, assert_not_stored_in_clear, make_member, make_organisation
from kinga.households import services
from kinga.households.models import Household, HouseholdScore, QuarantinedRow, Survey
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
    batch = services.import_round(actor=clerk, round=rnd, content=csv_bytes(GOOD + BAD), filename="r1.csv")
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
    assert text.startswith("scored 2, not scored 0 (no survey), in ") and text.endswith(" s")
