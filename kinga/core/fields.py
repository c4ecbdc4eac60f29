"""Model fields for identities: encrypted at rest, never readable in the database."""

from __future__ import annotations

import json

from django.db import models

from kinga.core import crypto


class EncryptedTextField(models.TextField):
    """Text encrypted with Fernet (kinga.core.crypto). The audit trail records that it changed, not its value.

    Such a field cannot be filtered or sorted on in the database: search goes through blind indexes.
    """

    protected = True

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def to_python(self, value):
        if isinstance(value, str) and value.startswith(crypto.TOKEN_PREFIX):
            try:
                return crypto.decrypt(value)
            except ValueError:
                return value
        return super().to_python(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value))


class EncryptedJSONField(EncryptedTextField):
    """A JSON document (a list of caregivers with contacts, say) encrypted as one value."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", dict)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return self.get_default()
        return json.loads(crypto.decrypt(value))

    def to_python(self, value):
        if isinstance(value, dict | list):
            return value
        if value in (None, ""):
            return self.get_default()
        return json.loads(value)

    def get_prep_value(self, value):
        if value is None:
            return None
        return crypto.encrypt(json.dumps(value, ensure_ascii=False, sort_keys=True))

    def value_to_string(self, obj):
        return json.dumps(self.value_from_object(obj))


def protected_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if getattr(f, "protected", False)]
