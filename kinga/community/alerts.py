"""Alerts: intake from every channel (stored before any processing), triage, feedback to the reporter.

An alert is written in its own transaction first, with the submission as received; only then is it
interpreted. If interpretation fails the alert stays in the triage queue with the reason, never lost.
"""

from __future__ import annotations

import datetime
import logging
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from kinga.core import access, audit, events
from kinga.core.access import Actor
from kinga.core.indicators import age_band
from kinga.core.models import Organisation, Place, PlaceLevel
from kinga.sites.models import Site

from .models import (
    OPEN_STATUSES,
    Activity,
    AgeBand,
    Alert,
    AlertChildren,
    AlertGroup,
    AlertStatus,
    Channel,
    Network,
    NetworkMember,
    Sex,
    Urgency,
)

log = logging.getLogger(__name__)

# Hours from reception to verification, by urgency. Override with settings.KINGA_ALERT_VERIFICATION_HOURS.
DEFAULT_VERIFICATION_HOURS = {Urgency.URGENT: 24, Urgency.HIGH: 72, Urgency.NORMAL: 168}
MAX_CHILDREN_PER_ALERT = 500
MAX_TEXT = 2000


def verification_hours(urgency: str) -> int:
    configured = getattr(settings, "KINGA_ALERT_VERIFICATION_HOURS", {}) or {}
    return int(configured.get(urgency, DEFAULT_VERIFICATION_HOURS.get(urgency, 168)))


@dataclass
class ChildrenCount:
    sex: str
    age_band: str
    count: int


# ---------------------------------------------------------------------------------------------- parsing

_SEX_WORDS = {
    "f": Sex.FEMALE,
    "girl": Sex.FEMALE,
    "girls": Sex.FEMALE,
    "fille": Sex.FEMALE,
    "filles": Sex.FEMALE,
    "m": Sex.MALE,
    "boy": Sex.MALE,
    "boys": Sex.MALE,
    "garcon": Sex.MALE,
    "garcons": Sex.MALE,
    "garçon": Sex.MALE,
    "garçons": Sex.MALE,
}
# Field-form columns such as "filles_5_11", "garcons_12_14", "girls_15_17", "enfants_inconnu".
_COUNT_FIELD = re.compile(r"^(filles|garcons|garçons|girls|boys|enfants|children)(?:_(\d+)_(\d+))?$")


def _last_segment(key: str) -> str:
    return key.rsplit("/", 1)[-1].strip().lower()


def _flatten(payload: dict[str, Any]) -> dict[str, Any]:
    """Kobo/ODK group paths ("alerte/site") reduced to their last segment; Kinga keys unchanged."""
    flat: dict[str, Any] = {}
    for key, value in payload.items():
        if not isinstance(key, str):
            continue
        flat.setdefault(_last_segment(key), value)
    return flat


def _int(value: Any, field: str) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError({field: [_("Enter a whole number.")]}) from None
    if number < 0 or number > MAX_CHILDREN_PER_ALERT:
        raise ValidationError(
            {field: [_("Enter a number between 0 and %(max)d.") % {"max": MAX_CHILDREN_PER_ALERT}]}
        )
    return number


