"""The audit trail holds against the database credentials the app serves requests with (PostgreSQL).

Under .ci/run every test is connected as the runtime role (conftest.py). On a developer's run connected as a
superuser, these tests take a runtime role granted by the same code `kinga migrate` runs (kinga.core.db_roles)
for the duration of the test's transaction."""

from contextlib import contextmanager

import pytest
from django.db import DatabaseError, connection, transaction

from kinga.core import db_roles
from kinga.core.models import AuditEvent, OrganisationType
from kinga.core.roles import Role
from kinga.core.services import create_organisation
from kinga.core.testing import actor_of, make_member, make_organisation

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="PostgreSQL only: database roles and triggers"
    ),
]

DEVELOPER_RUNTIME_ROLE = "kinga_test_runtime"


@contextmanager
def as_runtime_role():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        if cursor.fetchone()[0] == db_roles.runtime_role():
            yield
            return
        cursor.execute(
            f"DO $$ BEGIN CREATE ROLE {DEVELOPER_RUNTIME_ROLE} NOLOGIN; "
            "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
        )
        db_roles.grant_runtime_role(role=DEVELOPER_RUNTIME_ROLE)
        cursor.execute(f"SET ROLE {DEVELOPER_RUNTIME_ROLE}")
        try:
            yield
        finally:
            cursor.execute("RESET ROLE")


def _refused(sql: str, params=()) -> str:
    with pytest.raises(DatabaseError) as exc, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    return str(exc.value)


def test_the_runtime_role_adds_and_reads_the_trail_but_cannot_change_empty_or_unprotect_it():
    with as_runtime_role():
        event = AuditEvent.objects.create(action="other", target_type="x", note="original")
        assert AuditEvent.objects.filter(pk=event.pk, note="original").exists()
        refusals = {
            "update": _refused("UPDATE core_auditevent SET note = 'tampered' WHERE id = %s", [event.pk]),
            "delete": _refused("DELETE FROM core_auditevent WHERE id = %s", [event.pk]),
            "truncate": _refused("TRUNCATE core_auditevent"),
            "truncate cascade": _refused("TRUNCATE core_auditevent, core_user CASCADE"),
            "disable trigger": _refused(
                "ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only"
            ),
            "disable all": _refused("ALTER TABLE core_auditevent DISABLE TRIGGER ALL"),
            "drop trigger": _refused("DROP TRIGGER core_auditevent_no_truncate ON core_auditevent"),
            "fake a migration": _refused(
                "INSERT INTO django_migrations (app, name, applied) VALUES ('core', 'x', now())"
            ),
        }
        assert all(refusals.values()), refusals
        assert AuditEvent.objects.filter(pk=event.pk, note="original").exists()


def test_the_runtime_role_writes_the_records():
    with as_runtime_role():
        admin = actor_of(make_member(make_organisation(), Role.ADMIN))
        org = create_organisation(actor=admin, name="Bon Berger", type=OrganisationType.NGO, acronym="BB")
        assert AuditEvent.objects.filter(target_id=str(org.uuid), action="create").exists()


def test_truncate_is_refused_to_every_role_the_owner_included():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'core_auditevent'::regclass "
            "AND tgtype & 32 = 32 AND tgenabled = 'O'"  # 32: TRUNCATE; 'O': fires in normal sessions
        )
        assert [row[0] for row in cursor.fetchall()] == ["core_auditevent_no_truncate"]
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        superuser = cursor.fetchone()[0]
    if superuser:  # a developer's run: the trigger itself, not a missing privilege, refuses
        assert "append-only" in _refused("TRUNCATE core_auditevent")
