"""Writes of the governance records: atomic, audited, keyword-only; refusals are ValidationError({field: [message]}),
a missing permission PermissionDenied. An organisation records for itself (the coordination for any)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kinga.community import services as community_services
from kinga.core import access, audit, clock
from kinga.core.access import Actor
from kinga.core.models import Organisation, OrganisationType, Place
from kinga.governance.models import (
    AdvocacyStep,
    AdvocacyTrack,
    EquipmentCategory,
    EquipmentDonation,
    InfrastructureKind,
    InfrastructureWork,
    Milestone,
    SocialInfrastructure,
    TrackOutcome,
)

CENT = Decimal("0.01")
STATE_SERVICES = (OrganisationType.PROVINCIAL_GOVERNMENT, OrganisationType.NATIONAL_GOVERNMENT)


def _save_new(actor: Actor, obj) -> None:
    """A new record checked against its model's rules, saved, and written to the audit trail."""
    obj.full_clean(validate_unique=True)
    obj.save()
    audit.record_create(actor=actor, obj=obj)


def _own(actor: Actor, organisation: Organisation | None, field: str) -> Organisation:
    """The organisation a record is written for: the actor's, or any for the coordination."""
    if organisation is None:
        if actor.organisation is None:
            raise ValidationError({field: [_("Choose the organisation.")]})
        return actor.organisation
    if organisation.pk != actor.organisation_id and not actor.is_system_wide:
        raise ValidationError({field: [_("You can only record for your own organisation.")]})
    return organisation


def _writer(actor: Actor, organisation_id: int) -> None:
    access.require(actor, "governance.record")
    if not (actor.is_system_wide or organisation_id == actor.organisation_id):
        raise PermissionDenied(_("Only the organisation that recorded it can change this record."))


def _day(day: datetime.date | None, field: str) -> datetime.date:
    if day is None:
        raise ValidationError({field: [_("This date is required.")]})
    if day > clock.today():
        raise ValidationError({field: [_("The date cannot be in the future.")]})
    return day


def _money(amount: Decimal | None, field: str) -> Decimal:
    if amount is None or amount <= 0:
        raise ValidationError({field: [_("Give an amount greater than zero.")]})
    return amount.quantize(CENT)


def _text(value: str, field: str) -> str:
    if not value.strip():
        raise ValidationError({field: [_("This field is required.")]})
    return value.strip()


# --------------------------------------------------------------------------------------- equipment donations


@transaction.atomic
def record_donation(
    *,
    actor: Actor,
    description: str,
    category: str,
    quantity: int,
    recipient: Organisation,
    place: Place,
    given_on: datetime.date,
    cost_usd: Decimal | None,
    donor: Organisation | None = None,
    donor_name: str = "",
    recipient_unit: str = "",
    reference: str = "",
) -> EquipmentDonation:
    """Equipment handed over to a state or security service: what, to whom, when, at what cost, and who gave it.

    An organisation's staff record what their organisation gave. The coordination records what anyone gave: an
    organisation of the registry (`donor`) or a donor the registry does not hold, by name (`donor_name`)."""
    access.require(actor, "governance.record")
    donor_name = donor_name.strip()
    if donor is not None and donor_name:
        raise ValidationError(
            {"donor_name": [_("Give either an organisation of the registry or a donor's name, not both.")]}
        )
    if donor_name and not actor.is_system_wide:
        raise ValidationError(
            {
                "donor_name": [
                    _("Only the coordination records equipment given by a donor outside the registry.")
                ]
            }
        )
    if category not in EquipmentCategory.values:
        raise ValidationError({"category": [_("Unknown category.")]})
    if quantity is None or quantity < 1:
        raise ValidationError({"quantity": [_("Give a quantity of at least one.")]})
    if recipient.type not in STATE_SERVICES:
        raise ValidationError({"recipient": [_("The equipment goes to a state or security service.")]})
    donation = EquipmentDonation(
        description=_text(description, "description"),
        category=category,
        quantity=quantity,
        recipient=recipient,
        recipient_unit=recipient_unit.strip(),
        place=place,
        given_on=_day(given_on, "given_on"),
        cost_usd=_money(cost_usd, "cost_usd"),
        donor=None if donor_name else _own(actor, donor, "donor"),
        donor_name=donor_name[:200],
        reference=reference.strip(),
        recorded_by=actor.user,
    )
    _save_new(actor, donation)
    return donation


# -------------------------------------------------------------------------------------- social infrastructures


