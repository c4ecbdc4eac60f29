"""Background work of field intake (django-tasks): applying a stored submission."""

from django_tasks import task

from kinga.field import services


@task()
def process_submission_task(*, submission_id: str) -> str:
    return services.process(submission_id=submission_id)
