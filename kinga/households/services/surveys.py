"""Writes of survey rounds, a household's answers and the vulnerability index built on them: atomic, audited,
refusing impossible values with field-level errors (households and members are in services.py)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kinga.core import access, audit, clock
from kinga.core.access import Actor
from kinga.households import index
from kinga.households.models import (
    Household,
    HousingType,
    IncomeSource,
    IncomeSourceKind,
    Survey,
    SurveyRound,
    VulnerabilityIndexVersion,
)
from kinga.households.models.surveys import MAX_MONTHLY_INCOME_USD

from . import figures, scores, totals
from .households import MAX_AGE, Errors, check_size, to_decimal

# --- survey rounds and answers --------------------------------------------------------------------


def _day(day: datetime.date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def _check_round_dates(
    starts_on: datetime.date | None,
    ends_on: datetime.date | None,
    errors: Errors,
    *,
    exclude: SurveyRound | None = None,
) -> None:
    if starts_on is None:
        errors.add("starts_on", _("Give the round's first day."))
    if ends_on is None:
        errors.add(
            "ends_on", _("Give the round's last day: a survey goes in the round whose dates hold its date.")
        )
    if starts_on is None or ends_on is None:
        return
    if ends_on < starts_on:
        errors.add("ends_on", _("The end cannot be before the start."))
        return
    overlapping = SurveyRound.objects.filter(starts_on__lte=ends_on, ends_on__gte=starts_on)
    if exclude is not None:
        overlapping = overlapping.exclude(pk=exclude.pk)
    other = overlapping.order_by("starts_on").first()
    if other is not None:
        errors.add(
            "starts_on",
            _("These dates overlap the round “%(name)s” (%(start)s to %(end)s): rounds cannot overlap.")
            % {"name": other.name, "start": _day(other.starts_on), "end": _day(other.ends_on)},
        )


@transaction.atomic
def create_round(
    *,
    actor: Actor,
    code: str,
    name: str,
    kind: str,
    number: int,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
) -> SurveyRound:
    """A new round of the survey, created by a manager before its surveys are recorded or imported."""
    access.require(actor, "households.configure")
    errors = Errors()
    if SurveyRound.objects.filter(code=code).exists():
        errors.add("code", _("A round with this code exists."))
    if SurveyRound.objects.filter(number=number).exists():
        errors.add("number", _("A round with this order exists."))
    _check_round_dates(starts_on, ends_on, errors)
    errors.raise_if_any()
    rnd = SurveyRound.objects.create(
        code=code, name=name, kind=kind, number=number, starts_on=starts_on, ends_on=ends_on
    )
    audit.record_create(actor=actor, obj=rnd)
    return rnd


@transaction.atomic
def update_round(
    *, actor: Actor, round: SurveyRound, name: str, starts_on: datetime.date, ends_on: datetime.date
) -> SurveyRound:
    """A round renamed or its dates moved (fieldwork that went on longer); never so that one of its surveys
    falls outside it."""
    access.require(actor, "households.configure")
    round = SurveyRound.objects.select_for_update().get(pk=round.pk)
    errors = Errors()
    if not (name or "").strip():
        errors.add("name", _("Give the round a name."))
    _check_round_dates(starts_on, ends_on, errors, exclude=round)
    if starts_on and ends_on and starts_on <= ends_on:
        outside = round.surveys.filter(Q(surveyed_on__lt=starts_on) | Q(surveyed_on__gt=ends_on))
        count = outside.count()
        if count:
            errors.add(
                "ends_on",
                ngettext(
                    "%(n)d survey of this round is dated outside these dates (first: %(day)s).",
                    "%(n)d surveys of this round are dated outside these dates (first: %(day)s).",
                    count,
                )
                % {"n": count, "day": _day(outside.order_by("surveyed_on").first().surveyed_on)},
            )
    errors.raise_if_any()
    before = audit.snapshot(round)
    round.name, round.starts_on, round.ends_on = name.strip(), starts_on, ends_on
    round.save(update_fields=["name", "starts_on", "ends_on"])
    audit.record_update(actor=actor, obj=round, before=before)
    return round


def check_in_round(round: SurveyRound, surveyed_on: datetime.date) -> None:
    """Refuse a survey dated outside its round (ValidationError on surveyed_on), saying which round holds that
    date, or that none does yet. Every way in calls it: the page, the API, the file import, field intake."""
    if round.starts_on <= surveyed_on <= round.ends_on:
        return
    values = {
        "day": _day(surveyed_on),
        "name": round.name,
        "start": _day(round.starts_on),
        "end": _day(round.ends_on),
    }
    holder = SurveyRound.objects.filter(starts_on__lte=surveyed_on, ends_on__gte=surveyed_on).first()
    if holder is not None:
        message = _(
            "A survey of %(day)s is outside the round “%(name)s” (%(start)s to %(end)s): that date is in "
            "the round “%(other)s”."
        ) % {**values, "other": holder.name}
    else:
        message = (
            _(
                "A survey of %(day)s is outside the round “%(name)s” (%(start)s to %(end)s), and no round covers "
                "that date: a manager first creates the round (Households, Survey rounds)."
            )
            % values
        )
    raise ValidationError({"surveyed_on": [message]})


SURVEY_COUNTS = (
    "children_working",
    "children_working_at_mine",
    "school_age_out_of_school",
    "members_disabled_or_ill",
)
SURVEY_FLAGS = (
    "has_productive_assets",
    "access_to_water",
    "access_to_health",
    "access_to_school",
    "access_to_credit",
)


def validate_survey(data: dict[str, Any]) -> dict[str, Any]:
    """Check one survey's answers; returns them cleaned or raises ValidationError with every problem."""
    errors = Errors()
    clean: dict[str, Any] = {}
    if not isinstance(data.get("surveyed_on"), datetime.date):
        errors.add("surveyed_on", _("Give the survey date."))
    elif data["surveyed_on"] > clock.today():
        errors.add("surveyed_on", _("The survey date cannot be in the future."))
    else:
        clean["surveyed_on"] = data["surveyed_on"]
    size = check_size(data.get("household_size"), errors, "household_size")
    clean["household_size"] = size
    if data.get("head_sex") not in ("M", "F"):
        errors.add("head_sex", _("Choose the sex of the head (M or F)."))
    clean["head_sex"] = data.get("head_sex")
    try:
        head_age = int(data.get("head_age"))
        if not 0 < head_age <= MAX_AGE:
            errors.add("head_age", _("The age must be between 0 and %(max)s years.") % {"max": MAX_AGE})
        clean["head_age"] = head_age
    except (TypeError, ValueError):
        errors.add("head_age", _("Enter an age in whole years."))
    try:
        hunger = int(data.get("hunger_scale"))
        if not 0 <= hunger <= 6:
            errors.add("hunger_scale", _("The Household Hunger Scale goes from 0 to 6."))
        clean["hunger_scale"] = hunger
    except (TypeError, ValueError):
        errors.add("hunger_scale", _("The Household Hunger Scale goes from 0 to 6."))

    if data.get("housing") not in HousingType.values:
        errors.add("housing", _("Choose the type of housing."))
    clean["housing"] = data.get("housing")
    sources: dict[str, Decimal] = {}
    for kind, amount in (data.get("income_sources") or {}).items():
        if kind not in IncomeSourceKind.values:
            errors.add("income_sources", _("Unknown income source: %(kind)s.") % {"kind": kind})
            continue
        value = to_decimal(amount, f"income_{kind}", errors, required=False)
        if value is None:
            continue
        if value < 0:
            errors.add(f"income_{kind}", _("An income cannot be negative."))
        elif value > MAX_MONTHLY_INCOME_USD:
            errors.add(f"income_{kind}", _("This monthly income is not plausible: check the amount."))
        else:
            sources[kind] = value
    clean["income_sources"] = sources
    for name in SURVEY_COUNTS:
        try:
            n = int(data.get(name) or 0)
        except (TypeError, ValueError):
            errors.add(name, _("Enter a whole number."))
            continue
        if n < 0:
            errors.add(name, _("A number of people cannot be negative."))
        elif size is not None and n > size:
            errors.add(name, _("More than the %(size)s people of the household.") % {"size": size})
        clean[name] = n
    if clean.get("children_working_at_mine", 0) > clean.get("children_working", 0):
        errors.add("children_working_at_mine", _("More children at a mine than children working."))
    for name in SURVEY_FLAGS:
        clean[name] = bool(data.get(name))
    clean["assets"] = list(data.get("assets") or [])
    clean["business_opportunities"] = (data.get("business_opportunities") or "").strip()
    errors.raise_if_any()
    return clean


