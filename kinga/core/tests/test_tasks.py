"""Background work: a task enqueued by one process is run by `kinga worker` in another."""

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from kinga.core.crypto import ProtectedValue
from kinga.core.tasks import enqueue, send_invitation_email
from kinga.core.testing import make_member, make_organisation, production_env

KINGA = str(Path(sys.executable).parent / "kinga")
DB_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _env(database_url: str, mail_dir: Path) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kinga.settings.base",
        "DATABASE_URL": database_url,
        "KINGA_TASK_BACKEND": "django_tasks_db.DatabaseBackend",
        "EMAIL_URL": f"filemail:///{mail_dir}",  # environ drops one leading slash
        "KINGA_VAR_DIR": str(mail_dir.parent / "var"),
        "SECRET_KEY": "worker-test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
    }


def _run(args, env, timeout=600):
    result = subprocess.run([KINGA, *args], env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


ENQUEUE = """
from kinga.core.testing import make_member, make_organisation
from kinga.core.roles import Role
from kinga.core.tasks import enqueue, send_invitation_email
member = make_member(make_organisation(), Role.CASEWORKER, email="invitee@test.cd")
result = enqueue(send_invitation_email, membership_id=member.pk, base_url="https://kinga.example.cd/")
print("TASK", result.id, result.status)
"""


def _postgres_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_a_task_enqueued_in_one_process_is_run_by_the_worker_in_another(tmp_path, settings):
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    if connection.vendor == "postgresql":
        # The test process enqueues into the test database; the worker is another process on it.

        settings.TASKS = DB_BACKEND  # django-tasks resets its backends when the setting changes
        member = make_member(make_organisation(), "caseworker", email="invitee@test.cd")
        result = enqueue(send_invitation_email, membership_id=member.pk, base_url="https://kinga.example.cd/")
        task_id = str(result.id)
        env = _env(_postgres_url(), mail_dir)
    else:
        # An in-memory SQLite database cannot be shared: both sides work on a file copy of the (already
        # migrated) test database; migrating a new file in a subprocess took minutes of the suite.
        database_file = tmp_path / "tasks.sqlite3"
        connection.ensure_connection()
        with closing(sqlite3.connect(database_file)) as copy:
            connection.connection.backup(copy)
        env = _env(f"sqlite:///{database_file}", mail_dir)
        output = _run(["shell", "-c", ENQUEUE], env)
        _marker, task_id, status = next(
            line for line in output.splitlines() if line.startswith("TASK ")
        ).split()
        assert status == "READY"
    assert not list(mail_dir.iterdir()), "the task ran before the worker did"

    _run(["worker", "--batch", "--no-startup-delay", "-v0"], env)

    mails = [p.read_text() for p in mail_dir.iterdir()]
    assert len(mails) == 1 and "invitee@test.cd" in mails[0]
    assert "https://kinga.example.cd/accounts/password/reset/key/" in mails[0]
    check = f"from django_tasks_db.models import DBTaskResult; r = DBTaskResult.objects.get(id='{task_id}'); print('RESULT', r.status, r.args_kwargs)"
    output = _run(["shell", "-c", check], env)
    _marker, status, arguments = next(
        line for line in output.splitlines() if line.startswith("RESULT ")
    ).split(" ", 2)
    assert status == "SUCCESSFUL"
    assert "reset" not in arguments  # the link (a secret) was made by the worker, never stored


def test_protected_values_are_refused_as_task_arguments():
    with pytest.raises(TypeError, match="protected"):
        enqueue(send_invitation_email, membership_id=1, base_url=ProtectedValue("Kabila Mwamba"))
    with pytest.raises(TypeError, match="protected"):
        enqueue(send_invitation_email, membership_id=1, base_url=["x", {"name": ProtectedValue("Ilunga")}])


def test_the_embedded_setup_runs_tasks_at_once_and_production_uses_the_database(tmp_path):
    assert settings.TASKS["default"]["BACKEND"].endswith("ImmediateBackend")
    production = subprocess.run(
        [
            KINGA,
            "shell",
            "-c",
            "from django.conf import settings; print(settings.TASKS['default']['BACKEND'])",
        ],
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
    )
    assert production.stdout.strip().splitlines()[-1] == "django_tasks_db.DatabaseBackend", production.stderr
