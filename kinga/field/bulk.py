"""Storing many submissions at once (a page of a server's API, thousands at a time): the same rules as
`services.receive` — stored as received, identity encrypted, one row per instance ID, audited — in a few
queries per page instead of several per submission, and their application queued in batches.

A batch is one task: the worker applies its submissions in the order the server listed them, so an edit in the
same page as its first version comes after it (and `services.process` applies a waiting earlier version first
whatever the order the tasks run in)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from kinga.core import audit, tasks
from kinga.core.models import AuditAction, Membership

from . import attachments
from .models import State, Submission
from .reading import Parsed
from .services import account_for
from .tasks import process_batch_task

BATCH = 250  # submissions per processing task: a task's arguments stay small, a batch still amortises it


@dataclass
class Stored:
    created: list[str] = field(default_factory=list)  # ids of the submissions stored now, in order
    already: int = 0  # instance IDs stored before (a page repeated at the cursor, a redelivery)


def _array(values: list[str]) -> str:
    """A PostgreSQL array literal: the values as one parameter (a list parameter of a thousand values is quoted
    value by value on the client by psycopg's array dumper, and cost a page more than its INSERT)."""
    quoted = ('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)
    return "{" + ",".join(quoted) + "}"


_ANY = {
    ("instance_id", "text"): "instance_id = ANY(%s::text[])",
    ("id", "uuid"): "id = ANY(%s::uuid[])",
}


def column_in(column: str, values: list[str], cast: str = "text") -> Q:
    """`column` is one of `values`. On PostgreSQL `= ANY(array)`: the unique index answers it whatever the
    table's statistics say (a subquery of the values let the planner scan a table grown within one pull)."""
    if connection.vendor == "postgresql":
        sql = _ANY[(column, cast)]  # the column and type are this module's, never input
        return Q(RawSQL(sql, [_array(values)], output_field=BooleanField()))  # noqa: S611
    if cast == "uuid":  # SQLite keeps UUIDs as 32 hexadecimal digits
        values = [v.replace("-", "") for v in values]
    return Q(**{f"{column}__in": values})


class Accounts:
    """The account each submitter's submissions act as (services.account_for), asked once per submitter."""

    def __init__(self, membership: Membership | None):
        self.membership = membership
        self._found: dict[str, Membership | None] = {}

    def __call__(self, submitter: str) -> Membership | None:
        if submitter not in self._found:
            self._found[submitter] = account_for(self.membership, submitter)
        return self._found[submitter]


def receive_many(
    *,
    source: str,
    channel: str,
    form_id: str,
    parsed: Iterable[Parsed],
    accounts: Accounts,
    queue: bool = True,
) -> Stored:
    """Store the submissions not stored yet (one INSERT; a concurrent writer's row wins silently through the
    unique key), audit them (one INSERT), and queue their application in batches in the same transaction.
    The caller has checked the form; submissions of another form are the caller's to refuse."""
    result = Stored()
    items: dict[str, Parsed] = {}
    for p in parsed:
        if p.instance_id in items:
            result.already += 1
        else:
            items[p.instance_id] = p
    if not items:
        return result
    existing = set(
        Submission.objects.filter(
            column_in("instance_id", list(items)), source=source, form_id=form_id
        ).values_list("instance_id", flat=True)
    )
    # ODK Collect's edits name the version they replace, which knows the root: read them in one query.
    wanted = {p.deprecated_id for p in items.values() if p.deprecated_id and not p.root_id}
    roots = dict(
        Submission.objects.filter(source=source, form_id=form_id, instance_id__in=wanted).values_list(
            "instance_id", "root_id"
        )
        if wanted
        else ()
    )
    rows: list[Submission] = []
    for p in items.values():
        if p.instance_id in existing:
            result.already += 1
            continue
        root = p.root_id or roots.get(p.deprecated_id) or p.deprecated_id or p.instance_id
        roots[p.instance_id] = root  # an edit later in the same page finds its root here
        account = accounts(p.submitter)
        rows.append(
            Submission(
                source=source,
                channel=channel,
                form_id=form_id,
                instance_id=p.instance_id,
                root_id=root,
                deprecated_id=p.deprecated_id,
                raw=p.raw,
                answers=p.answers,
                submitted_at=p.submitted_at,
                submitter=p.submitter,
                account=account,
                organisation=account.organisation if account else None,
            )
        )
    if not rows:
        return result
    with transaction.atomic():
        stored = insert_rows(rows)
        result.already += len(rows) - len(stored)
        audit.record_many(
            action=AuditAction.CREATE,
            targets=[
                (r, r.account.user if r.account else None, r.account.organisation if r.account else None)
                for r in stored
            ],
            changes={"state": [None, State.RECEIVED], "channel": [None, channel]},
        )
        attachments.links(
            [(r, items[r.instance_id].attachments) for r in stored if items[r.instance_id].attachments]
        )
        result.created = [str(r.pk) for r in stored]
        if queue and result.created:
            # In the same transaction: with the database task backend the rows and their tasks commit together
            # (nothing stored is left without its task); the embedded backend applies them here.
            queue_batches(result.created)
    return result


def insert_rows(rows: list[Submission]) -> list[Submission]:
    """Insert the rows; those another writer stored meanwhile (same instance ID) are left out and not returned.

    On PostgreSQL the page is copied (COPY): Django's INSERT of a thousand rows quotes each of their values on
    the client and was most of a page's time. A conflict (a concurrent push of one of them, after the check
    above) fails the copy as a whole: the page is then inserted row-safe with ON CONFLICT DO NOTHING."""
    if connection.vendor == "postgresql":
        try:
            with transaction.atomic():
                _copy(rows)
            return rows
        except IntegrityError:
            pass
    Submission.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    # ignore_conflicts does not say which rows went in: the ids this call chose and now finds are its own.
    mine = set(
        Submission.objects.filter(column_in("id", [str(r.pk) for r in rows], "uuid")).values_list(
            "pk", flat=True
        )
    )
    return [r for r in rows if r.pk in mine]


# The fields that differ from one submission to the next; the others are prepared once per page.
_VARYING = {"id", "instance_id", "root_id", "deprecated_id", "raw", "answers", "submitted_at", "submitter"}
_VARYING |= {"account", "organisation"}


def _copy(rows: list[Submission]) -> None:
    fields = list(Submission._meta.concrete_fields)
    now = timezone.now()
    for row in rows:
        row.received_at = now
    first = rows[0]
    constant = {
        f.name: f.get_db_prep_save(f.pre_save(first, True), connection)
        for f in fields
        if f.name not in _VARYING
    }
    raw_field, answers_field = Submission._meta.get_field("raw"), Submission._meta.get_field("answers")
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    # The raw psycopg cursor's COPY, its errors turned into Django's (a unique violation is an IntegrityError).
    sql = f"COPY {Submission._meta.db_table} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
        for row in rows:
            varying = {
                "id": row.pk,
                "instance_id": row.instance_id,
                "root_id": row.root_id,
                "deprecated_id": row.deprecated_id,
                "raw": raw_field.get_prep_value(row.raw),  # encrypted, as the field stores it
                "answers": answers_field.get_prep_value(row.answers),
                "submitted_at": row.submitted_at,
                "submitter": row.submitter,
                "account": row.account_id,
                "organisation": row.organisation_id,
            }
            copy.write_row([varying[f.name] if f.name in varying else constant[f.name] for f in fields])


def queue_batches(ids: list[str]) -> int:
    """Queue the application of stored submissions, BATCH per task. Returns the number of tasks."""
    count = 0
    for start in range(0, len(ids), BATCH):
        tasks.enqueue(process_batch_task, submission_ids=ids[start : start + BATCH])
        count += 1
    return count
