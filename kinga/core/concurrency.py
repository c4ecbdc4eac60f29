"""Optimistic locking: two people editing one record (a household, a case, an alert) at the same time.

Each such record carries a `version` column. A page or an API client reads the version with the record and
sends it back with its changes; the service saves only if the record still has that version
(`UPDATE ... SET version = version + 1 WHERE id = ... AND version = expected`), in its transaction, and
otherwise refuses with a French message under the field "version", so that the second writer sees the conflict
instead of silently overwriting the first one's work. The API answers such a refusal with 409 Conflict.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F, Model
from django.utils.translation import gettext_lazy as _

CONFLICT_CODE = "conflict"
CONFLICT_MESSAGE = _(
    "Someone else saved this record after you opened it. Nothing of yours was saved: reload the page to see "
    "their changes, then make yours again."
)


def claim(obj: Model, expected: int | str | None) -> None:
    """Take the next version of `obj` if it still has version `expected` (the version `obj` was read with when
    None), else raise ValidationError({"version": [...]}, code "conflict"). Call inside the service's
    transaction, before saving: a concurrent writer waits on the row lock, then finds the version changed."""
    try:
        expected = obj.version if expected in (None, "") else int(expected)
    except (TypeError, ValueError):
        raise conflict() from None
    updated = type(obj)._default_manager.filter(pk=obj.pk, version=expected).update(version=F("version") + 1)
    if updated != 1:
        raise conflict()
    obj.version = expected + 1


def conflict() -> ValidationError:
    return ValidationError({"version": [ValidationError(CONFLICT_MESSAGE, code=CONFLICT_CODE)]})


def is_conflict(exc: ValidationError) -> bool:
    return hasattr(exc, "error_dict") and any(
        e.code == CONFLICT_CODE for errors in exc.error_dict.values() for e in errors
    )


class VersionField(forms.IntegerField):
    """The version a form page was opened with, sent back hidden with the changes."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 1)
        super().__init__(**kwargs)
