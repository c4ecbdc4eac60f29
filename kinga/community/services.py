"""Writes of the community app: networks, members, awareness, trainings, advocacy, 4W, meetings.

Alerts have their own module (kinga.community.alerts). Every write checks the permission, is atomic
and leaves an audit row; bad input raises ValidationError({field: [message]}).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kinga.core import access, audit
from kinga.core.access import Actor
from kinga.core.indicators import AGE_BANDS
from kinga.core.models import Organisation, Place

from .models import (
    ActionItem,
    ActionItemStatus,
    ActionItemUpdate,
    AdvocacyAction,
    AreaKind,
    AwarenessSession,
    Campaign,
    FourW,
    FourWStatus,
    Meeting,
    MemberTraining,
    Network,
    NetworkMember,
    Participation,
    SessionKind,
    Training,
)


def _own_org_or_system(actor: Actor, organisation: Organisation | None, field: str) -> Organisation:
    """Records belong to the actor's organisation; only system-wide roles may record for another."""
    if organisation is None:
        if actor.organisation is None:
            raise ValidationError({field: [_("Choose the organisation.")]})
        return actor.organisation
    if organisation.pk != actor.organisation_id and not actor.is_system_wide:
        raise ValidationError({field: [_("You can only record for your own organisation.")]})
    return organisation


def _full_clean(obj, exclude: list[str] | None = None) -> None:
    obj.full_clean(exclude=exclude, validate_unique=True)


# ---------------------------------------------------------------------------------------------- networks


@transaction.atomic
def create_network(
    *,
    actor: Actor,
    name: str,
    area_kind: str,
    place: Place,
    site=None,
    organisation: Organisation | None = None,
    founded_on: datetime.date | None = None,
    notes: str = "",
    is_active: bool = True,
) -> Network:
    access.require(actor, "community.manage_networks")
    organisation = _own_org_or_system(actor, organisation, "organisation")
    if area_kind == AreaKind.SITE_AREA and site is None:
        raise ValidationError({"site": [_("A mining site area network needs its site.")]})
    network = Network(
        name=name.strip(),
        area_kind=area_kind,
        place=place,
        site=site,
        organisation=organisation,
        founded_on=founded_on,
        notes=notes,
        is_active=is_active,
    )
    _full_clean(network)
    network.save()
    audit.record_create(actor=actor, obj=network)
    return network


_NETWORK_FIELDS = {"name", "area_kind", "place", "site", "founded_on", "notes", "is_active"}


@transaction.atomic
def update_network(*, actor: Actor, network: Network, **changes: Any) -> Network:
    access.require(actor, "community.manage_networks")
    unknown = set(changes) - _NETWORK_FIELDS
    if unknown:
        raise ValidationError({"non_field_errors": [_("Unknown fields: %(f)s") % {"f": ", ".join(unknown)}]})
    before = audit.snapshot(network)
    for field, value in changes.items():
        setattr(network, field, value)
    if network.area_kind == AreaKind.SITE_AREA and network.site_id is None:
        raise ValidationError({"site": [_("A mining site area network needs its site.")]})
    _full_clean(network)
    network.save()
    audit.record_update(actor=actor, obj=network, before=before)
    return network


_MEMBER_FIELDS = {
    "full_name",
    "sex",
    "role",
    "contact",
    "backing_organisation",
    "user",
    "is_active",
    "joined_on",
}


@transaction.atomic
def add_member(*, actor: Actor, network: Network, full_name: str, **fields: Any) -> NetworkMember:
    access.require(actor, "community.manage_networks")
    unknown = set(fields) - _MEMBER_FIELDS
    if unknown:
        raise ValidationError({"non_field_errors": [_("Unknown fields: %(f)s") % {"f": ", ".join(unknown)}]})
    if not full_name.strip():
        raise ValidationError({"full_name": [_("This field is required.")]})
    member = NetworkMember(network=network, full_name=full_name.strip(), **fields)
    _full_clean(member)
    member.save()
    audit.record_create(actor=actor, obj=member)
    return member


@transaction.atomic
def update_member(*, actor: Actor, member: NetworkMember, **changes: Any) -> NetworkMember:
    access.require(actor, "community.manage_networks")
    unknown = set(changes) - _MEMBER_FIELDS
    if unknown:
        raise ValidationError({"non_field_errors": [_("Unknown fields: %(f)s") % {"f": ", ".join(unknown)}]})
    before = audit.snapshot(member)
    for field, value in changes.items():
        setattr(member, field, value)
    _full_clean(member)
    member.save()
    audit.record_update(actor=actor, obj=member, before=before)
    return member


@transaction.atomic
def add_member_training(
    *,
    actor: Actor,
    member: NetworkMember,
    topic: str,
    date: datetime.date,
    organisation: Organisation | None = None,
) -> MemberTraining:
    access.require(actor, "community.manage_networks")
    if not topic.strip():
        raise ValidationError({"topic": [_("This field is required.")]})
    if date > datetime.date.today():
        raise ValidationError({"date": [_("The date cannot be in the future.")]})
    training = MemberTraining.objects.create(
        member=member, topic=topic.strip(), date=date, organisation=organisation
    )
    audit.record_create(actor=actor, obj=training, note=f"member={member.uuid}")
    return training


# ---------------------------------------------------------------------------------------------- awareness


