"""The registry of form handlers: one per form id, each applying a submission through the services the web
forms use (kinga.cases.services, kinga.community.services), acting as the submitting account.

A handler returns the record the submission created or updated, or raises ValidationError (its messages, field
by field, are the quarantine's reasons) or PermissionDenied."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model


@dataclass(frozen=True)
class Previous:
    """What the first version of an edited submission created: the record to update."""

    record_type: str
    record_uuid: str


@dataclass(frozen=True)
class Handler:
    form_id: str
    apply: Callable[..., Model]  # apply(*, actor, answers, previous: Previous | None, source: str) -> record
    # Questions that carry an identity: shown in the review screen only to roles that see identities.
    identity_fields: frozenset[str] = frozenset()
    label: Any = ""
    # Questions whose answer names a file (a photo): fetched and checked before apply (kinga.field.attachments).
    attachment_fields: frozenset[str] = frozenset()


_HANDLERS: dict[str, Handler] = {}


def register(handler: Handler) -> None:
    _HANDLERS[handler.form_id] = handler


def handler_for(form_id: str) -> Handler | None:
    return _HANDLERS.get(form_id)


def form_ids() -> list[str]:
    return sorted(_HANDLERS)
