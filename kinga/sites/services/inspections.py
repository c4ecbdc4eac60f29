"""Writes of the inspections: a visit on site, its corrective actions and photos; each recomputes the site's status."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kinga.core import access, audit, clock, uploads
from kinga.core.access import Actor
from kinga.core.models import Organisation
from kinga.sites import status as engine
from kinga.sites.models import (
    CHILD_COUNTS,
    INSPECTION_FIELDS,
    CorrectiveAction,
    Inspection,
    InspectionPhoto,
    Site,
    StatusChange,
)

# --- Inspections -------------------------------------------------------------------------------------------


@transaction.atomic
def record_inspection(
    *,
    actor: Actor,
    site: Site,
    date: datetime.date,
    organisations: list[Organisation] | None = None,
    actions: list[tuple[str, datetime.date]] | None = None,
    **fields,
) -> Inspection:
    """Record an on-site inspection, then recompute the site's status with it as evidence."""
    access.require(actor, "sites.inspect")
    unknown = set(fields) - set(INSPECTION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown inspection fields: {sorted(unknown)}")
    errors: dict[str, list[str]] = {}
    if date is None:
        errors["date"] = [_("The date of the inspection is required.")]
    elif date > clock.today():
        errors["date"] = [_("An inspection cannot be dated in the future.")]
    for key in CHILD_COUNTS:
        value = fields.get(key)
        if value is not None and value < 0:
            errors[key] = [_("A count cannot be negative.")]
    for description, deadline in actions or []:
        if not description.strip() or deadline is None:
            errors["actions"] = [_("Each corrective action needs a description and a deadline.")]
        elif date and deadline < date:
            errors["actions"] = [_("A corrective action's deadline cannot precede the inspection.")]
    if errors:
        raise ValidationError(errors)
    counts = [fields.get(k) for k in CHILD_COUNTS]
    fields = {k: (0 if v is None and k in CHILD_COUNTS else v) for k, v in fields.items()}
    total = sum(c or 0 for c in counts)
    inspection = Inspection.objects.create(
        site=site,
        date=date,
        source=Inspection.Source.KINGA,
        onsite=True,
        inspector=actor.user,
        children_seen=total > 0,
        children_in_workings=total > 0,
        armed_group_present=bool(fields.pop("armed_group_present", False)),
        security_forces_present=bool(fields.pop("security_forces_present", False)),
        **fields,
    )
    if organisations:
        inspection.organisations.set(organisations)
    elif actor.organisation is not None:
        inspection.organisations.set([actor.organisation])
    for description, deadline in actions or []:
        CorrectiveAction.objects.create(
            inspection=inspection, description=description.strip(), deadline=deadline
        )
    audit.record_create(actor=actor, obj=inspection)
    if fields.get("workers_count") is not None and date >= (site.last_inspection_date or date):
        Site.objects.filter(pk=site.pk).update(workers_count=fields["workers_count"])
    engine.recompute([site.pk], default_evidence=StatusChange.Evidence.INSPECTION)
    site.refresh_from_db()
    return inspection


@transaction.atomic
def complete_action(*, actor: Actor, action: CorrectiveAction, done_on: datetime.date) -> CorrectiveAction:
    access.require(actor, "sites.inspect")
    if done_on > clock.today():
        raise ValidationError({"done_on": [_("This date is in the future.")]})
    before = audit.snapshot(action)
    action.done_on = done_on
    action.save(update_fields=["done_on"])
    audit.record_update(actor=actor, obj=action, before=before)
    return action


ALLOWED_PHOTO_TYPES = (".jpg", ".jpeg", ".png", ".webp")
MAX_PHOTO_BYTES = 8 * 1024 * 1024


@transaction.atomic
def add_photo(*, actor: Actor, inspection: Inspection, image, caption: str = "") -> InspectionPhoto:
    access.require(actor, "sites.inspect")
    name = (getattr(image, "name", "") or "").lower()
    if not name.endswith(ALLOWED_PHOTO_TYPES):
        raise ValidationError({"image": [_("A photo must be a JPEG, PNG or WebP image.")]})
    if image.size > MAX_PHOTO_BYTES:
        raise ValidationError({"image": [_("A photo cannot exceed 8 MB.")]})
    if not uploads.is_image(image):  # by its content: a page or a script named .jpg is not a photo
        raise ValidationError(
            {"image": [_("This file is not a photo Kinga can read (JPEG, PNG, WebP or GIF).")]}
        )
    photo = InspectionPhoto.objects.create(inspection=inspection, image=image, caption=caption.strip())
    audit.record_create(actor=actor, obj=photo)
    return photo
