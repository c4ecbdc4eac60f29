"""Writes of the child-labour status: the rules table, the nightly refresh, evidence from cases and alerts."""

from __future__ import annotations

import datetime
import uuid as uuid_module
from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kinga.core import access, audit, clock
from kinga.core.access import Actor
from kinga.core.models import AuditAction
from kinga.sites import status as engine
from kinga.sites.models import (
    Site,
    SiteEvidence,
    SiteType,
    StatusChange,
    StatusPolicy,
    StatusRule,
)

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
