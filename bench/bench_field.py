"""Field intake (issue 16): the push endpoint, the bulk pull of 100,000 household surveys, a retry storm.

- Push: KoboToolbox's REST-service post of one household survey through the Django test client (no network),
  with the production task backend (django-tasks-db): the answer comes once the raw submission is stored
  (encrypted) and its processing queued. Median and p95 of 300 posts; target p95 < 100 ms.
- Bulk pull: `kinga.field.pull.pull` against a fake KoboToolbox v2 data API on loopback, in a process of its own
  (bench/fake_kobo.py), serving 100,000 household surveys of the bench database's households in pages of 1,000.
  Each page is stored in bulk and its application queued (400 tasks). Rate in submissions per second (target
  >= 1,000/s); the process's resident memory (VmRSS) is sampled every 50 ms: its peak growth for 20,000 and for
  100,000 submissions shows whether memory stays flat. Then the worker's application of 1,000 of them (four
  tasks) is timed, inside a transaction rolled back (the bench database's surveys are left as they were).
- Retry storm: the same submission posted 50 times at once from 50 threads (50 database connections); stored
  once, queued once. Five storms.

The pulls run in a transaction rolled back at the end; the pushed submissions and their tasks are deleted (their
audit events stay: the trail is append-only) and the bench's form key revoked.
"""

from __future__ import annotations

import datetime
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from django.db import connection, transaction
from django.db.models import Count
from django.test import Client, override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from bench.measure import rss_mb
from kinga.core.actors import system_actor
from kinga.core.models import Membership
from kinga.field import pull, services
from kinga.field.models import FormAccess, PullSource, Source, State, Submission
from kinga.households.models import Household, SurveyRound

HERE = Path(__file__).resolve().parent
FORM = "kinga_household_survey"
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
PUSHES = 300
STORM = 50
STORMS = 5


class _Rollback(Exception):
    pass


class _Sampler(threading.Thread):
    """The peak of this process's resident memory while a block runs."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak = rss_mb()
        self.stop = threading.Event()

    def run(self):
        while not self.stop.wait(0.05):
            self.peak = max(self.peak, rss_mb())


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)  # every thread of this process
    return usage.ru_utime + usage.ru_stime


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _process_cpu_seconds(pid: int) -> float:
    """User and system time of a process of this machine (the PostgreSQL backend serving this connection)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # a database on another machine: its time is not counted
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _households(limit: int = 2000) -> tuple[Membership, list[dict]]:
    """The organisation with the most households, one of its members who records surveys, and its households."""
    top = (
        Household.objects.values("organisation").annotate(n=Count("pk")).order_by("-n").first()
        if Household.objects.exists()
        else None
    )
    if top is None:
        raise RuntimeError("no household in the bench database")
    membership = (
        Membership.objects.filter(
            organisation_id=top["organisation"], is_active=True, role__in=["data_clerk", "caseworker"]
        )
        .select_related("user", "organisation")
        .order_by("role", "pk")
        .first()
    )
    if membership is None:
        raise RuntimeError("no data clerk or caseworker in the organisation with the most households")
    # A round with ten days behind today (100,000 surveys 7 seconds apart span eight days): the service
    # refuses a survey dated outside its round, or in the future.
    today = timezone.localdate()
    rounds = SurveyRound.objects.filter(starts_on__lte=today - datetime.timedelta(days=10)).order_by(
        "-starts_on"
    )
    survey_round = next((r for r in rounds if (min(r.ends_on, today) - r.starts_on).days >= 10), None)
    if survey_round is None:
        raise RuntimeError("no survey round of ten days or more in the bench database")
    households = [
        {
            "place": pcode,
            "survey_id": survey_id,
            "round": survey_round.code,
            "surveyed_from": survey_round.starts_on.isoformat(),
        }
        for pcode, survey_id in Household.objects.filter(organisation_id=top["organisation"])
        .exclude(survey_id="")
        .values_list("place__pcode", "survey_id")[:limit]
    ]
    return membership, households


