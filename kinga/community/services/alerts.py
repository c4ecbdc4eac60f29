"""Alerts: intake from every channel (stored before any processing), triage, feedback to the reporter.

An alert is written in its own transaction first, with the submission as received; only then is it
interpreted. If interpretation fails the alert stays in the triage queue with the reason, never lost.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kinga.core import access, audit, clock, concurrency, events
from kinga.core.access import Actor
from kinga.core.models import Organisation

from ..alert_payloads import MAX_CHILDREN_PER_ALERT, MAX_TEXT, ChildrenCount, bounded_text, interpret
from ..models import (
    OPEN_STATUSES,
    Alert,
    AlertChildren,
    AlertGroup,
    AlertStatus,
    Channel,
    Network,
    NetworkMember,
    Urgency,
)

log = logging.getLogger(__name__)

# Hours from reception to verification, by urgency. Override with settings.KINGA_ALERT_VERIFICATION_HOURS.
DEFAULT_VERIFICATION_HOURS = {Urgency.URGENT: 24, Urgency.HIGH: 72, Urgency.NORMAL: 168}


def verification_hours(urgency: str) -> int:
    configured = getattr(settings, "KINGA_ALERT_VERIFICATION_HOURS", {}) or {}
    return int(configured.get(urgency, DEFAULT_VERIFICATION_HOURS.get(urgency, 168)))


# ---------------------------------------------------------------------------------------------- intake


def _reporter_member(actor: Actor, payload: dict[str, Any]) -> NetworkMember | None:
    ref = payload.get("reporter_member") if isinstance(payload, dict) else None
    if ref:
        member = (
            access.scoped(actor, NetworkMember, perm="community.report_alert")
            .filter(uuid=str(ref))
            .select_related("network")
            .first()
            if actor.is_authenticated
            else None
        )
        if member is None:
            raise ValidationError({"reporter_member": [_("Unknown network member.")]})
        return member
    if actor.user is not None and actor.is_authenticated:
        return NetworkMember.objects.filter(user=actor.user, is_active=True).select_related("network").first()
    return None


def receive_alert(
    *,
    actor: Actor,
    channel: str,
    payload: dict[str, Any],
    external_id: str | None = None,
    reporter_contact: str = "",
    held_for_triage: bool = False,
) -> tuple[Alert, bool]:
    """Store an alert as received, then interpret it. Returns (alert, created).

    `held_for_triage`: the public channel is over its province-wide ceiling; the alert is kept and marked.

    Anonymous actors may only use the public channel. A resubmission with the same external id (Kobo
    retries) returns the alert already stored.
    """
    if channel not in Channel.values:
        raise ValidationError({"channel": [_("Unknown channel.")]})
    anonymous = not actor.is_authenticated
    if anonymous and channel != Channel.PUBLIC_WEB:
        raise PermissionDenied(_("You must be logged in."))
    if not anonymous:
        access.require(actor, "community.report_alert")
    if external_id:
        existing = Alert.objects.filter(external_id=external_id).first()
        if existing is not None:
            return existing, False
    now = clock.now()
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                channel=channel,
                raw_payload=payload if isinstance(payload, dict) else {"_raw": str(payload)[:MAX_TEXT]},
                external_id=external_id or None,
                is_anonymous=anonymous or bool(isinstance(payload, dict) and payload.get("anonymous")),
                reporter_user=None if anonymous else actor.user,
                reporter_contact=reporter_contact[:200],
                processing_error=_("Not processed yet."),
                due_at=now + datetime.timedelta(hours=verification_hours(Urgency.NORMAL)),
                organisation=None if anonymous else actor.organisation,
                held_for_triage=held_for_triage,
            )
            audit.record_create(actor=actor, obj=alert, note=f"channel={channel}")
    except IntegrityError:  # the same external id arrived twice at once
        return Alert.objects.get(external_id=external_id), False
    try:
        with transaction.atomic():
            _process(actor=actor, alert=alert, payload=payload)
    except ValidationError as exc:
        _mark_failed(alert, "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()))
    except Exception as exc:
        log.exception("Alert %s could not be processed", alert.uuid)
        _mark_failed(alert, _("Unexpected error while processing (%(kind)s).") % {"kind": type(exc).__name__})
    return alert, True


def _mark_failed(alert: Alert, message: str) -> None:
    alert.processing_error = message[:MAX_TEXT]
    alert.save(update_fields=["processing_error"])


def _process(*, actor: Actor, alert: Alert, payload: dict[str, Any]) -> None:
    before = audit.snapshot(alert)
    data = interpret(payload)
    member = _reporter_member(actor, payload) if actor.is_authenticated else None
    network = member.network if member else None
    if network is None and isinstance(payload, dict) and payload.get("network") and actor.is_authenticated:
        network = (
            access.scoped(actor, Network, perm="community.report_alert")
            .filter(uuid=str(payload["network"]))
            .first()
        )
        if network is None:
            raise ValidationError({"network": [_("Unknown network.")]})
    if network is None and data["site"] is not None:
        # An alert about a site watched by a network belongs to that network (its page shows it).
        network = Network.objects.filter(site=data["site"], is_active=True).order_by("pk").first()
    children: list[ChildrenCount] = data.pop("children")
    for field, value in data.items():
        setattr(alert, field, value)
    alert.children_count = sum(c.count for c in children)
    alert.reporter_member = member
    alert.network = network
    if network is not None:
        alert.organisation = network.organisation
    alert.due_at = alert.received_at + datetime.timedelta(hours=verification_hours(alert.urgency))
    if alert.site_id is not None:
        day = timezone.localdate(alert.observed_at or alert.received_at)
        alert.group, _created = AlertGroup.objects.get_or_create(site_id=alert.site_id, day=day)
    alert.processing_error = ""
    alert.save()
    AlertChildren.objects.bulk_create(
        [AlertChildren(alert=alert, sex=c.sex, age_band=c.age_band, count=c.count) for c in children]
    )
    audit.record_update(actor=actor, obj=alert, before=before, note=gettext_noop("processed"))
    # The messaging app tells the territory's social workers about an urgent alert.
    events.publish(
        "community.alert_received",
        alert_id=alert.pk,
        urgency=alert.urgency,
        children_count=alert.children_count,
        territory_id=alert.territory_id,
        site_id=alert.site_id,
    )


@transaction.atomic
def reprocess_alert(
    *, actor: Actor, alert: Alert, corrections: dict[str, Any], version: int | None = None
) -> Alert:
    """A social worker completes an alert whose processing failed (the original submission is kept)."""
    access.require(actor, "community.triage")
    if not alert.processing_error:
        raise ValidationError({"non_field_errors": [_("This alert was already processed.")]})
    concurrency.claim(alert, version)
    payload = dict(alert.raw_payload or {})
    payload.update({k: v for k, v in corrections.items() if v not in (None, "")})
    AlertChildren.objects.filter(alert=alert).delete()
    _process(actor=actor, alert=alert, payload=payload)
    return alert


# ---------------------------------------------------------------------------------------------- triage


def publish_outcome(alert: Alert) -> None:
    """The alert reached an outcome the reporter is told about (the messaging app sends it to a reporter who
    left a number): its id and new status only."""
    events.publish("community.alert_outcome", alert_id=alert.pk, status=alert.status)


def _require_open(alert: Alert) -> None:
    if alert.status not in OPEN_STATUSES:
        raise ValidationError({"non_field_errors": [_("This alert is already dealt with.")]})
    if alert.processing_error:
        raise ValidationError(
            {"non_field_errors": [_("Complete the alert first: it could not be read automatically.")]}
        )


@transaction.atomic
def start_verification(*, actor: Actor, alert: Alert, version: int | None = None) -> Alert:
    """The social worker takes the alert for a visit; an unassigned alert becomes their organisation's.
    `version` (here and below): the version of the alert the person read (kinga.core.concurrency)."""
    access.require(actor, "community.triage")
    _require_open(alert)
    concurrency.claim(alert, version)
    before = audit.snapshot(alert)
    alert.status = AlertStatus.VERIFYING
    alert.verification_started_at = clock.now()
    alert.handled_by = actor.user
    if alert.organisation_id is None:
        alert.organisation = actor.organisation
    alert.save(update_fields=["status", "verification_started_at", "handled_by", "organisation"])
    audit.record_update(actor=actor, obj=alert, before=before)
    return alert


@transaction.atomic
def record_verification(
    *,
    actor: Actor,
    alert: Alert,
    children_found: int,
    note: str = "",
    visited_at: datetime.datetime | None = None,
    version: int | None = None,
) -> Alert:
    """The visit's result. Children found: verified (then registered as cases); none: closed as unfounded."""
    access.require(actor, "community.triage")
    _require_open(alert)
    if children_found < 0 or children_found > MAX_CHILDREN_PER_ALERT:
        raise ValidationError({"children_found": [_("Enter a number between 0 and 500.")]})
    note = bounded_text(note, "note")
    if children_found == 0 and not note:
        raise ValidationError({"note": [_("Say what the visit found.")]})
    concurrency.claim(alert, version)
    before = audit.snapshot(alert)
    moment = visited_at or clock.now()
    alert.children_found = children_found
    alert.verification_note = note
    alert.verified_at = moment
    alert.handled_by = actor.user
    if alert.organisation_id is None:
        alert.organisation = actor.organisation
    if children_found == 0:
        alert.status = AlertStatus.UNFOUNDED
        alert.outcome_reason = note
        alert.closed_at = moment
    else:
        alert.status = AlertStatus.VERIFIED
    alert.save()
    audit.record_update(actor=actor, obj=alert, before=before, note=gettext_noop("verification"))
    publish_outcome(alert)
    if children_found and alert.site_id is not None:
        # The sites app counts verified alerts as evidence of children at the site (its status rules).
        events.publish(
            "community.alert_verified",
            actor=actor,
            alert_uuid=str(alert.uuid),
            site_id=alert.site_id,
            children_count=children_found,
            date=timezone.localdate(moment),
        )
    return alert


