"""Background work of the registry (django-tasks): the registry-wide duplicate search."""

from django_tasks import task

from kinga.core.actors import system_actor

from .services import fill_review_queue


@task()
def find_duplicates() -> dict:
    return fill_review_queue(actor=system_actor())