@transaction.atomic
def create_campaign(
    *,
    actor: Actor,
    name: str,
    theme: str,
    start: datetime.date,
    end: datetime.date | None = None,
    description: str = "",
    organisation: Organisation | None = None,
) -> Campaign:
    access.require(actor, "community.record_awareness")
    campaign = Campaign(
        name=name.strip(),
        theme=theme,
        start=start,
        end=end,
        description=description,
        organisation=_own_org_or_system(actor, organisation, "organisation"),
    )
    if end and end < start:
        raise ValidationError({"end": [_("The end cannot be before the start.")]})
    _full_clean(campaign)
    campaign.save()
    audit.record_create(actor=actor, obj=campaign)
    return campaign


def _participations(rows: list[dict]) -> list[tuple[str, str, int]]:
    from .models import Audience, Sex

    merged: dict[tuple[str, str], int] = {}
    for row in rows or []:
        audience, sex = row.get("audience", ""), row.get("sex", "")
        if audience not in Audience.values:
            raise ValidationError({"participants": [_("Unknown audience type.")]})
        if sex not in Sex.values:
            raise ValidationError({"participants": [_("Unknown sex.")]})
        try:
            count = int(row.get("count") or 0)
        except (TypeError, ValueError):
            raise ValidationError({"participants": [_("Enter a whole number.")]}) from None
        if count < 0 or count > 100_000:
            raise ValidationError({"participants": [_("Enter a number between 0 and 100000.")]})
        if count:
            merged[(audience, sex)] = merged.get((audience, sex), 0) + count
    return [(a, s, n) for (a, s), n in sorted(merged.items())]


@transaction.atomic
def record_session(
    *,
    actor: Actor,
    theme: str,
    audience: str,
    date: datetime.date,
    place: Place,
    participants: list[dict] | None = None,
    kind: str = SessionKind.SESSION,
    organisation: Organisation | None = None,
    **fields: Any,
) -> AwarenessSession:
    """An awareness session, community meeting or radio broadcast, with participants by audience and sex."""
    access.require(actor, "community.record_awareness")
    allowed = {
        "campaign",
        "site",
        "network",
        "radio_station",
        "broadcasts",
        "parents_committed_f",
        "parents_committed_m",
        "report_written",
        "notes",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({"non_field_errors": [_("Unknown fields: %(f)s") % {"f": ", ".join(unknown)}]})
    if date > datetime.date.today():
        raise ValidationError({"date": [_("The date cannot be in the future.")]})
    rows = _participations(participants or [])
    if kind == SessionKind.RADIO:
        fields.setdefault("broadcasts", 1)
        if not (fields.get("radio_station") or "").strip():
            raise ValidationError({"radio_station": [_("Name the radio station.")]})
    elif not rows:
        raise ValidationError({"participants": [_("Give the number of participants.")]})
    for sex in ("f", "m"):
        present = sum(n for a, s, n in rows if a == "parents" and s == sex.upper())
        if rows and fields.get(f"parents_committed_{sex}", 0) > present:
            raise ValidationError(
                {f"parents_committed_{sex}": [_("More parents committed than parents who took part.")]}
            )
    session = AwarenessSession(
        kind=kind,
        theme=theme,
        audience=audience,
        date=date,
        place=place,
        organisation=_own_org_or_system(actor, organisation, "organisation"),
        **fields,
    )
    _full_clean(session)
    session.save()
    Participation.objects.bulk_create(
        [Participation(session=session, audience=a, sex=s, count=n) for a, s, n in rows]
    )
    audit.record_create(actor=actor, obj=session, note=f"participants={sum(n for *_x, n in rows)}")
    return session


@transaction.atomic
def record_training(
    *,
    actor: Actor,
    group: str,
    topic: str,
    start: datetime.date,
    place: Place,
    trained_f: int = 0,
    trained_m: int = 0,
    end: datetime.date | None = None,
    notes: str = "",
    organisation: Organisation | None = None,
) -> Training:
    access.require(actor, "community.record_awareness")
    if trained_f + trained_m <= 0:
        raise ValidationError({"trained_f": [_("Give the number of people trained.")]})
    if end and end < start:
        raise ValidationError({"end": [_("The end cannot be before the start.")]})
    if start > datetime.date.today():
        raise ValidationError({"start": [_("The date cannot be in the future.")]})
    training = Training(
        group=group,
        topic=topic,
        start=start,
        end=end,
        place=place,
        trained_f=trained_f,
        trained_m=trained_m,
        notes=notes,
        organisation=_own_org_or_system(actor, organisation, "organisation"),
    )
    _full_clean(training)
    training.save()
    audit.record_create(actor=actor, obj=training)
    return training


@transaction.atomic
def record_advocacy(
    *,
    actor: Actor,
    date: datetime.date,
    target: str,
    subject: str,
    place: Place,
    outcome: str = "",
    organisation: Organisation | None = None,
) -> AdvocacyAction:
    access.require(actor, "community.record_awareness")
    if date > datetime.date.today():
        raise ValidationError({"date": [_("The date cannot be in the future.")]})
    action = AdvocacyAction(
        date=date,
        target=target,
        subject=subject.strip(),
        place=place,
        outcome=outcome,
        organisation=_own_org_or_system(actor, organisation, "organisation"),
    )
    _full_clean(action)
    action.save()
    audit.record_create(actor=actor, obj=action)
    return action


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
