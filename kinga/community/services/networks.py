"""Writes of the community app: networks, members, awareness, trainings, advocacy.

Alerts have their own module (kinga.community.alerts), the 4W and meetings theirs (services_coordination).
Every write checks the permission, is atomic and leaves an audit row; bad input raises
ValidationError({field: [message]}).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kinga.core import access, audit
from kinga.core.access import Actor
from kinga.core.models import Organisation, Place

from ..models import (
    AdvocacyAction,
    AreaKind,
    AwarenessSession,
    Campaign,
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
    from ..models import Audience, Sex

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
