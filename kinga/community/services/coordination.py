"""Writes of the IDAK consultation framework: meetings and their action items.
Atomic, audited, ValidationError({field: [message]})."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kinga.core import access, audit
from kinga.core.access import Actor
from kinga.core.models import Organisation

from ..models import (
    ActionItem,
    ActionItemStatus,
    ActionItemUpdate,
    Meeting,
)
from .checks import full_clean, own_org_or_system

# ---------------------------------------------------------------------------------------------- meetings


MEETING_FIELDS = {
    "title",
    "date",
    "place",
    "participants",
    "agenda",
    "minutes_text",
    "minutes_file",
    "decisions",
}


@transaction.atomic
def create_meeting(
    *,
    actor: Actor,
    title: str,
    date: datetime.date,
    participant_organisations: list[Organisation] | None = None,
    convening_organisation: Organisation | None = None,
    **fields: Any,
) -> Meeting:
    access.require(actor, "community.manage_meetings")
    unknown = set(fields) - MEETING_FIELDS
    if unknown:
        raise ValidationError({"non_field_errors": [_("Unknown fields: %(f)s") % {"f": ", ".join(unknown)}]})
    meeting = Meeting(
        title=title.strip(),
        date=date,
        convening_organisation=own_org_or_system(actor, convening_organisation, "convening_organisation"),
        **fields,
    )
    full_clean(meeting)
    meeting.save()
    if participant_organisations:
        meeting.participant_organisations.set(participant_organisations)
    audit.record_create(actor=actor, obj=meeting)
    return meeting


@transaction.atomic
def update_meeting(
    *,
    actor: Actor,
    meeting: Meeting,
    participant_organisations: list[Organisation] | None = None,
    **changes: Any,
) -> Meeting:
    access.require(actor, "community.manage_meetings")
    unknown = set(changes) - MEETING_FIELDS
    if unknown:
        raise ValidationError({"non_field_errors": [_("Unknown fields: %(f)s") % {"f": ", ".join(unknown)}]})
    before = audit.snapshot(meeting)
    for field, value in changes.items():
        setattr(meeting, field, value)
    full_clean(meeting)
    meeting.save()
    note = ""
    if participant_organisations is not None:
        meeting.participant_organisations.set(participant_organisations)
        note = "participants=" + ",".join(sorted(str(o.uuid) for o in participant_organisations))
    audit.record_update(actor=actor, obj=meeting, before=before, note=note)
    return meeting


@transaction.atomic
def add_action_item(
    *,
    actor: Actor,
    meeting: Meeting,
    description: str,
    owner: Organisation,
    due_date: datetime.date | None = None,
) -> ActionItem:
    access.require(actor, "community.manage_meetings")
    if not description.strip():
        raise ValidationError({"description": [_("This field is required.")]})
    if due_date and due_date < meeting.date:
        raise ValidationError({"due_date": [_("The due date cannot be before the meeting.")]})
    item = ActionItem.objects.create(
        meeting=meeting, description=description.strip(), owner=owner, due_date=due_date
    )
    audit.record_create(actor=actor, obj=item)
    return item


@transaction.atomic
def update_action_item(
    *, actor: Actor, item: ActionItem, status: str, note: str = "", meeting: Meeting | None = None
) -> ActionItem:
    """Record an action item's status, as reviewed at a meeting or reported by its owner organisation."""
    if status not in ActionItemStatus.values:
        raise ValidationError({"status": [_("Unknown status.")]})
    is_owner = actor.organisation_id == item.owner_id
    if not is_owner:
        access.require(actor, "community.manage_meetings")
    else:
        access.require(actor, "community.view")
    if meeting is not None and meeting.date < item.meeting.date:
        raise ValidationError({"meeting": [_("This meeting took place before the action was decided.")]})
    before = audit.snapshot(item)
    item.status = status
    item.save(update_fields=["status"])
    ActionItemUpdate.objects.create(item=item, meeting=meeting, status=status, note=note.strip())
    audit.record_update(actor=actor, obj=item, before=before, note=note.strip()[:200])
    return item