def _survey_payload(households: list[dict], n: int) -> dict:
    sys.path.insert(0, str(HERE))
    from fake_kobo import survey  # noqa: PLC0415  (the bench folder is not a package)

    payload = survey(n, households)
    instance = str(uuid.uuid4())  # a run never finds a submission of an earlier run
    payload.update({"meta/instanceID": f"uuid:{instance}", "_uuid": instance})
    return payload


# --- push -------------------------------------------------------------------------------------------------


def _push(ctx, key: str, households: list[dict]) -> None:
    client = Client()
    url = f"/terrain/reception/kobo/{FORM}/"
    timings = []
    for i in range(PUSHES + 10):
        payload = _survey_payload(households, 10_000_000 + i)
        body = json.dumps(payload)
        t0 = time.perf_counter()
        response = client.post(url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}")
        elapsed = (time.perf_counter() - t0) * 1000
        if response.status_code != 201:
            raise RuntimeError(f"push answered {response.status_code}: {response.content[:200]}")
        if i >= 10:  # the first posts warm the process
            timings.append(elapsed)
    timings.sort()
    waiting = Submission.objects.filter(form_id=FORM, channel="push", state=State.RECEIVED).count()
    ctx.add("field: push endpoint (stored, queued) median", statistics.median(timings), "ms", PUSHES)
    ctx.add("field: push endpoint (stored, queued) p95", timings[int(len(timings) * 0.95) - 1], "ms", PUSHES)
    print(f"bench field: {waiting} pushed submissions stored and waiting for the worker")


# --- bulk pull --------------------------------------------------------------------------------------------


def _pull(ctx, membership: Membership, households: list[dict], count: int, label: str) -> list[str]:
    port = _free_port()
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(households, handle)
    server = subprocess.Popen(
        [sys.executable, str(HERE / "fake_kobo.py"), str(port), str(count), handle.name]
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        source = PullSource.objects.create(
            source=Source.KOBO,
            url=f"http://127.0.0.1:{port}",
            asset=f"aBench{uuid.uuid4().hex[:12]}",
            form_id=FORM,
            secret="bench-kobo-token",
            membership=membership,
            scheduled=False,
        )
        before_tasks = DBTaskResult.objects.count()
        backend = _backend_pid()
        sampler = _Sampler()
        baseline = rss_mb()
        sampler.start()
        cpu0, db0 = _cpu_seconds(), _process_cpu_seconds(backend)
        t0 = time.perf_counter()
        outcome = pull.pull(source=source)
        elapsed = time.perf_counter() - t0
        cpu, db = _cpu_seconds() - cpu0, _process_cpu_seconds(backend) - db0
        sampler.stop.set()
        sampler.join()
        tasks = DBTaskResult.objects.count() - before_tasks
    finally:
        server.terminate()
        server.wait()
        os.unlink(handle.name)
    if outcome.stored != count:
        raise RuntimeError(f"pull stored {outcome.stored} of {count} ({outcome})")
    ctx.add(f"field: bulk pull {label}, rate", count / elapsed, "submissions/s", count)
    ctx.add(f"field: bulk pull {label}, peak RSS growth", sampler.peak - baseline, "MB", count)
    # On a shared machine the wall-clock rate is the share of the two cores this process got; the CPU time
    # Kinga's process and its PostgreSQL backend spent says what the pull costs whatever the load.
    ctx.add(
        f"field: bulk pull {label}, per CPU second (Kinga + PostgreSQL)",
        count / (cpu + db),
        "submissions/s",
        count,
    )
    print(
        f"bench field: pulled {count} in {elapsed:.1f} s ({count / elapsed:.0f}/s), {outcome.pages} pages, "
        f"{tasks} tasks queued, RSS {baseline:.0f} → peak {sampler.peak:.0f} MB; CPU {cpu:.1f} s Kinga + "
        f"{db:.1f} s PostgreSQL; load average {os.getloadavg()[0]:.1f}"
    )
    return [
        t
        for t in DBTaskResult.objects.filter(task_path="kinga.field.tasks.process_batch_task")
        .order_by("enqueued_at")
        .values_list("pk", flat=True)[:4]
    ]


def _apply(ctx, task_ids: list[str]) -> None:
    """What the worker does with the first four queued batches, timed (rolled back with the pull)."""
    t0 = time.perf_counter()
    states: dict[str, int] = {}
    for task in DBTaskResult.objects.filter(pk__in=task_ids):
        for state, n in task.task.call(**task.args_kwargs["kwargs"]).items():
            states[state] = states.get(state, 0) + n
    elapsed = time.perf_counter() - t0
    applied = sum(states.values())
    ctx.add("field: worker applies household surveys, rate", applied / elapsed, "submissions/s", applied)
    print(f"bench field: worker applied {applied} in {elapsed:.1f} s: {states}")


# --- retry storm ------------------------------------------------------------------------------------------


def _storm(ctx, key: str, households: list[dict]) -> None:
    url = f"/terrain/reception/kobo/{FORM}/"
    records, durations = [], []
    for n in range(STORMS):
        body = json.dumps(_survey_payload(households, 20_000_000 + n))
        instance = json.loads(body)["meta/instanceID"][5:]
        barrier = threading.Barrier(STORM)
        codes: list[int] = []

        def post(body=body, barrier=barrier, codes=codes):
            try:
                barrier.wait()
                response = Client().post(
                    url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}"
                )
                codes.append(response.status_code)
            finally:
                connection.close()

        threads = [threading.Thread(target=post) for _ in range(STORM)]
        t0 = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        durations.append(time.perf_counter() - t0)
        stored = Submission.objects.filter(form_id=FORM, instance_id=instance).count()
        queued = DBTaskResult.objects.filter(
            task_path="kinga.field.tasks.process_submission_task",
            args_kwargs__kwargs__submission_id__in=[
                str(pk) for pk in Submission.objects.filter(instance_id=instance).values_list("pk", flat=True)
            ],
        ).count()
        if sorted(set(codes)) != [200, 201] or codes.count(201) != 1 or len(codes) != STORM:
            raise RuntimeError(f"retry storm answered {sorted(codes)}")
        records.append((stored, queued))
    worst = max(max(s, q) for s, q in records)
    ctx.add(
        f"field: retry storm of {STORM} identical posts, records stored (worst of {STORMS})", worst, "rows"
    )
    ctx.add(
        f"field: retry storm of {STORM} identical posts, wall time median",
        statistics.median(durations) * 1000,
        "ms",
    )
    print(
        f"bench field: storms (stored, queued) = {records}, wall times {[round(d, 2) for d in durations]} s"
    )


