"""Writes of the DHIS2 link: the mapping an administrator keeps, and the sending of a period's values.

A push always leaves a record (Dhis2Push) with what DHIS2 answered, accepted, partly accepted, refused or not
reached, and an audit event; a push that could not deliver raises Dhis2PushFailed after its record is stored.
"""

from __future__ import annotations

import httpx
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kinga.core import access, audit, periods
from kinga.core.access import Actor
from kinga.core.models import Place, PlaceLevel
from kinga.plan import dhis2
from kinga.plan.models import (
    Dhis2CategoryOptionCombo,
    Dhis2DataElement,
    Dhis2OrgUnit,
    Dhis2Push,
    Dhis2Settings,
    Indicator,
    Plan,
    PushStatus,
)

PUSH_TIMEOUT_SECONDS = 60


class Dhis2PushFailed(Exception):
    """DHIS2 was not reached or refused the whole sending; `push` is the stored record."""

    def __init__(self, push: Dhis2Push):
        super().__init__(push.message)
        self.push = push


def _full_clean(obj, exclude=()) -> None:
    obj.full_clean(exclude=list(exclude), validate_unique=False)


def _save_audited(actor: Actor, obj, before: dict | None) -> None:
    """Save a mapping row and audit it: a creation when there was no row before, else what changed."""
    obj.save()
    if before is None:
        audit.record_create(actor=actor, obj=obj)
    else:
        audit.record_update(actor=actor, obj=obj, before=before)


@transaction.atomic
def save_dhis2_settings(
    *,
    actor: Actor,
    plan: Plan,
    data_set: str,
    data_set_code: str,
    attribute_option_combo: str = "",
    adx_sex_category: str = "SEX",
    adx_age_category: str = "AGE_GROUP",
    server_url: str = "",
    username: str = "",
    password: str | None = None,
) -> Dhis2Settings:
    """password None keeps the stored one (a form never shows it back)."""
    access.require(actor, "plan.configure_dhis2")
    settings, created = Dhis2Settings.objects.get_or_create(plan=plan)
    before = audit.snapshot(settings)
    settings.data_set = data_set.strip()
    settings.data_set_code = data_set_code.strip()
    settings.attribute_option_combo = attribute_option_combo.strip()
    settings.adx_sex_category = adx_sex_category.strip() or "SEX"
    settings.adx_age_category = adx_age_category.strip() or "AGE_GROUP"
    settings.server_url = server_url.strip()
    settings.username = username.strip()
    if password is not None:
        settings.password = password
    _full_clean(settings, exclude=["plan"])
    settings.save()
    if created:
        audit.record_create(actor=actor, obj=settings)
    else:
        audit.record_update(actor=actor, obj=settings, before=before)
    return settings


@transaction.atomic
def map_data_element(
    *, actor: Actor, indicator: Indicator, uid: str, code: str, disaggregation: str
) -> Dhis2DataElement:
    access.require(actor, "plan.configure_dhis2")
    element = Dhis2DataElement.objects.filter(indicator=indicator).first() or Dhis2DataElement(
        indicator=indicator
    )
    before = audit.snapshot(element) if element.pk else None
    element.uid, element.code, element.disaggregation = uid.strip(), code.strip(), disaggregation
    _full_clean(element, exclude=["indicator"])
    if Dhis2DataElement.objects.filter(uid=element.uid).exclude(pk=element.pk).exists():
        raise ValidationError({"uid": [_("This data element already receives another indicator.")]})
    _save_audited(actor, element, before)
    return element


@transaction.atomic
def unmap_data_element(*, actor: Actor, element: Dhis2DataElement) -> None:
    access.require(actor, "plan.configure_dhis2")
    audit.record_delete(actor=actor, obj=element)
    element.delete()


@transaction.atomic
def map_org_unit(*, actor: Actor, place: Place, uid: str, code: str) -> Dhis2OrgUnit:
    access.require(actor, "plan.configure_dhis2")
    if place.level not in (PlaceLevel.PROVINCE, PlaceLevel.TERRITORY):
        raise ValidationError({"place": [_("Only the province and its territories are sent to DHIS2.")]})
    unit = Dhis2OrgUnit.objects.filter(place=place).first() or Dhis2OrgUnit(place=place)
    before = audit.snapshot(unit) if unit.pk else None
    unit.uid, unit.code = uid.strip(), code.strip()
    _full_clean(unit, exclude=["place"])
    if Dhis2OrgUnit.objects.filter(uid=unit.uid).exclude(pk=unit.pk).exists():
        raise ValidationError({"uid": [_("This organisation unit is already given to another place.")]})
    _save_audited(actor, unit, before)
    return unit


