"""`kinga backup` / `kinga restore`: round trip verified, wrong keys refused before writing, damage detected."""

import json
from io import StringIO

import environ
import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from kinga.core import crypto
from kinga.core.backup import read_manifest, verify
from kinga.core.models import AuditEvent
from kinga.core.roles import Role
from kinga.core.testing import make_member, make_organisation

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL only: pg_dump and pg_restore"
)


@pytest.fixture
def restore_target(settings):
    """An empty database on the same server; the connection points at it inside the test, then back. Made
    and restored as the owner role where the deployment has two (MIGRATION_DATABASE_URL, as in .ci/run)."""

    original = {key: connection.settings_dict[key] for key in ("NAME", "USER", "PASSWORD")}
    owner = dict(original)
    if settings.MIGRATION_DATABASE_URL:
        url = environ.Env.db_url_config(settings.MIGRATION_DATABASE_URL)
        owner.update(USER=url["USER"], PASSWORD=url["PASSWORD"])
    name = f"{original['NAME']}_restore"

    def switch(to):
        connection.close()
        connection.settings_dict.update(to)

    switch({**owner, "NAME": original["NAME"]})
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    switch(original)
    yield lambda: switch({**owner, "NAME": name})
    switch({**owner, "NAME": original["NAME"]})
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    switch(original)


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_gives_the_same_tables_and_every_identity_decrypts(tmp_path, restore_target):
    call_command("load-reference")
    call_command("synth", scale="demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    events = AuditEvent.objects.count()
    call_command("backup", str(tmp_path / "b"), stdout=open("/dev/null", "w"))  # noqa: SIM115
    manifest = read_manifest(tmp_path / "b")
    raw = (tmp_path / "b" / "database.dump").read_bytes()
    for key in [*crypto.settings.KINGA_ENCRYPTION_KEYS, crypto.settings.KINGA_BLIND_INDEX_KEY]:
        assert key.encode() not in raw and key not in json.dumps(manifest)
    assert manifest["tables"]["cases_child"]["rows"] > 0
    assert manifest["audit"]["events"] == events + 1  # the backup's own trace is in it

    restore_target()

    out = StringIO()
    call_command("restore", str(tmp_path / "b"), stdout=out)
    assert "Restauration vérifiée" in out.getvalue()
    report = verify(manifest)
    assert report.problems == [] or all("core_auditevent" in p or "audit" in p for p in report.problems)
    assert report.protected_values > 0

    # The checks are not vacuous: one changed row and one undecryptable name are both reported.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_child SET given_name = %s WHERE id = (SELECT min(id) FROM cases_child)",
            [Fernet(Fernet.generate_key()).encrypt(b"X").decode()],
        )
    problems = verify(manifest).problems
    assert any("cases_child" in p and "lignes" in p for p in problems)
    assert any("ne se déchiffre" in p and "Child" in p for p in problems)


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_restore_with_the_wrong_keys_stops_before_writing(tmp_path, restore_target):
    make_member(make_organisation(), Role.CASEWORKER)
    call_command("backup", str(tmp_path / "b"), stdout=open("/dev/null", "w"))  # noqa: SIM115
    restore_target()
    wrong_key = Fernet.generate_key().decode()
    refused = "Les clés configurées ne sont pas celles de cette sauvegarde"
    with override_settings(KINGA_ENCRYPTION_KEYS=[wrong_key]), pytest.raises(CommandError, match=refused):
        call_command("restore", str(tmp_path / "b"))
    with override_settings(KINGA_BLIND_INDEX_KEY="autre"), pytest.raises(CommandError, match="BLIND_INDEX"):
        call_command("restore", str(tmp_path / "b"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        assert cursor.fetchone()[0] == 0


@pytest.mark.django_db
def test_backup_on_sqlite_says_it_needs_postgresql(tmp_path, monkeypatch):
    if connection.vendor != "sqlite":  # the PostgreSQL pass checks the same refusal
        monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(CommandError, match="nécessitent PostgreSQL"):
        call_command("backup", str(tmp_path / "b"))
