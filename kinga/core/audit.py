"""The audit trail: written by services (never by views), append-only, blind to protected values."""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

from django.db import models

from kinga.core.access import Actor
from kinga.core.models import AuditAction, AuditEvent, Organisation, User

PROTECTED_MARK = "modifié (valeur protégée)"


def _user_of(actor: Actor | User | None) -> User | None:
    if isinstance(actor, Actor):
        return actor.user
    return actor


def _organisation_of(actor: Actor | User | None) -> Organisation | None:
    if isinstance(actor, Actor):
        return actor.organisation
    return None


def is_protected(field: models.Field) -> bool:
    return getattr(field, "protected", False)


def jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime | datetime.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return str(value)


def _concrete_fields(obj: models.Model, fields: list[str] | None = None) -> list[models.Field]:
    result = []
    for f in obj._meta.concrete_fields:
        if f.primary_key or (fields is not None and f.name not in fields):
            continue
        result.append(f)
    return result


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The current values of a record's fields (protected values included: keep it in memory only)."""
    return {f.name: getattr(obj, f.attname) for f in _concrete_fields(obj, fields)}


def diff(obj: models.Model, before: dict[str, Any]) -> dict[str, Any]:
    """Field-by-field changes since `before`; protected fields say they changed, never what to."""
    changes: dict[str, Any] = {}
    for f in _concrete_fields(obj, list(before)):
        old, new = before.get(f.name), getattr(obj, f.attname)
        if old == new:
            continue
        changes[f.name] = PROTECTED_MARK if is_protected(f) else [jsonable(old), jsonable(new)]
    return changes


def _creation_changes(obj: models.Model) -> dict[str, Any]:
    changes = {}
    for f in _concrete_fields(obj):
        value = getattr(obj, f.attname)
        if value in (None, "", [], {}):
            continue
        changes[f.name] = PROTECTED_MARK if is_protected(f) else [None, jsonable(value)]
    return changes


def _target_type(obj_or_label: models.Model | str) -> str:
    if isinstance(obj_or_label, str):
        return obj_or_label
    return obj_or_label._meta.label_lower


def _target_id(obj: models.Model) -> str:
    return str(getattr(obj, "uuid", None) or obj.pk)


def _target_label(obj: models.Model) -> str:
    # str() of a record with protected fields could reveal them; such models define audit_label.
    label = getattr(obj, "audit_label", None)
    if label is not None:
        return str(label)[:255]
    if any(is_protected(f) for f in obj._meta.concrete_fields):
        return ""
    return str(obj)[:255]


def record(
    *,
    actor: Actor | User | None,
    action: str,
    target: models.Model | None = None,
    target_type: str | None = None,
    target_id: str = "",
    changes: dict[str, Any] | None = None,
    note: str = "",
    organisation: Organisation | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=_user_of(actor),
        organisation=organisation or _organisation_of(actor),
        action=action,
        target_type=_target_type(target) if target is not None else (target_type or ""),
        target_id=_target_id(target) if target is not None else target_id,
        target_label=_target_label(target) if target is not None else "",
        changes=changes or {},
        note=note,
    )


def record_many(
    *,
    action: str,
    targets: list[tuple[models.Model, User | None, Organisation | None]],
    changes: dict[str, Any] | None = None,
    note: str = "",
) -> int:
    """One event per target (record, acting user, organisation) in one INSERT: what a bulk write (thousands of
    submissions fetched from a server) records without a round trip per row."""
    events = [
        AuditEvent(
            actor=user,
            organisation=organisation,
            action=action,
            target_type=_target_type(obj),
            target_id=_target_id(obj),
            target_label=_target_label(obj),
            changes=changes or {},
            note=note,
        )
        for obj, user, organisation in targets
    ]
    AuditEvent.objects.bulk_create(events, batch_size=1000)
    return len(events)


def record_create(
    *,
    actor: Actor | User | None,
    obj: models.Model,
    note: str = "",
    extra_changes: dict[str, Any] | None = None,
    **kw,
) -> AuditEvent:
    changes = _creation_changes(obj)
    if extra_changes:
        changes.update({name: jsonable(change) for name, change in extra_changes.items()})
    return record(actor=actor, action=AuditAction.CREATE, target=obj, changes=changes, note=note, **kw)


def record_update(
    *,
    actor: Actor | User | None,
    obj: models.Model,
    before: dict[str, Any],
    note: str = "",
    extra_changes: dict[str, Any] | None = None,
    **kw,
) -> AuditEvent | None:
    """The fields changed since `before`; `extra_changes` adds what a snapshot cannot see (e.g. relations)."""
    changes = diff(obj, before)
    if extra_changes:
        changes.update({name: jsonable(change) for name, change in extra_changes.items()})
    if not changes and not note:
        return None
    return record(actor=actor, action=AuditAction.UPDATE, target=obj, changes=changes, note=note, **kw)


def record_delete(*, actor: Actor | User | None, obj: models.Model, note: str = "", **kw) -> AuditEvent:
    return record(actor=actor, action=AuditAction.DELETE, target=obj, note=note, **kw)


def record_read(*, actor: Actor | User | None, obj: models.Model, note: str = "", **kw) -> AuditEvent:
    return record(actor=actor, action=AuditAction.READ, target=obj, note=note, **kw)


def record_export(
    *, actor: Actor | User | None, what: str, rows: int, filters: dict | None = None, note: str = "", **kw
) -> AuditEvent:
    return record(
        actor=actor,
        action=AuditAction.EXPORT,
        target_type=what,
        changes={"rows": rows, "filters": jsonable(filters or {})},
        note=note,
        **kw,
    )