def _children_from(flat: dict[str, Any]) -> list[ChildrenCount]:
    groups: dict[tuple[str, str], int] = {}

    def add(sex: str, band: str, n: int) -> None:
        if n:
            groups[(sex, band)] = groups.get((sex, band), 0) + n

    listed = flat.get("children")
    if isinstance(listed, list):
        for i, row in enumerate(listed):
            if not isinstance(row, dict):
                raise ValidationError({"children": [_("Each entry must be an object.")]})
            sex = str(row.get("sex", "") or "").strip()
            band = str(row.get("age_band", "") or "").strip()
            if sex not in Sex.values:
                raise ValidationError({"children": [_("Entry %(n)d: unknown sex.") % {"n": i + 1}]})
            if band not in AgeBand.values:
                raise ValidationError({"children": [_("Entry %(n)d: unknown age band.") % {"n": i + 1}]})
            add(sex, band, _int(row.get("count"), "children"))
    for key, value in flat.items():
        match = _COUNT_FIELD.match(key)
        if not match or value in (None, "") or key == "children":
            continue
        word, low, high = match.groups()
        sex = _SEX_WORDS.get(word, Sex.UNKNOWN)
        band = f"{int(low)}-{int(high)}" if low is not None else ""
        if band not in AgeBand.values:
            raise ValidationError({key: [_("Unknown age band.")]})
        add(sex, band, _int(value, key))
    # A registration-style form with one child's age (the Kobo reference form): one child of that age.
    if not groups and flat.get("child_age") not in (None, ""):
        band = age_band(_int(flat["child_age"], "child_age"))
        add(Sex.UNKNOWN, band if band in AgeBand.values else "", 1)
        for sibling in flat.get("siblings") or []:
            if isinstance(sibling, dict):
                sib = _flatten(sibling)
                if sib.get("sib_age") not in (None, ""):
                    sband = age_band(_int(sib["sib_age"], "siblings"))
                    add(Sex.UNKNOWN, sband if sband in AgeBand.values else "", 1)
    total = sum(groups.values())
    if total == 0:
        raise ValidationError({"children": [_("Say how many children were seen (at least one).")]})
    if total > MAX_CHILDREN_PER_ALERT:
        raise ValidationError({"children": [_("Too many children for one alert.")]})
    return [ChildrenCount(sex, band, n) for (sex, band), n in sorted(groups.items())]


def _site_from(flat: dict[str, Any]) -> Site | None:
    ref = str(flat.get("site") or flat.get("site_code") or flat.get("site_uuid") or "").strip()
    if ref:
        site = Site.objects.filter(code__iexact=ref).first()
        if site is None and re.fullmatch(r"[0-9a-fA-F-]{32,36}", ref):
            site = Site.objects.filter(uuid=ref).first()
        if site is None:
            raise ValidationError({"site": [_("Unknown mine site “%(ref)s”.") % {"ref": ref[:60]}]})
        return site
    return None


def _nearest_site(flat: dict[str, Any]) -> Site | None:
    """A field form's GPS point within about 2 km of a known site."""
    point = flat.get("_geolocation") or flat.get("gps")
    try:
        if isinstance(point, str):
            lat, lon = (float(x) for x in point.split()[:2])
        elif isinstance(point, list | tuple) and len(point) >= 2:
            lat, lon = float(point[0]), float(point[1])
        else:
            return None
    except (TypeError, ValueError):
        return None
    box = 0.02  # ~2 km at this latitude
    candidates = Site.objects.filter(
        latitude__range=(lat - box, lat + box), longitude__range=(lon - box, lon + box)
    ).only("id", "latitude", "longitude", "place_id")
    best = min(
        candidates,
        key=lambda s: (float(s.latitude) - lat) ** 2 + (float(s.longitude) - lon) ** 2,
        default=None,
    )
    return best


def _place_from(flat: dict[str, Any]) -> Place | None:
    ref = str(
        flat.get("place") or flat.get("lieu") or flat.get("pcode") or flat.get("place_uuid") or ""
    ).strip()
    if ref:
        place = Place.objects.filter(pcode__iexact=ref).first()
        if place is None and re.fullmatch(r"[0-9a-fA-F-]{32,36}", ref):
            place = Place.objects.filter(uuid=ref).first()
        if place is None:
            raise ValidationError({"place": [_("Unknown place “%(ref)s”.") % {"ref": ref[:60]}]})
        return place
    # Field forms often carry the territory's name.
    name = str(flat.get("territoire") or flat.get("territory") or "").strip()
    if name:
        return Place.objects.filter(name__iexact=name, level=PlaceLevel.TERRITORY).first()
    return None


def _choice(value: Any, choices: type, field: str, default: str) -> str:
    text = str(value or "").strip().lower()
    if not text:
        return default
    if text not in choices.values:
        raise ValidationError({field: [_("Unknown value “%(value)s”.") % {"value": text[:40]}]})
    return text


