"""Background work of the monitoring app (django-tasks): building a report of the plan."""

from django_tasks import task

from kinga.monitoring.services.reports import build_report


@task()
def build_report_task(*, report_id: int) -> str:
    return build_report(report_id=report_id).status