def save_survey(household: Household, rnd: SurveyRound, clean: dict[str, Any]) -> tuple[Survey, bool]:
    """A survey and its income sources stored (no permission check, no audit: record_survey and import_round do both)."""
    sources = clean.pop("income_sources")
    clean["monthly_income_usd"] = sum(sources.values(), Decimal(0))
    survey, created = Survey.objects.update_or_create(household=household, round=rnd, defaults=clean)
    IncomeSource.objects.filter(survey=survey).delete()
    IncomeSource.objects.bulk_create(
        [IncomeSource(survey=survey, kind=k, monthly_amount_usd=v) for k, v in sources.items()]
    )
    return survey, created


@transaction.atomic
def record_survey(*, actor: Actor, household: Household, round: SurveyRound, **answers: Any) -> Survey:
    """A household's answers in a round: a second recording of the same round replaces the first."""
    access.require(actor, "households.edit")
    clean = validate_survey(answers)
    check_in_round(round, clean["surveyed_on"])
    existing = Survey.objects.filter(household=household, round=round).first()
    before = audit.snapshot(existing) if existing else None
    survey, created = save_survey(household, round, clean)
    totals.refresh_household(household, round_id=round.pk)
    if created:  # a household's first survey makes it "surveyed"
        figures.refresh_household(household)
        audit.record_create(actor=actor, obj=survey)
    else:
        audit.record_update(actor=actor, obj=survey, before=before)
    scores.score_household(household)
    return survey