def _when(value: Any) -> datetime.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        moment = value
    else:
        text = str(value).strip()
        moment = parse_datetime(text)
        if moment is None:
            day = parse_date(text)
            if day is None:
                raise ValidationError({"observed_at": [_("Enter a valid date and time.")]})
            moment = datetime.datetime.combine(day, datetime.time(12, 0))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment > timezone.now() + datetime.timedelta(hours=1):
        raise ValidationError({"observed_at": [_("The date cannot be in the future.")]})
    return moment


def _text(value: Any, field: str, limit: int = MAX_TEXT) -> str:
    text = str(value or "").strip()
    if len(text) > limit:
        raise ValidationError({field: [_("Too long (%(max)d characters at most).") % {"max": limit}]})
    return text


def interpret(payload: dict[str, Any]) -> dict[str, Any]:
    """What a submission says, in Kinga's terms, or a ValidationError saying what is wrong with it."""
    if not isinstance(payload, dict):
        raise ValidationError({"non_field_errors": [_("The submission must be a JSON object.")]})
    flat = _flatten(payload)
    site = _site_from(flat)
    if site is None and not flat.get("place") and not flat.get("lieu"):
        site = _nearest_site(flat)
    place = _place_from(flat)
    if site is None and place is None:
        raise ValidationError({"site": [_("Say where: a mine site or a place.")]})
    observed = flat.get("observed_at") or flat.get("date_observation") or flat.get("start")
    return {
        "site": site,
        "place": place or (site.place if site else None),
        "location_text": _text(flat.get("location_text") or flat.get("precision"), "location_text", 300),
        "observed_at": _when(observed),
        "children": _children_from(flat),
        "activity": _choice(flat.get("activity") or flat.get("activite"), Activity, "activity", ""),
        "urgency": _choice(flat.get("urgency") or flat.get("urgence"), Urgency, "urgency", Urgency.NORMAL),
        "description": _text(flat.get("description"), "description"),
    }


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
) -> tuple[Alert, bool]:
    """Store an alert as received, then interpret it. Returns (alert, created).

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
    now = timezone.now()
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
    audit.record_update(actor=actor, obj=alert, before=before, note="processed")


@transaction.atomic
def reprocess_alert(*, actor: Actor, alert: Alert, corrections: dict[str, Any]) -> Alert:
    """A social worker completes an alert whose processing failed (the original submission is kept)."""
    access.require(actor, "community.triage")
    if not alert.processing_error:
        raise ValidationError({"non_field_errors": [_("This alert was already processed.")]})
    payload = dict(alert.raw_payload or {})
    payload.update({k: v for k, v in corrections.items() if v not in (None, "")})
    AlertChildren.objects.filter(alert=alert).delete()
    _process(actor=actor, alert=alert, payload=payload)
    return alert


# ---------------------------------------------------------------------------------------------- triage


def _require_open(alert: Alert) -> None:
    if alert.status not in OPEN_STATUSES:
        raise ValidationError({"non_field_errors": [_("This alert is already dealt with.")]})
    if alert.processing_error:
        raise ValidationError(
            {"non_field_errors": [_("Complete the alert first: it could not be read automatically.")]}
        )


@transaction.atomic
def start_verification(*, actor: Actor, alert: Alert) -> Alert:
    """The social worker takes the alert for a visit; an unassigned alert becomes their organisation's."""
    access.require(actor, "community.triage")
    _require_open(alert)
    before = audit.snapshot(alert)
    alert.status = AlertStatus.VERIFYING
    alert.verification_started_at = timezone.now()
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
) -> Alert:
    """The visit's result. Children found: verified (then registered as cases); none: closed as unfounded."""
    access.require(actor, "community.triage")
    _require_open(alert)
    if children_found < 0 or children_found > MAX_CHILDREN_PER_ALERT:
        raise ValidationError({"children_found": [_("Enter a number between 0 and 500.")]})
    note = _text(note, "note")
    if children_found == 0 and not note:
        raise ValidationError({"note": [_("Say what the visit found.")]})
    before = audit.snapshot(alert)
    moment = visited_at or timezone.now()
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
    audit.record_update(actor=actor, obj=alert, before=before, note="verification")
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
def refer_alert(*, actor: Actor, alert: Alert, to: Organisation, note: str = "") -> Alert:
    access.require(actor, "community.triage")
    if alert.status not in (*OPEN_STATUSES, AlertStatus.VERIFIED):
        raise ValidationError({"non_field_errors": [_("This alert is already dealt with.")]})
    if to.pk == alert.organisation_id:
        raise ValidationError({"to": [_("Refer to another organisation.")]})
    before = audit.snapshot(alert)
    alert.status = AlertStatus.REFERRED
    alert.referred_to = to
    alert.outcome_reason = _text(note, "note")
    alert.closed_at = timezone.now()
    alert.handled_by = actor.user
    if alert.organisation_id is None:
        alert.organisation = actor.organisation
    alert.save()
    audit.record_update(actor=actor, obj=alert, before=before, note="referral")
    return alert


