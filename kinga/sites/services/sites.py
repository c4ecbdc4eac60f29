"""Writes of the mine-sites app: sites, inspections, the rules table, evidence from cases and alerts (ZEA in
zones.py)."""

from __future__ import annotations

import datetime
import uuid as uuid_module
from collections import Counter
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kinga.core import access, audit, clock, uploads
from kinga.core.access import Actor
from kinga.core.geo import check_coordinates
from kinga.core.models import AuditAction, Organisation, Place
from kinga.sites import status as engine
from kinga.sites.models import (
    CHILD_COUNTS,
    INSPECTION_FIELDS,
    CorrectiveAction,
    Inspection,
    InspectionPhoto,
    Site,
    SiteEvidence,
    SiteType,
    StatusChange,
    StatusPolicy,
    StatusRule,
)

SITE_FIELDS = (
    "name",
    "place",
    "latitude",
    "longitude",
    "site_type",
    "zone",
    "minerals",
    "workers_count",
    "operator",
    "state_services",
)


def forget_cached_lists() -> None:
    """The filters' lists of minerals and territories are cached a few minutes: a change shows at once."""
    cache.delete_many(["sites:minerals", "sites:territory_ids"])


def territory_of(place: Place) -> Place | None:
    return place.territory


@transaction.atomic
def create_site(*, actor: Actor, code: str, name: str, place: Place, **fields) -> Site:
    access.require(actor, "sites.edit")
    code = code.strip()
    if not code or not name.strip():
        raise ValidationError({"code": [_("A code and a name are required.")]})
    if Site.objects.filter(code__iexact=code).exists():
        raise ValidationError({"code": [_("A site with this code already exists.")]})
    check_coordinates(fields.get("latitude"), fields.get("longitude"))
    unknown = set(fields) - set(SITE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown site fields: {sorted(unknown)}")
    site = Site(code=code, name=name.strip(), place=place, territory=territory_of(place), **fields)
    site.full_clean(exclude=["zone", "operator", "place", "territory"])
    site.save()
    audit.record_create(actor=actor, obj=site)
    transaction.on_commit(forget_cached_lists)
    return site


@transaction.atomic
def update_site(*, actor: Actor, site: Site, **fields) -> Site:
    """Edit a site; correcting its place (IPIS files Kolwezi-area sites under Mutshatsha) re-derives the territory."""
    access.require(actor, "sites.edit")
    unknown = set(fields) - set(SITE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown site fields: {sorted(unknown)}")
    before = audit.snapshot(site)
    for key, value in fields.items():
        setattr(site, key, value)
    check_coordinates(site.latitude, site.longitude)
    if "place" in fields and site.place_id != before["place"]:
        site.territory = territory_of(site.place)
        site.place_warning = ""
        site.place_corrected = True
    site.save()
    audit.record_update(actor=actor, obj=site, before=before)
    transaction.on_commit(forget_cached_lists)
    return site


# --- Inspections -------------------------------------------------------------------------------------------


@transaction.atomic
def record_inspection(
    *,
    actor: Actor,
    site: Site,
    date: datetime.date,
    organisations: list[Organisation] | None = None,
    actions: list[tuple[str, datetime.date]] | None = None,
    **fields,
) -> Inspection:
    """Record an on-site inspection, then recompute the site's status with it as evidence."""
    access.require(actor, "sites.inspect")
    unknown = set(fields) - set(INSPECTION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown inspection fields: {sorted(unknown)}")
    errors: dict[str, list[str]] = {}
    if date is None:
        errors["date"] = [_("The date of the inspection is required.")]
    elif date > clock.today():
        errors["date"] = [_("An inspection cannot be dated in the future.")]
    for key in CHILD_COUNTS:
        value = fields.get(key)
        if value is not None and value < 0:
            errors[key] = [_("A count cannot be negative.")]
    for description, deadline in actions or []:
        if not description.strip() or deadline is None:
            errors["actions"] = [_("Each corrective action needs a description and a deadline.")]
        elif date and deadline < date:
            errors["actions"] = [_("A corrective action's deadline cannot precede the inspection.")]
    if errors:
        raise ValidationError(errors)
    counts = [fields.get(k) for k in CHILD_COUNTS]
    fields = {k: (0 if v is None and k in CHILD_COUNTS else v) for k, v in fields.items()}
    total = sum(c or 0 for c in counts)
    inspection = Inspection.objects.create(
        site=site,
        date=date,
        source=Inspection.Source.KINGA,
        onsite=True,
        inspector=actor.user,
        children_seen=total > 0,
        children_in_workings=total > 0,
        armed_group_present=bool(fields.pop("armed_group_present", False)),
        security_forces_present=bool(fields.pop("security_forces_present", False)),
        **fields,
    )
    if organisations:
        inspection.organisations.set(organisations)
    elif actor.organisation is not None:
        inspection.organisations.set([actor.organisation])
    for description, deadline in actions or []:
        CorrectiveAction.objects.create(
            inspection=inspection, description=description.strip(), deadline=deadline
        )
    audit.record_create(actor=actor, obj=inspection)
    if fields.get("workers_count") is not None and date >= (site.last_inspection_date or date):
        Site.objects.filter(pk=site.pk).update(workers_count=fields["workers_count"])
    engine.recompute([site.pk], default_evidence=StatusChange.Evidence.INSPECTION)
    site.refresh_from_db()
    return inspection


@transaction.atomic
def complete_action(*, actor: Actor, action: CorrectiveAction, done_on: datetime.date) -> CorrectiveAction:
    access.require(actor, "sites.inspect")
    if done_on > clock.today():
        raise ValidationError({"done_on": [_("This date is in the future.")]})
    before = audit.snapshot(action)
    action.done_on = done_on
    action.save(update_fields=["done_on"])
    audit.record_update(actor=actor, obj=action, before=before)
    return action


ALLOWED_PHOTO_TYPES = (".jpg", ".jpeg", ".png", ".webp")
MAX_PHOTO_BYTES = 8 * 1024 * 1024


@transaction.atomic
def add_photo(*, actor: Actor, inspection: Inspection, image, caption: str = "") -> InspectionPhoto:
    access.require(actor, "sites.inspect")
    name = (getattr(image, "name", "") or "").lower()
    if not name.endswith(ALLOWED_PHOTO_TYPES):
        raise ValidationError({"image": [_("A photo must be a JPEG, PNG or WebP image.")]})
    if image.size > MAX_PHOTO_BYTES:
        raise ValidationError({"image": [_("A photo cannot exceed 8 MB.")]})
    if not uploads.is_image(image):  # by its content: a page or a script named .jpg is not a photo
        raise ValidationError(
            {"image": [_("This file is not a photo Kinga can read (JPEG, PNG, WebP or GIF).")]}
        )
    photo = InspectionPhoto.objects.create(inspection=inspection, image=image, caption=caption.strip())
    audit.record_create(actor=actor, obj=photo)
    return photo


# --- Rules table ---------------------------------------------------------------------------------------------


@transaction.atomic
def update_rules(
    *,
    actor: Actor,
    outcomes: dict[str, str],
    correction_months: int | None = None,
    red_clearance_months: int | None = None,
    expiry_months: int | None = None,
) -> int:
    """Change the rules table, then recompute every site's status (returns how many changed)."""
    access.require(actor, "sites.configure_rules")
    errors = {}
    for condition, outcome in outcomes.items():
        if condition not in engine.CONDITIONS:
            errors[condition] = [_("Unknown condition.")]
        elif outcome not in StatusRule.Outcome.values:
            errors[condition] = [_("Choose red, yellow or no effect.")]
    for name, value in (
        ("correction_months", correction_months),
        ("red_clearance_months", red_clearance_months),
        ("expiry_months", expiry_months),
    ):
        if value is not None and not 1 <= value <= 120:
            errors[name] = [_("Give a number of months between 1 and 120.")]
    if errors:
        raise ValidationError(errors)
    for position, (condition, outcome) in enumerate(outcomes.items()):
        rule = StatusRule.objects.filter(condition=condition).first()
        if rule is None:
            rule = StatusRule.objects.create(condition=condition, outcome=outcome, position=position)
            audit.record_create(actor=actor, obj=rule)
        elif rule.outcome != outcome:
            before = audit.snapshot(rule)
            rule.outcome = outcome
            rule.save(update_fields=["outcome", "updated_at"])
            audit.record_update(actor=actor, obj=rule, before=before)
    policy = StatusPolicy.objects.first() or StatusPolicy.objects.create()
    before = audit.snapshot(policy)
    for name, value in (
        ("correction_months", correction_months),
        ("red_clearance_months", red_clearance_months),
        ("expiry_months", expiry_months),
    ):
        if value is not None:
            setattr(policy, name, value)
    policy.save()
    audit.record_update(actor=actor, obj=policy, before=before)
    return engine.recompute(default_evidence=StatusChange.Evidence.RULES)


@dataclass(frozen=True)
class StatusRefresh:
    """What a refresh changed: (site code, site name, old status, new status), one per site."""

    at: datetime.date
    changes: tuple[tuple[str, str, str, str], ...]

    def transitions(self) -> Counter:
        return Counter((old, new) for _code, _name, old, new in self.changes)


@transaction.atomic
def refresh_statuses(*, actor: Actor, at: datetime.date | None = None) -> StatusRefresh:
    """Record on the sites' timelines what time alone changed (a status over its validity becomes expired).

    Run daily by `kinga sites refresh-status` (docs/deploy.md): lists already show a lapsed status as
    expired, but the timelines, the supply chain's date lookups and the events need it stored. A second run
    the same day changes nothing.
    """
    access.require(actor, "sites.configure_rules")
    at = at or clock.today()
    changes = engine.recompute_changes(at=at, default_evidence=StatusChange.Evidence.TIME)
    names = {
        pk: (code, name)
        for pk, code, name in Site.objects.filter(pk__in=[c.site_id for c in changes]).values_list(
            "pk", "code", "name"
        )
    }
    result = StatusRefresh(
        at=at,
        changes=tuple(sorted((*names[c.site_id], c.old_status, c.new_status) for c in changes)),
    )
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE if changes else AuditAction.OTHER,
        target_type="sites.status_refresh",
        target_id=at.isoformat(),
        changes={
            "sites_changed": len(changes),
            "transitions": {f"{old}→{new}": n for (old, new), n in sorted(result.transitions().items())},
        },
    )
    return result


# --- Evidence from other apps (events) ---------------------------------------------------------------------


def _as_uuid(value) -> uuid_module.UUID:
    return value if isinstance(value, uuid_module.UUID) else uuid_module.UUID(str(value))


def _as_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


@transaction.atomic
def record_evidence(
    *, kind: str, site_id: int, ref, date, children: int = 1, sex: str = "", age_band: str = "", actor=None
) -> SiteEvidence | None:
    """A child identified at a site, or a verified alert: a count on the site, then its status recomputed."""
    site = Site.objects.filter(pk=site_id).first()
    if site is None:
        return None
    ref = _as_uuid(ref)
    existing = SiteEvidence.objects.filter(kind=kind, ref=ref).first()
    if existing is not None:
        return existing  # the same case or alert told twice counts once
    try:
        with transaction.atomic():
            evidence = SiteEvidence.objects.create(
                site=site,
                kind=kind,
                ref=ref,
                date=_as_date(date),
                children=max(int(children or 0), 0),
                sex=(sex or "")[:1],
                age_band=(age_band or "")[:8],
            )
    except IntegrityError:
        return SiteEvidence.objects.get(kind=kind, ref=ref)
    audit.record_create(actor=actor, obj=evidence, note=f"site {site.code}")
    evidence_kind = (
        StatusChange.Evidence.CHILD_CASE
        if kind == SiteEvidence.Kind.CHILD_CASE
        else StatusChange.Evidence.ALERT
    )
    engine.recompute([site.pk], default_evidence=evidence_kind)
    return evidence


def on_child_identified(*, site_id, case_uuid, date, sex: str = "", age_band: str = "", actor=None, **_extra):
    record_evidence(
        kind=SiteEvidence.Kind.CHILD_CASE,
        site_id=site_id,
        ref=case_uuid,
        date=date,
        children=1,
        sex=sex,
        age_band=age_band,
        actor=actor,
    )


def on_alert_verified(*, site_id, alert_uuid, children_count=1, date=None, actor=None, **_extra):
    record_evidence(
        kind=SiteEvidence.Kind.ALERT,
        site_id=site_id,
        ref=alert_uuid,
        date=date or clock.today(),
        children=children_count if children_count is not None else 1,
        actor=actor,
    )


def ensure_default_rules() -> None:
    """The default rules table (idempotent: never overwrites what administrators chose)."""
    for position, (condition, (outcome, _label)) in enumerate(engine.CONDITIONS.items()):
        StatusRule.objects.get_or_create(
            condition=condition, defaults={"outcome": outcome, "position": position}
        )
    if not StatusPolicy.objects.exists():
        StatusPolicy.objects.create()


__all__ = ["SiteType", "ensure_default_rules"]
