"""Background work of the messaging app (django-tasks): sending one message. Its argument is the message's id;
the address and the text are read and rendered in the worker, never stored in the task table."""

from django_tasks import task

from kinga.messaging.services import outgoing


@task()
def deliver_message(*, message_id: int) -> str:
    return outgoing.deliver(message_id=message_id)