@transaction.atomic
def refer_alert(
    *, actor: Actor, alert: Alert, to: Organisation, note: str = "", version: int | None = None
) -> Alert:
    access.require(actor, "community.triage")
    if alert.status not in (*OPEN_STATUSES, AlertStatus.VERIFIED):
        raise ValidationError({"non_field_errors": [_("This alert is already dealt with.")]})
    if to.pk == alert.organisation_id:
        raise ValidationError({"to": [_("Refer to another organisation.")]})
    concurrency.claim(alert, version)
    before = audit.snapshot(alert)
    alert.status = AlertStatus.REFERRED
    alert.referred_to = to
    alert.outcome_reason = bounded_text(note, "note")
    alert.closed_at = clock.now()
    alert.handled_by = actor.user
    if alert.organisation_id is None:
        alert.organisation = actor.organisation
    alert.save()
    audit.record_update(actor=actor, obj=alert, before=before, note=gettext_noop("referral"))
    publish_outcome(alert)
    return alert


@transaction.atomic
def close_alert(
    *,
    actor: Actor,
    alert: Alert,
    outcome: str,
    reason: str,
    duplicate_of: Alert | None = None,
    version: int | None = None,
) -> Alert:
    access.require(actor, "community.triage")
    if outcome not in (AlertStatus.UNFOUNDED, AlertStatus.DUPLICATE):
        raise ValidationError({"outcome": [_("Choose unfounded or duplicate.")]})
    if alert.status not in (*OPEN_STATUSES, AlertStatus.VERIFIED):
        raise ValidationError({"non_field_errors": [_("This alert is already dealt with.")]})
    reason = bounded_text(reason, "reason")
    if not reason:
        raise ValidationError({"reason": [_("Give the reason.")]})
    if duplicate_of is not None and duplicate_of.pk == alert.pk:
        raise ValidationError({"duplicate_of": [_("An alert cannot duplicate itself.")]})
    concurrency.claim(alert, version)
    before = audit.snapshot(alert)
    alert.status = outcome
    alert.outcome_reason = reason
    alert.duplicate_of = duplicate_of if outcome == AlertStatus.DUPLICATE else None
    alert.closed_at = clock.now()
    alert.handled_by = actor.user
    if alert.organisation_id is None:
        alert.organisation = actor.organisation
    alert.save()
    audit.record_update(actor=actor, obj=alert, before=before, note=gettext_noop("closed"))
    publish_outcome(alert)
    return alert