# --- clean-up ---------------------------------------------------------------------------------------------


def _clean(started) -> None:
    """The pushed submissions and their tasks (their audit events stay: the trail is append-only)."""
    deleted, _kinds = Submission.objects.filter(form_id=FORM, received_at__gte=started).delete()
    DBTaskResult.objects.filter(task_path__startswith="kinga.field.tasks.", enqueued_at__gte=started).delete()
    FormAccess.objects.filter(name="bench field").update(revoked_at=timezone.now())
    print(f"bench field: {deleted} rows of pushed submissions and their tasks deleted")


def _rolled_back(fn, *args) -> None:
    try:
        with transaction.atomic():
            fn(*args)
            raise _Rollback
    except _Rollback:
        pass


def _pull_and_apply(ctx, membership, households, count, label) -> None:
    task_ids = _pull(ctx, membership, households, count, label)
    if count == 100_000:
        _apply(ctx, task_ids)


def run(ctx) -> None:
    membership, households = _households()
    print(
        f"bench field: {len(households)} households of {membership.organisation}, acting as {membership.role}"
    )
    started = timezone.now()
    _access, key = services.create_form_access(
        actor=system_actor(), form_id=FORM, name="bench field", membership=membership
    )
    with override_settings(TASKS=DB_TASKS):
        try:
            _push(ctx, key, households)
            _storm(ctx, key, households)
        finally:
            _clean(started)
        # The pulls run in a transaction rolled back at the end (each page's commit becomes a savepoint): the
        # bench database does not keep 120,000 submissions and their audit events, which cannot be deleted.
        for count, label in ((20_000, "20,000 surveys"), (100_000, "100,000 surveys")):
            _rolled_back(_pull_and_apply, ctx, membership, households, count, label)