@transaction.atomic
def record_infrastructure(
    *,
    actor: Actor,
    name: str,
    kind: str,
    work: str,
    place: Place,
    funded_by: Organisation,
    cost_usd: Decimal | None,
    works_started_on: datetime.date,
    in_service_on: datetime.date | None = None,
    organisation: Organisation | None = None,
    notes: str = "",
) -> SocialInfrastructure:
    """A social infrastructure built or restored; in service from `in_service_on` when known."""
    access.require(actor, "governance.record")
    if kind not in InfrastructureKind.values:
        raise ValidationError({"kind": [_("Unknown kind.")]})
    if work not in InfrastructureWork.values:
        raise ValidationError({"work": [_("Unknown kind of works.")]})
    _day(works_started_on, "works_started_on")
    if in_service_on is not None:
        _day(in_service_on, "in_service_on")
        if in_service_on < works_started_on:
            raise ValidationError({"in_service_on": [_("It cannot be in service before the works started.")]})
    infrastructure = SocialInfrastructure(
        name=_text(name, "name"),
        kind=kind,
        work=work,
        place=place,
        organisation=_own(actor, organisation, "organisation"),
        funded_by=funded_by,
        cost_usd=_money(cost_usd, "cost_usd"),
        works_started_on=works_started_on,
        in_service_on=in_service_on,
        notes=notes.strip(),
        recorded_by=actor.user,
    )
    _save_new(actor, infrastructure)
    return infrastructure


@transaction.atomic
def put_in_service(
    *, actor: Actor, infrastructure: SocialInfrastructure, in_service_on: datetime.date
) -> SocialInfrastructure:
    _writer(actor, infrastructure.organisation_id)
    if infrastructure.in_service_on is not None:
        raise ValidationError({"in_service_on": [_("This infrastructure is already in service.")]})
    _day(in_service_on, "in_service_on")
    if in_service_on < infrastructure.works_started_on:
        raise ValidationError({"in_service_on": [_("It cannot be in service before the works started.")]})
    before = audit.snapshot(infrastructure)
    infrastructure.in_service_on = in_service_on
    infrastructure.save(update_fields=["in_service_on"])
    audit.record_update(actor=actor, obj=infrastructure, before=before)
    return infrastructure


# ---------------------------------------------------------------------------------------------- advocacy


@transaction.atomic
def start_track(
    *,
    actor: Actor,
    title: str,
    goal: str,
    place: Place,
    started_on: datetime.date,
    organisation: Organisation | None = None,
) -> AdvocacyTrack:
    """A line of advocacy (the children's court in Kolwezi), followed step by step to its outcome."""
    access.require(actor, "governance.record")
    track = AdvocacyTrack(
        title=_text(title, "title"),
        goal=_text(goal, "goal"),
        place=place,
        started_on=_day(started_on, "started_on"),
        organisation=_own(actor, organisation, "organisation"),
    )
    _save_new(actor, track)
    return track


@transaction.atomic
def record_step(
    *,
    actor: Actor,
    track: AdvocacyTrack,
    date: datetime.date,
    milestone: str,
    target: str,
    subject: str,
    outcome: str = "",
) -> AdvocacyStep:
    """A step of the track, kept as an advocacy action of the community records (led by the track's
    organisation, at its place) so that the plan's « Nombre de plaidoyers » counts it with the others."""
    _writer(actor, track.organisation_id)
    if milestone not in Milestone.values:
        raise ValidationError({"milestone": [_("Unknown milestone.")]})
    if track.outcome != TrackOutcome.ONGOING:
        raise ValidationError({"date": [_("This advocacy is closed: no new step.")]})
    _day(date, "date")
    if date < track.started_on:
        raise ValidationError({"date": [_("A step cannot come before the advocacy started.")]})
    action = community_services.record_advocacy(
        actor=actor,
        date=date,
        target=target,
        subject=_text(subject, "subject"),
        place=track.place,
        outcome=outcome.strip(),
        organisation=track.organisation,
    )
    step = AdvocacyStep(track=track, action=action, milestone=milestone)
    _save_new(actor, step)
    return step


@transaction.atomic
def close_track(
    *, actor: Actor, track: AdvocacyTrack, outcome: str, outcome_on: datetime.date, outcome_note: str = ""
) -> AdvocacyTrack:
    """The outcome of the advocacy (achieved, partly, abandoned) and what was obtained."""
    _writer(actor, track.organisation_id)
    if outcome not in TrackOutcome.values or outcome == TrackOutcome.ONGOING:
        raise ValidationError({"outcome": [_("Choose the outcome.")]})
    if track.outcome != TrackOutcome.ONGOING:
        raise ValidationError({"outcome": [_("This advocacy already has its outcome.")]})
    _day(outcome_on, "outcome_on")
    if outcome_on < track.started_on:
        raise ValidationError({"outcome_on": [_("The outcome cannot come before the advocacy started.")]})
    before = audit.snapshot(track)
    track.outcome, track.outcome_on, track.outcome_note = outcome, outcome_on, outcome_note.strip()
    track.save(update_fields=["outcome", "outcome_on", "outcome_note"])
    audit.record_update(actor=actor, obj=track, before=before)
    return track
