"""Background work of field intake (django-tasks): applying stored submissions, one or a batch, and fetching
a server's new submissions on schedule. Arguments are ids: the task reads the rest from the database (a
server's secret never sits in the task table)."""

from django_tasks import task

from kinga.core import tallies
from kinga.field import services
from kinga.households.services import totals


@task()
def process_submission_task(*, submission_id: str) -> str:
    return services.process(submission_id=submission_id)


@task()
def process_batch_task(*, submission_ids: list[str]) -> dict[str, int]:
    """A batch stored by a pull or an import, applied in the order the server listed them. Each submission is
    applied in its own transaction, through its service (access, validation, audit trail); the indicators'
    tallies and the households' round totals the batch touches are recomputed once at its end instead of after
    every record (most of a household survey's application before)."""
    counts: dict[str, int] = {}
    with tallies.batched(), totals.batched():
        for submission_id in submission_ids:
            state = services.process(submission_id=submission_id)
            counts[state] = counts.get(state, 0) + 1
    return counts


@task()
def pull_source_task(*, pull_source_id: int) -> str:
    from kinga.field import pull  # noqa: PLC0415  (pull queues the batches this module defines)

    return pull.run_scheduled(pull_source_id=pull_source_id)
