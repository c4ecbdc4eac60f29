"""The registry batch as a task whose worker is killed mid-run: the next worker re-runs it, without duplicates."""

import os
import signal
import socket
import subprocess

import pytest
from django.core.management import call_command
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kinga.core.tasks import enqueue
from kinga.registry.models import CandidatePair
from kinga.registry.tasks import find_duplicates

from .conftest import register
from .test_registry import CHILD_A, CHILD_B

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _signal_handlers_restored():
    """The worker run in this process installs its shutdown handlers: later tests must not inherit them."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def _dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def _claimed_by(pid: int):
    result = DBTaskResult.objects.get(id=enqueue(find_duplicates).id)
    result.claim(f"{socket.gethostname()}:{pid}:killed00")
    return result


def test_a_batch_left_running_by_a_killed_worker_is_run_again_once(ngos, settings):
    register(ngos, ngos.worker_a, **CHILD_A)
    register(ngos, ngos.worker_b, **CHILD_B)
    CandidatePair.objects.all().delete()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    orphan = _claimed_by(_dead_pid())
    alive = _claimed_by(os.getpid())  # a worker still running elsewhere on this host

    # django-tasks-db's own worker never looks at it again: the import would be lost.
    call_command("db_worker", batch=True, startup_delay=False, verbosity=0)
    orphan.refresh_from_db()
    assert orphan.status == TaskResultStatus.RUNNING and CandidatePair.objects.count() == 0

    call_command("worker", batch=True, startup_delay=False, verbosity=0)
    orphan.refresh_from_db()
    alive.refresh_from_db()
    assert orphan.status == TaskResultStatus.SUCCESSFUL
    assert alive.status == TaskResultStatus.RUNNING
    assert CandidatePair.objects.count() == 1

    # Run again (as if the kill had come after the write): nothing twice.
    enqueue(find_duplicates)
    call_command("worker", batch=True, startup_delay=False, verbosity=0)
    assert CandidatePair.objects.count() == 1
