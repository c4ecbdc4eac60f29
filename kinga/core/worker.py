"""`kinga worker`: django-tasks-db's worker, which also takes back the tasks a killed worker left running.

django-tasks-db marks a task RUNNING when a worker claims it and never looks at it again: a worker killed
mid-task (SIGKILL, out of memory, a reboot) leaves it RUNNING for ever, and nothing re-runs it. So each of our
workers names itself `host:pid:random`, and a worker starting (systemd restarts it) puts back to READY every
RUNNING task whose last claimer ran on this host under a pid that no longer exists. The task is then run
again from the start: Kinga's tasks are written to be re-run (the registry batch writes its pairs in one
transaction, skips the pairs already known and relies on a unique pair constraint; an invitation is sent
again). A task claimed on another host is left alone: its worker cannot be checked from here.
"""

from __future__ import annotations

import os
import socket

from django.db import connection, transaction
from django.utils.crypto import get_random_string
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{get_random_string(8)}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def requeue_interrupted() -> list[str]:
    """READY again: the RUNNING tasks whose worker on this host has died. Returns their ids."""
    host = socket.gethostname()
    requeued = []
    with transaction.atomic():
        running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
        if connection.features.has_select_for_update_skip_locked:
            running = running.select_for_update(skip_locked=True)
        for result in running:
            claimer = (result.worker_ids or [""])[-1].split(":")
            if len(claimer) != 3 or claimer[0] != host or not claimer[1].isdigit() or _alive(int(claimer[1])):
                continue
            result.status = TaskResultStatus.READY
            result.started_at = None
            result.save(update_fields=["status", "started_at"])
            requeued.append(str(result.id))
    return requeued
