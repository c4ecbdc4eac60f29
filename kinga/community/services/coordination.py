"""Writes of the coordination of actors: the 4W matrix (who does what, where, when) and the meetings of the
IDAK consultation framework with their action items. Atomic, audited, ValidationError({field: [message]})."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kinga.core import access, audit
from kinga.core.access import Actor
from kinga.core.models import Organisation, Place
from kinga.core.people import AGE_BANDS

from ..models import (
    ActionItem,
    ActionItemStatus,
    ActionItemUpdate,
    FourW,
    FourWStatus,
    Meeting,
)
from .networks import _full_clean, _own_org_or_system

# ---------------------------------------------------------------------------------------------- 4W

FOURW_FIELDS = {
    "implementing_partner",
    "funder",
    "plan_action",
    "sector",
    "subsector",
    "activity",
    "place",
    "status",
    "start",
    "end",
    "targeted_f",
    "targeted_m",
    "reached_f",
    "reached_m",
    "reached_by_age",
}


def _check_reached_by_age(record: FourW) -> None:
    data = record.reached_by_age or {}
    if not isinstance(data, dict):
        raise ValidationError({"reached_by_age": [_("Give the figures by sex and age band.")]})
    for sex, total in (("F", record.reached_f), ("M", record.reached_m)):
        bands = data.get(sex) or {}
        if not isinstance(bands, dict) or set(bands) - set(AGE_BANDS):
            raise ValidationError({"reached_by_age": [_("Unknown age band.")]})
        try:
            values = [int(v) for v in bands.values()]
        except (TypeError, ValueError):
            raise ValidationError({"reached_by_age": [_("Enter whole numbers.")]}) from None
        if any(v < 0 for v in values) or sum(values) > total:
            raise ValidationError(
                {"reached_by_age": [_("The age bands add up to more than the children reached.")]}
            )
    if set(data) - {"F", "M"}:
        raise ValidationError({"reached_by_age": [_("Use F and M as keys.")]})


def _validate_fourw(record: FourW) -> None:
    if record.end and record.end < record.start:
        raise ValidationError({"end": [_("The end cannot be before the start.")]})
    if record.status == FourWStatus.PLANNED and (record.reached_f or record.reached_m):
        raise ValidationError({"status": [_("A planned activity has reached nobody yet.")]})
    _check_reached_by_age(record)
    _full_clean(record)


@transaction.atomic
def create_fourw(
    *,
    actor: Actor,
    activity: str,
    place: Place,
    start: datetime.date,
    organisation: Organisation | None = None,
    source: str = "entered",
    **fields: Any,
) -> FourW:
    access.require(actor, "community.record_4w")
    unknown = set(fields) - FOURW_FIELDS
    if unknown:
        raise ValidationError({"non_field_errors": [_("Unknown fields: %(f)s") % {"f": ", ".join(unknown)}]})
    record = FourW(
        activity=activity.strip(),
        place=place,
        start=start,
        source=source,
        organisation=_own_org_or_system(actor, organisation, "organisation"),
        **fields,
    )
    _validate_fourw(record)
    record.save()
    audit.record_create(actor=actor, obj=record)
    return record


@transaction.atomic
def update_fourw(*, actor: Actor, record: FourW, **changes: Any) -> FourW:
    access.require(actor, "community.record_4w")
    unknown = set(changes) - FOURW_FIELDS
    if unknown:
        raise ValidationError({"non_field_errors": [_("Unknown fields: %(f)s") % {"f": ", ".join(unknown)}]})
    before = audit.snapshot(record)
    for field, value in changes.items():
        setattr(record, field, value)
    _validate_fourw(record)
    record.save()
    audit.record_update(actor=actor, obj=record, before=before)
    return record


@transaction.atomic
def delete_fourw(*, actor: Actor, record: FourW) -> None:
    access.require(actor, "community.record_4w")
    audit.record_delete(actor=actor, obj=record)
    record.delete()


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
        convening_organisation=_own_org_or_system(actor, convening_organisation, "convening_organisation"),
        **fields,
    )
    _full_clean(meeting)
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
    _full_clean(meeting)
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