# --- the index ------------------------------------------------------------------------------------


@transaction.atomic
def create_index_version(
    *,
    actor: Actor,
    code: str,
    weights: dict[str, Any],
    thresholds: dict[str, Any],
    description: str = "",
    make_current: bool = True,
) -> VulnerabilityIndexVersion:
    """A new version of the index (versions are never edited once published)."""
    access.require(actor, "households.configure")
    errors = Errors()
    if not code or VulnerabilityIndexVersion.objects.filter(code=code).exists():
        errors.add("code", _("Choose a new version code."))
    clean_w = {}
    for item in index.ITEM_CODES:
        w = to_decimal(weights.get(item, 0), f"weight_{item}", errors)
        if w is not None and (w < 0 or w > 100):
            errors.add(f"weight_{item}", _("A weight is between 0 and 100."))
        clean_w[item] = float(w or 0)
    if not any(clean_w.values()):
        errors.add("weights", _("At least one item must weigh something."))
    clean_t = {}
    for name, default in index.DEFAULT_THRESHOLDS.items():
        t = to_decimal(thresholds.get(name, default), name, errors)
        if t is not None and t < 0:
            errors.add(name, _("A threshold cannot be negative."))
        clean_t[name] = float(t or 0)
    if clean_t.get("hunger_scale_min", 0) > 6:
        errors.add("hunger_scale_min", _("The Household Hunger Scale goes from 0 to 6."))
    errors.raise_if_any()
    if make_current:
        VulnerabilityIndexVersion.objects.filter(is_current=True).update(is_current=False)
    version = VulnerabilityIndexVersion.objects.create(
        code=code,
        weights=clean_w,
        thresholds=clean_t,
        description=description,
        is_current=make_current,
        created_by=actor.user,
    )
    audit.record_create(actor=actor, obj=version)
    return version


def score_every_household(*, actor: Actor, version: VulnerabilityIndexVersion | None = None):
    access.require(actor, "households.configure")
    scored, not_scored, seconds = scores.score_all(version)
    audit.record(
        actor=actor,
        action="update",
        target_type="households.householdscore",
        target_id=(version or index.current_version()).code,
        changes={"scored": scored, "not_scored": not_scored},
        note="households score",
    )
    return scored, not_scored, seconds


def rebuild_round_totals(*, actor: Actor) -> tuple[int, float]:
    """Rebuild the per-round survey totals from the surveys (they are kept on every write; this repairs)."""
    access.require(actor, "households.configure")
    rows, seconds = totals.rebuild_all()
    figures.rebuild_all()
    audit.record(
        actor=actor,
        action="update",
        target_type="households.roundtotals",
        target_id="all",
        changes={"rows": rows},
        note="households totals",
    )
    return rows, seconds
