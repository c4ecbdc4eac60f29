"""One Sex (kinga.core.people) for the cases and community models: the values stored stay "F" and "M" ("" where
a community field allows an unknown sex), and the migrations that point the fields at it change no column."""

import pytest
from django.core.management import call_command
from django.db import connection

from kinga.cases.models import Child
from kinga.community.models import AlertChildren, NetworkMember, Participation
from kinga.core import people
from kinga.core.testing import client_for

from .conftest import register

pytestmark = pytest.mark.django_db


def test_a_child_registered_as_a_girl_is_stored_as_f_and_shown_in_french(team, today):
    case = register(team, sex="F")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT sex FROM {Child._meta.db_table} WHERE id = %s", [case.child_id])
        assert cursor.fetchone() == ("F",)
    page = client_for(team.worker).get(f"/cases/{case.uuid}/").content.decode()
    assert "Féminin" in page and "Masculin" not in page


def test_the_sex_fields_keep_their_stored_values():
    assert Child._meta.get_field("sex").choices == people.Sex.choices
    assert [value for value, _label in people.Sex.choices] == ["F", "M"]
    for model in (AlertChildren, NetworkMember, Participation):
        assert [value for value, _label in model._meta.get_field("sex").choices] == ["F", "M", ""]


@pytest.mark.django_db(transaction=True)  # sqlmigrate opens a schema editor: not inside a test's transaction
@pytest.mark.parametrize(("app", "migration"), [("cases", "0007"), ("community", "0004")])
def test_pointing_the_fields_at_core_changes_no_column(app, migration, capsys):
    call_command("sqlmigrate", app, migration)
    sql = capsys.readouterr().out
    statements = [line for line in sql.splitlines() if line.strip() and not line.startswith("--")]
    assert "(no-op)" in sql and set(statements) <= {"BEGIN;", "COMMIT;"}, sql
