"""Writes of the plan's progress: reports by the implementers of an activity, and hand-entered indicator values
(typed, ranged, one per period, area and breakdown). Atomic, audited."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kinga.core import access, audit, clock
from kinga.core.access import Actor
from kinga.core.models import Place
from kinga.core.people import AGE_BANDS, Sex
from kinga.plan.models import (
    Activity,
    ActivityStatus,
    Indicator,
    IndicatorSourceKind,
    IndicatorValue,
    ProgressReport,
)
from kinga.plan.selectors import implements
from kinga.plan.services.targets import check_indicator_value

# ----------------------------------------------------------------------------------------------- progress


@transaction.atomic
def report_progress(
    *,
    actor: Actor,
    activity: Activity,
    date: datetime.date,
    status: str,
    percent_done: int,
    actual_start: datetime.date | None = None,
    actual_end: datetime.date | None = None,
    comment: str = "",
) -> ProgressReport:
    access.require(actor, "plan.report_progress")
    if not actor.is_system_wide and not implements(actor.organisation_id, activity):
        raise PermissionDenied(_("Your organisation does not implement this activity."))
    errors: dict[str, list[str]] = {}
    if status not in ActivityStatus.values:
        errors["status"] = [_("Unknown status.")]
    try:
        percent_done = int(percent_done)
    except (TypeError, ValueError):
        percent_done = -1
    if not 0 <= percent_done <= 100:
        errors["percent_done"] = [_("A percentage is between 0 and 100.")]
    if date is None or date > clock.today():
        errors["date"] = [_("Give the date of the report (not in the future).")]
    newest = date is not None and (
        activity.progress_updated_at is None or date >= activity.progress_updated_at
    )
    if newest:
        actual_start = actual_start or activity.actual_start
    if status != ActivityStatus.COMPLETED:
        actual_end = None if status != ActivityStatus.CANCELLED else actual_end
    if status == ActivityStatus.NOT_STARTED and percent_done > 0:
        errors["percent_done"] = [_("An activity not started is 0 % done.")]
    if status == ActivityStatus.COMPLETED:
        if percent_done != 100:
            errors["percent_done"] = [_("A completed activity is 100 % done.")]
        actual_end = actual_end or date
    if status in (ActivityStatus.ONGOING, ActivityStatus.COMPLETED):
        actual_start = actual_start or date
    if actual_start and actual_end and actual_end < actual_start:
        errors["actual_end"] = [_("The actual end cannot be before the actual start.")]
    if actual_end and date and actual_end > date:
        errors["actual_end"] = [_("The actual end cannot be after the report's date.")]
    if errors:
        raise ValidationError(errors)
    report = ProgressReport.objects.create(
        activity=activity,
        date=date,
        status=status,
        percent_done=percent_done,
        actual_start=actual_start,
        actual_end=actual_end,
        comment=comment.strip(),
        author=actor.user,
        organisation=actor.organisation,
    )
    audit.record_create(actor=actor, obj=report)
    # The activity shows its latest report; an older report entered late does not overwrite it.
    if activity.progress_updated_at is None or date >= activity.progress_updated_at:
        before = audit.snapshot(
            activity, ["status", "percent_done", "actual_start", "actual_end", "progress_updated_at"]
        )
        activity.status, activity.percent_done = status, percent_done
        activity.actual_start, activity.actual_end = actual_start, actual_end
        activity.progress_updated_at = date
        activity.save(
            update_fields=["status", "percent_done", "actual_start", "actual_end", "progress_updated_at"]
        )
        audit.record_update(actor=actor, obj=activity, before=before, note=gettext_noop("progress report"))
    return report


# ---------------------------------------------------------------------------------- manual indicator values


def _breakdown_key(indicator: Indicator, breakdown: dict | None) -> tuple[dict, str]:
    breakdown = {k: str(v).strip() for k, v in (breakdown or {}).items() if str(v).strip()}
    unknown = set(breakdown) - set(indicator.breakdowns)
    if unknown:
        raise ValidationError(
            {
                "breakdown": [
                    _("This indicator is not broken down by %(b)s.") % {"b": ", ".join(sorted(unknown))}
                ]
            }
        )
    if "sex" in breakdown and breakdown["sex"] not in Sex.values:
        raise ValidationError({"breakdown": [_("Sex is M or F.")]})
    if "age_band" in breakdown and breakdown["age_band"] not in AGE_BANDS:
        raise ValidationError({"breakdown": [_("Unknown age band.")]})
    if "territory" in breakdown and not Place.objects.filter(pcode=breakdown["territory"]).exists():
        raise ValidationError({"breakdown": [_("Unknown territory p-code.")]})
    return breakdown, ";".join(f"{k}={breakdown[k]}" for k in sorted(breakdown))


@transaction.atomic
def enter_indicator_value(
    *,
    actor: Actor,
    indicator: Indicator,
    period_start: datetime.date,
    period_end: datetime.date,
    area: Place,
    value,
    breakdown: dict | None = None,
    note: str = "",
) -> IndicatorValue:
    access.require(actor, "plan.enter_indicator")
    if indicator.source != IndicatorSourceKind.MANUAL:
        raise ValidationError(
            {"indicator": [_("This indicator is computed from the records: it is not entered.")]}
        )
    errors: dict[str, list[str]] = {}
    if period_start is None or period_end is None:
        errors["period_start"] = [_("Give the period.")]
    elif period_end < period_start:
        errors["period_end"] = [_("The end of the period cannot be before its start.")]
    if area is None:
        errors["area"] = [_("Choose the area.")]
    try:
        number = Decimal(str(value).replace(",", ".").strip())
    except (InvalidOperation, ValueError):
        errors["value"] = [_("Enter a number.")]
        number = None
    if errors:
        raise ValidationError(errors)
    check_indicator_value(indicator, number)
    breakdown, key = _breakdown_key(indicator, breakdown)
    duplicate = IndicatorValue.objects.filter(
        indicator=indicator, period_start=period_start, period_end=period_end, area=area, breakdown_key=key
    ).exists()
    if duplicate:
        raise ValidationError(
            {
                "period_start": [
                    _("A value is already entered for this period, area and breakdown: correct it.")
                ]
            }
        )
    try:
        with transaction.atomic():
            obj = IndicatorValue.objects.create(
                indicator=indicator,
                period_start=period_start,
                period_end=period_end,
                area=area,
                breakdown=breakdown,
                breakdown_key=key,
                value=number,
                note=note.strip(),
                organisation=actor.organisation,
                entered_by=actor.user,
            )
    except IntegrityError:
        raise ValidationError(
            {
                "period_start": [
                    _("A value is already entered for this period, area and breakdown: correct it.")
                ]
            }
        ) from None
    audit.record_create(actor=actor, obj=obj)
    return obj


@transaction.atomic
def correct_indicator_value(*, actor: Actor, entry: IndicatorValue, value, note: str = "") -> IndicatorValue:
    access.require(actor, "plan.enter_indicator")
    if not actor.is_system_wide and entry.organisation_id != actor.organisation_id:
        raise PermissionDenied(_("Only the organisation that entered a value corrects it."))
    try:
        number = Decimal(str(value).replace(",", ".").strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"value": [_("Enter a number.")]}) from None
    check_indicator_value(entry.indicator, number)
    before = audit.snapshot(entry, ["value", "note"])
    entry.value = number
    entry.note = note.strip() or entry.note
    entry.save(update_fields=["value", "note", "updated_at"])
    audit.record_update(actor=actor, obj=entry, before=before)
    return entry
