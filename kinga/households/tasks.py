"""Background work of the households app (django-tasks): importing a survey round's file."""

from django_tasks import task

from kinga.households.services.imports import run_import


@task()
def run_import_task(*, batch_id: int) -> str:
    return run_import(batch_id=batch_id).status
