"""The audit trail in words: what changed on what, as a person reads it.

An event stores its changes as the database holds them (`{"meeting": [None, 5], "uuid": [None, "301a…"]}`),
which is what an export or an investigation needs. A page shows instead: the kind of record by its name
(« Mesure corrective », not `community.actionitem`), each field by its name, a choice by its label, a related
record by its label, a date the French way, yes/no — and never the identifiers (uuid, ids, hashes, timestamps
kept by the database) that mean nothing to a reader. Notes that services write in English are translated when
shown (they are marked for translation where they are written).
"""

from __future__ import annotations

import datetime
import decimal
from collections import defaultdict
from typing import Any

from django.apps import apps
from django.db import models
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kinga.core.audit import PROTECTED_MARK, is_protected

# Fields kept for the machine, not for a reader.
HIDDEN_FIELDS = {"uuid", "id", "created_at", "updated_at", "version", "created_by", "updated_by", "path"}
HIDDEN_SUFFIXES = ("_hash", "_index", "_digest", "_key", "_token", "_secret")


def _model(target_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(target_type)
    except (LookupError, ValueError):
        return None


def record_name(target_type: str) -> str:
    """`cases.careplanitem` → « Élément du plan de prise en charge »; other kinds of event by a readable name."""
    model = _model(target_type)
    if model is not None and _named(model):
        return str(model._meta.verbose_name).capitalize()
    if model is not None:  # a model without a name of its own: its app's
        return _("Record (%(app)s)") % {"app": model._meta.app_config.verbose_name}
    return OTHER_TARGETS.get(target_type, _("Other record"))


def _named(model) -> bool:
    """Whether the model was given a translated name (Django's default is the class name, in English)."""
    return isinstance(model._meta.verbose_name, Promise)


def _label_of(obj: models.Model) -> str:
    label = getattr(obj, "audit_label", None)
    if label is not None:
        return str(label)
    if any(is_protected(f) for f in obj._meta.concrete_fields):
        return str(obj._meta.verbose_name)
    return str(obj)


def _date(text: str, *, with_time: bool) -> str:
    try:
        value = (datetime.datetime if with_time else datetime.date).fromisoformat(text)
    except (TypeError, ValueError):
        return text
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return formats.date_format(value, "SHORT_DATETIME_FORMAT")
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _value(field: models.Field | None, value: Any, related: dict) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if field is not None and field.is_relation and field.many_to_one:
        return related.get((field.related_model, value), _("record no longer there"))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field is not None and field.flatchoices and not isinstance(value, list | dict):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.DateTimeField):
        return _date(value, with_time=True)
    if isinstance(field, models.DateField):
        return _date(value, with_time=False)
    if isinstance(value, int | float | decimal.Decimal) or isinstance(field, models.DecimalField):
        try:
            return formats.number_format(decimal.Decimal(str(value)), use_l10n=True)
        except decimal.InvalidOperation:
            return str(value)
    if isinstance(value, list):
        if all(isinstance(v, str | int | float) for v in value):
            return ", ".join(str(v) for v in value)
        return _("%(n)s entries") % {"n": len(value)}
    if isinstance(value, dict):
        return _("%(n)s entries") % {"n": len(value)}
    return str(value)


def _field(model, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except Exception:
        return None


def _shown(name: str, field: models.Field | None) -> bool:
    if name in HIDDEN_FIELDS or name.endswith(HIDDEN_SUFFIXES):
        return False
    return not (field is not None and isinstance(field, models.UUIDField))


def _related_labels(events) -> dict:
    """The labels of every record the page's changes point to, one query per kind of record."""
    wanted: dict[type[models.Model], set] = defaultdict(set)
    for event in events:
        model = _model(event.target_type)
        for name, change in (event.changes or {}).items():
            field = _field(model, name)
            if field is not None and field.is_relation and field.many_to_one and isinstance(change, list):
                wanted[field.related_model] |= {v for v in change if v is not None}
    labels = {}
    for model, pks in wanted.items():
        for obj in model._base_manager.filter(pk__in=pks):
            labels[(model, obj.pk)] = _label_of(obj)
    return labels


def describe(events) -> list[dict]:
    """Each event of a page with `what` (the kind of record), `changes` ([(field, before, after)], `before`
    None for a creation) and `note`, in the reader's language."""
    events = list(events)
    related = _related_labels(events)
    described = []
    for event in events:
        model = _model(event.target_type)
        changes = []
        for name, change in (event.changes or {}).items():
            field = _field(model, name)
            if not _shown(name, field):
                continue
            label = str(field.verbose_name).capitalize() if field is not None else name.replace("_", " ")
            if change == PROTECTED_MARK or not isinstance(change, list) or len(change) != 2:
                changes.append((label, None, _("changed (protected value)")))
                continue
            before, after = change
            changes.append(
                (
                    label,
                    None if before is None and event.action == "create" else _value(field, before, related),
                    _value(field, after, related),
                )
            )
        described.append(
            {
                "event": event,
                "what": record_name(event.target_type),
                "changes": changes,
                "note": _(event.note) if event.note else "",
            }
        )
    return described


OTHER_TARGETS = {
    "plan": gettext_lazy("Plan file"),
    "field.xlsform": gettext_lazy("Field form"),
    "sites.status_refresh": gettext_lazy("Recomputed site statuses"),
    "sites.ipis_import": gettext_lazy("IPIS import"),
    "registry.batch": gettext_lazy("Registry duplicate search"),
    "households.householdscore": gettext_lazy("Household scores"),
    "households.roundtotals": gettext_lazy("Survey round totals"),
    "supply.due_diligence": gettext_lazy("Due-diligence report"),
    "core.backup": gettext_lazy("Backup"),
}


def record_kinds() -> list[tuple[str, str]]:
    """Every kind of record the trail may name, by its name, for the page's filter (alphabetical)."""
    kinds = {
        model._meta.label_lower: str(model._meta.verbose_name).capitalize()
        for model in apps.get_models()
        if model.__module__.startswith("kinga.") and _named(model)
    }
    kinds.update({key: str(name) for key, name in OTHER_TARGETS.items()})
    return sorted(kinds.items(), key=lambda kind: kind[1].lower())
