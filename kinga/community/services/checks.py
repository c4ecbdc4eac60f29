"""Checks every community write shares: whose record it is, and the model's own validation."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kinga.core.access import Actor
from kinga.core.models import Organisation


def own_org_or_system(actor: Actor, organisation: Organisation | None, field: str) -> Organisation:
    """Records belong to the actor's organisation; only system-wide roles may record for another."""
    if organisation is None:
        if actor.organisation is None:
            raise ValidationError({field: [_("Choose the organisation.")]})
        return actor.organisation
    if organisation.pk != actor.organisation_id and not actor.is_system_wide:
        raise ValidationError({field: [_("You can only record for your own organisation.")]})
    return organisation


def full_clean(obj, exclude: list[str] | None = None) -> None:
    obj.full_clean(exclude=exclude, validate_unique=True)
