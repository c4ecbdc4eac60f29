"""Background work of the registry (django-tasks): the registry-wide duplicate search, and learning the
registry's errors again after a large import."""

from django_tasks import task

from kinga.core.actors import system_actor

from .services import fill_review_queue, learn_parameters


@task()
def find_duplicates() -> dict:
    return fill_review_queue(actor=system_actor())


@task()
def learn_registry_parameters(reason: str = "import") -> dict:
    row = learn_parameters(actor=system_actor(), reason=reason)
    return {"records": row.records, "pairs": row.pairs, "match_share": row.match_share}
