"""Writes of awareness: campaigns, sessions (with their participants by audience, sex and age band), trainings
of actors and advocacy actions. Atomic, audited, ValidationError({field: [message]})."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kinga.core import access, audit, clock
from kinga.core.access import Actor
from kinga.core.models import Organisation, Place
from kinga.plan import attribution
from kinga.plan.models import Activity, Commitment

from ..models import (
    AdvocacyAction,
    Audience,
    AwarenessSession,
    Campaign,
    Participation,
    SessionKind,
    Sex,
    Training,
)
from .checks import full_clean, own_org_or_system

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
        organisation=own_org_or_system(actor, organisation, "organisation"),
    )
    if end and end < start:
        raise ValidationError({"end": [_("The end cannot be before the start.")]})
    full_clean(campaign)
    campaign.save()
    audit.record_create(actor=actor, obj=campaign)
    return campaign


def _participations(rows: list[dict]) -> list[tuple[str, str, int]]:

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
    plan_activity: Activity | None = None,
    commitment: Commitment | None = None,
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
    if date > clock.today():
        raise ValidationError({"date": [_("The date cannot be in the future.")]})
    rows = _participations(participants or [])
    plan_activity, commitment = attribution.check(plan_activity, commitment)
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
        organisation=own_org_or_system(actor, organisation, "organisation"),
        plan_activity=plan_activity,
        commitment=commitment,
        **fields,
    )
    full_clean(session)
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
    plan_activity: Activity | None = None,
    commitment: Commitment | None = None,
) -> Training:
    access.require(actor, "community.record_awareness")
    plan_activity, commitment = attribution.check(plan_activity, commitment)
    if trained_f + trained_m <= 0:
        raise ValidationError({"trained_f": [_("Give the number of people trained.")]})
    if end and end < start:
        raise ValidationError({"end": [_("The end cannot be before the start.")]})
    if start > clock.today():
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
        organisation=own_org_or_system(actor, organisation, "organisation"),
        plan_activity=plan_activity,
        commitment=commitment,
    )
    full_clean(training)
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
    access.require(actor, "community.record_advocacy")
    if date > clock.today():
        raise ValidationError({"date": [_("The date cannot be in the future.")]})
    action = AdvocacyAction(
        date=date,
        target=target,
        subject=subject.strip(),
        place=place,
        outcome=outcome,
        organisation=own_org_or_system(actor, organisation, "organisation"),
    )
    full_clean(action)
    action.save()
    audit.record_create(actor=actor, obj=action)
    return action