@transaction.atomic
def close_alert(
    *, actor: Actor, alert: Alert, outcome: str, reason: str, duplicate_of: Alert | None = None
) -> Alert:
    access.require(actor, "community.triage")
    if outcome not in (AlertStatus.UNFOUNDED, AlertStatus.DUPLICATE):
        raise ValidationError({"outcome": [_("Choose unfounded or duplicate.")]})
    if alert.status not in (*OPEN_STATUSES, AlertStatus.VERIFIED):
        raise ValidationError({"non_field_errors": [_("This alert is already dealt with.")]})
    reason = _text(reason, "reason")
    if not reason:
        raise ValidationError({"reason": [_("Give the reason.")]})
    if duplicate_of is not None and duplicate_of.pk == alert.pk:
        raise ValidationError({"duplicate_of": [_("An alert cannot duplicate itself.")]})
    before = audit.snapshot(alert)
    alert.status = outcome
    alert.outcome_reason = reason
    alert.duplicate_of = duplicate_of if outcome == AlertStatus.DUPLICATE else None
    alert.closed_at = timezone.now()
    alert.handled_by = actor.user
    if alert.organisation_id is None:
        alert.organisation = actor.organisation
    alert.save()
    audit.record_update(actor=actor, obj=alert, before=before, note="closed")
    return alert


# ---------------------------------------------------------------------------------------------- feedback


@dataclass(frozen=True)
class Feedback:
    """What a reporter may learn: dates, the outcome and a count. Never a child's name or case."""

    reference: str
    received_on: datetime.date
    status: str
    message: str


def feedback_for(alert: Alert) -> Feedback:
    if alert.status == AlertStatus.CASES_REGISTERED:
        registered = alert.case_links.count()
        message = _(
            "Thank you. Social workers visited the place and %(n)d child(ren) are now followed up."
        ) % {"n": registered}
    elif alert.status == AlertStatus.VERIFIED:
        message = _(
            "Thank you. Social workers visited the place and confirmed your alert; follow-up is under way."
        )
    elif alert.status == AlertStatus.VERIFYING:
        message = _("Thank you. A social worker is checking your alert.")
    elif alert.status == AlertStatus.REFERRED:
        message = _("Thank you. Your alert was passed on to the competent service.")
    elif alert.status == AlertStatus.UNFOUNDED:
        message = _("Thank you. The visit did not find the situation you described.")
    elif alert.status == AlertStatus.DUPLICATE:
        message = _("Thank you. This situation had already been reported and is being dealt with.")
    else:
        message = _("Thank you. Your alert was received and will be checked.")
    return Feedback(
        reference=alert.reference,
        received_on=timezone.localdate(alert.received_at),
        status=alert.get_status_display(),
        message=message,
    )


def feedback_by_code(code: str) -> Feedback | None:
    code = (code or "").strip().upper().replace(" ", "").replace("-", "")
    if not re.fullmatch(r"[A-Z0-9]{10}", code):
        return None
    alert = Alert.objects.filter(feedback_code=code).first()
    return feedback_for(alert) if alert is not None else None
