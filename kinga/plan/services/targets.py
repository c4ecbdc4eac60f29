"""Writes of the plan's indicator targets: the final target and the targets by date, each change a revision."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kinga.core import access, audit
from kinga.core.access import Actor
from kinga.plan.models import (
    Indicator,
    IndicatorTarget,
    RevisionKind,
    ValueType,
)
from kinga.plan.selectors import plan_start_date
from kinga.plan.services.logframe import apply_changes, record_revision, require_reason


@transaction.atomic
def revise_indicator_target(*, actor: Actor, indicator: Indicator, reason: str, target) -> Indicator:
    access.require(actor, "plan.edit")
    reason = require_reason(reason)
    value = None
    if target not in (None, ""):
        try:
            value = Decimal(str(target))
        except InvalidOperation:
            raise ValidationError({"target": [_("Enter a number.")]}) from None
        check_indicator_value(indicator, value, "target")
    before = audit.snapshot(indicator, ["target"])
    if indicator.target == value:
        return indicator
    old = indicator.target
    indicator.target = value
    indicator.save(update_fields=["target"])
    record_revision(
        actor=actor,
        plan=indicator.plan,
        kind=RevisionKind.UPDATE,
        reason=reason,
        obj=indicator,
        label=f"{indicator.code} {indicator.label_fr}",
        changes={"target": [audit.jsonable(old), audit.jsonable(value)]},
    )
    audit.record_update(actor=actor, obj=indicator, before=before, note=reason)
    return indicator


def check_indicator_value(indicator: Indicator, value: Decimal, field: str = "value") -> None:
    if indicator.value_type == ValueType.INTEGER and (value != value.to_integral_value() or value < 0):
        raise ValidationError({field: [_("Enter a whole number (0 or more).")]})
    if indicator.value_type == ValueType.PERCENT and not 0 <= value <= 100:
        raise ValidationError({field: [_("A percentage is between 0 and 100.")]})
    if indicator.value_type == ValueType.BOOLEAN and value not in (0, 1):
        raise ValidationError({field: [_("Enter 1 (yes) or 0 (no).")]})
    if indicator.value_type == ValueType.DECIMAL and value < 0:
        raise ValidationError({field: [_("The value cannot be negative.")]})


# What IndicatorTarget.value holds (18 digits, 4 of them decimals).
TARGET_LIMIT = Decimal(10) ** 14


def _clean_period_target(indicator: Indicator, period_end, value) -> tuple[datetime.date, Decimal]:
    errors: dict[str, list[str]] = {}
    if not isinstance(period_end, datetime.date):
        errors["period_end"] = [_("Give the date the target is due by.")]
    elif period_end <= plan_start_date():
        errors["period_end"] = [
            _("A target is due after the start of the plan (%(d)s).") % {"d": f"{plan_start_date():%d/%m/%Y}"}
        ]
    try:
        number = Decimal(str(value).replace(",", ".").strip()) if value not in (None, "") else None
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite():
        errors["value"] = [_("Enter a number.")]
    elif abs(number) >= TARGET_LIMIT:
        errors["value"] = [_("This number is too large.")]
    if errors:
        raise ValidationError(errors)
    check_indicator_value(indicator, number)
    return period_end, number


def _check_period_free(indicator: Indicator, period_end: datetime.date, exclude: int | None = None) -> None:
    taken = IndicatorTarget.objects.filter(indicator=indicator, period_end=period_end).exclude(pk=exclude)
    if taken.exists():
        raise ValidationError(
            {"period_end": [_("This indicator already has a target due on this date: change that one.")]}
        )


def _target_label(target: IndicatorTarget) -> str:
    return f"{target.indicator.code} {target.indicator.label_fr} ({target.period_end:%d/%m/%Y})"


@transaction.atomic
def add_period_target(
    *, actor: Actor, indicator: Indicator, reason: str, period_end: datetime.date, value
) -> IndicatorTarget:
    """A target due by a date: what the indicator should reach, counted from the start of the plan."""
    access.require(actor, "plan.edit")
    reason = require_reason(reason)
    period_end, number = _clean_period_target(indicator, period_end, value)
    _check_period_free(indicator, period_end)
    try:
        with transaction.atomic():
            target = IndicatorTarget.objects.create(indicator=indicator, period_end=period_end, value=number)
    except IntegrityError:
        # Another coordinator took the date between the check and the insert.
        raise ValidationError(
            {"period_end": [_("This indicator already has a target due on this date: change that one.")]}
        ) from None
    record_revision(
        actor=actor,
        plan=indicator.plan,
        kind=RevisionKind.CREATE,
        reason=reason,
        obj=target,
        label=_target_label(target),
        changes={"period_end": [None, audit.jsonable(period_end)], "value": [None, audit.jsonable(number)]},
    )
    audit.record_create(actor=actor, obj=target, note=reason)
    return target


@transaction.atomic
def revise_period_target(
    *, actor: Actor, target: IndicatorTarget, reason: str, period_end: datetime.date, value
) -> IndicatorTarget:
    access.require(actor, "plan.edit")
    reason = require_reason(reason)
    period_end, number = _clean_period_target(target.indicator, period_end, value)
    _check_period_free(target.indicator, period_end, exclude=target.pk)
    before = audit.snapshot(target, ["period_end", "value"])
    diff = apply_changes(target, {"period_end": period_end, "value": number})
    if not diff:
        return target
    target.save(update_fields=["period_end", "value"])
    record_revision(
        actor=actor,
        plan=target.indicator.plan,
        kind=RevisionKind.UPDATE,
        reason=reason,
        obj=target,
        label=_target_label(target),
        changes=diff,
    )
    audit.record_update(actor=actor, obj=target, before=before, note=reason)
    return target


@transaction.atomic
def remove_period_target(*, actor: Actor, target: IndicatorTarget, reason: str) -> Indicator:
    """Removes a dated target (as a revision with its reason); returns the indicator it belonged to."""
    access.require(actor, "plan.edit")
    reason = require_reason(reason)
    # RevisionKind has no "removal" (a new choice would need a migration): a change to nothing says it.
    record_revision(
        actor=actor,
        plan=target.indicator.plan,
        kind=RevisionKind.UPDATE,
        reason=reason,
        obj=target,
        label=_target_label(target),
        changes={
            "period_end": [audit.jsonable(target.period_end), None],
            "value": [audit.jsonable(target.value), None],
        },
    )
    audit.record_delete(actor=actor, obj=target, note=reason)
    target.delete()
    return target.indicator