@transaction.atomic
def map_category_option_combo(
    *, actor: Actor, sex: str, age_band: str, uid: str, adx_sex_code: str = "", adx_age_code: str = ""
) -> Dhis2CategoryOptionCombo:
    access.require(actor, "plan.configure_dhis2")
    combo = Dhis2CategoryOptionCombo.objects.filter(sex=sex, age_band=age_band).first() or (
        Dhis2CategoryOptionCombo(sex=sex, age_band=age_band)
    )
    before = audit.snapshot(combo) if combo.pk else None
    combo.uid, combo.adx_sex_code, combo.adx_age_code = (
        uid.strip(),
        adx_sex_code.strip(),
        adx_age_code.strip(),
    )
    _full_clean(combo)
    _save_audited(actor, combo, before)
    return combo


def _summary(body: dict) -> dict:
    """The import summary, whether DHIS2 wraps it (2.36 and later: {"response": {...}}) or not (older)."""
    if isinstance(body.get("response"), dict) and "importCount" in body["response"]:
        return body["response"]
    return body


def _conflicts(summary: dict) -> list[dict]:
    found = []
    for conflict in summary.get("conflicts") or []:
        if isinstance(conflict, dict):
            found.append(
                {
                    "object": str(conflict.get("object", ""))[:200],
                    "value": str(conflict.get("value", ""))[:500],
                    "errorCode": str(conflict.get("errorCode", ""))[:20],
                }
            )
    return found


def push_period(*, actor: Actor, plan: Plan, period: periods.Period) -> Dhis2Push:
    """Send the period's mapped values to DHIS2 (POST /api/dataValueSets) and keep what it answered.

    Not atomic on purpose: the record of a failed sending must survive the error raised for it."""
    access.require(actor, "plan.push_dhis2")
    settings = Dhis2Settings.objects.filter(plan=plan).first()
    if settings is None or not (settings.server_url and settings.username and settings.password):
        raise ValidationError(
            _("No DHIS2 instance is configured: an administrator gives its address and account first.")
        )
    export = dhis2.collect(plan, period)
    document = dhis2.data_value_set(export, plan)
    sent = len(document["dataValues"])
    if not sent:
        raise ValidationError(_("No value of this period can be sent: see the values left out."))
    url = settings.server_url.rstrip("/") + "/api/dataValueSets"
    record = Dhis2Push(
        plan=plan, period=period.iso, server_url=settings.server_url, values_sent=sent, pushed_by=actor.user
    )
    try:
        response = httpx.post(
            url,
            json=document,
            params={"importStrategy": "CREATE_AND_UPDATE"},
            auth=(settings.username, settings.password),
            timeout=PUSH_TIMEOUT_SECONDS,
            headers={"Accept": "application/json"},
        )
    except httpx.HTTPError as error:
        record.status = PushStatus.FAILED
        record.message = _("DHIS2 could not be reached: %(error)s") % {"error": str(error)[:300]}
    else:
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code in (401, 403):
            record.status = PushStatus.FAILED
            record.message = _(
                "DHIS2 refused the account (HTTP %(status)s): check the user name and password."
            ) % {"status": response.status_code}
        elif not isinstance(body, dict):
            record.status = PushStatus.FAILED
            record.message = _("DHIS2 answered HTTP %(status)s without an import summary.") % {
                "status": response.status_code
            }
        else:
            summary = _summary(body)
            counts = summary.get("importCount") or {}
            record.response = body
            record.imported = int(counts.get("imported") or 0)
            record.updated = int(counts.get("updated") or 0)
            record.ignored = int(counts.get("ignored") or 0)
            record.conflicts = _conflicts(summary)
            status = str(summary.get("status", "")).upper()
            record.status = {
                "SUCCESS": PushStatus.SUCCESS,
                "OK": PushStatus.SUCCESS,
                "WARNING": PushStatus.WARNING,
            }.get(status, PushStatus.ERROR)
            if record.status == PushStatus.SUCCESS and record.conflicts:
                record.status = PushStatus.WARNING
            record.message = str(summary.get("description") or body.get("message") or "")[:1000]
    with transaction.atomic():
        record.save()
        audit.record_create(
            actor=actor,
            obj=record,
            note=_("%(sent)s values sent to DHIS2 for %(period)s") % {"sent": sent, "period": period.iso},
        )
    if record.status in (PushStatus.FAILED, PushStatus.ERROR):
        raise Dhis2PushFailed(record)
    return record
