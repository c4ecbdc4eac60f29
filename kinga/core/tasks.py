"""Background work through the Django tasks API (django-tasks).

- Embedded setup: the immediate backend runs a task at once, in the request (nothing else to start).
- Production: the database backend (django-tasks-db) stores the task; `kinga worker` processes run it.

Task arguments are stored in clear in the task table and shown in logs: pass ids, never a protected value
(a name, a phone number, a decrypted field) nor a secret (a password, an invitation link). The task reads
what it needs from the database. `enqueue()` refuses protected values.
"""

from __future__ import annotations

from typing import Any

from django_tasks import task

from kinga.core import invitations
from kinga.core.crypto import ProtectedValue
from kinga.core.models import Membership


def _check_arguments(value: Any, path: str = "") -> None:
    if isinstance(value, ProtectedValue):
        raise TypeError(f"A protected value cannot be a task argument ({path or 'argument'}): pass an id")
    if isinstance(value, dict):
        for key, item in value.items():
            _check_arguments(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list | tuple | set):
        for i, item in enumerate(value):
            _check_arguments(item, f"{path}[{i}]")


def enqueue(task_, /, **kwargs: Any):
    """Enqueue a task with keyword arguments after checking none of them is a protected value."""
    _check_arguments(kwargs)
    return task_.enqueue(**kwargs)


@task()
def send_invitation_email(*, membership_id: int, base_url: str, actor_user_id: int | None = None) -> str:
    """E-mail a new member the link with which they choose their password. The link is made here, in the
    worker, so the secret never sits in the task table."""
    membership = Membership.objects.select_related("user", "organisation").get(pk=membership_id)
    url = base_url.rstrip("/") + invitations.invitation_path(membership.user)
    invitations.deliver_invitation(membership=membership, url=url, actor_user_id=actor_user_id)
    return "sent"
