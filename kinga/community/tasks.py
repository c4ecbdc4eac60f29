"""Background work of the community app (django-tasks): importing a 4W file sent from its page."""

from django_tasks import task

from kinga.community.services.fourw_import import run_fourw_import


@task()
def run_fourw_import_task(*, batch_id: int) -> str:
    return run_fourw_import(batch_id=batch_id).status
