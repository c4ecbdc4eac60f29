"""Writes of the community networks: networks, their members and the members' trainings.

Every write checks the permission, is atomic and leaves an audit row; bad input raises
ValidationError({field: [message]}).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kinga.core import access, audit, clock
from kinga.core.access import Actor
from kinga.core.models import Organisation, Place

from ..models import (
    AreaKind,
    MemberTraining,
    Network,
    NetworkMember,
)
from .checks import full_clean, own_org_or_system

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
    organisation = own_org_or_system(actor, organisation, "organisation")
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
    full_clean(network)
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
    full_clean(network)
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
    full_clean(member)
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
    full_clean(member)
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
    if date > clock.today():
        raise ValidationError({"date": [_("The date cannot be in the future.")]})
    training = MemberTraining.objects.create(
        member=member, topic=topic.strip(), date=date, organisation=organisation
    )
    audit.record_create(actor=actor, obj=training, note=f"member={member.uuid}")
    return training
