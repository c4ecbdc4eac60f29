"""Writes of what households produce (harvests and livestock) and of the nutrition visits field teams make.

The food consumption score and the children's MUAC status are computed here from the answers, never typed.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from kinga.core import access, audit, clock
from kinga.core.access import Actor
from kinga.households.models import (
    Enrolment,
    Harvest,
    Household,
    HouseholdMember,
    MuacMeasurement,
    NutritionVisit,
    ProductionKind,
    ProgrammeKind,
    Season,
    Unit,
)
from kinga.households.models.production import FOOD_GROUPS, LIVESTOCK_PRODUCTS, Product
from kinga.households.nutrition import age_in_months, food_score, measurable, muac_status

from .households import Errors, to_decimal

# The programmes whose households' harvests the plan's production rate follows (axis 1, action 3).
FARMING_PROGRAMMES = (ProgrammeKind.COOPERATIVE, ProgrammeKind.GARDENING_LIVESTOCK)


def farming_enrolment(household: Household, on: datetime.date) -> Enrolment | None:
    """The household's enrolment in a farming programme on a day (the latest if several)."""
    return (
        household.enrolments.filter(programme__kind__in=FARMING_PROGRAMMES, enrolled_on__lte=on)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on))
        .order_by("-enrolled_on")
        .first()
    )


@transaction.atomic
def record_harvest(
    *,
    actor: Actor,
    household: Household,
    kind: str,
    product: str,
    quantity: Decimal | str,
    unit: str,
    season: str,
    season_year: int,
    recorded_on: datetime.date,
    area_ha: Decimal | str | None = None,
) -> Harvest:
    """A household's harvest (a crop, with the area farmed) or livestock production in a season, attached to its
    farming programme enrolment on the day when it has one."""
    access.require(actor, "households.edit")
    errors = Errors()
    if kind not in ProductionKind.values:
        errors.add("kind", _("Choose crop or livestock."))
    if product not in Product.values:
        errors.add("product", _("Choose the product."))
    elif kind in ProductionKind.values and (product in LIVESTOCK_PRODUCTS) != (
        kind == ProductionKind.LIVESTOCK
    ):
        errors.add("product", _("This product is not of the kind chosen."))
    q = to_decimal(quantity, "quantity", errors)
    if q is not None and q <= 0:
        errors.add("quantity", _("The quantity must be more than zero."))
    if unit not in Unit.values:
        errors.add("unit", _("Choose the unit."))
    area = to_decimal(area_ha, "area_ha", errors, required=False)
    if area is not None:
        if kind == ProductionKind.LIVESTOCK:
            errors.add("area_ha", _("An area is given for crops only."))
        elif not (0 < area <= 100):
            errors.add("area_ha", _("%(ha)s ha is not plausible for one household.") % {"ha": area})
    if season not in Season.values:
        errors.add("season", _("Choose the season."))
    if recorded_on is None:
        errors.add("recorded_on", _("Give the date."))
    elif recorded_on > clock.today():
        errors.add("recorded_on", _("This date cannot be in the future."))
    elif season_year is None or not (recorded_on.year - 1 <= int(season_year) <= recorded_on.year):
        errors.add("season_year", _("The season is of the year recorded or the one before."))
    if (
        not errors
        and household.harvests.filter(product=product, season=season, season_year=season_year).exists()
    ):
        errors.add("product", _("This product is already recorded for the household in this season."))
    errors.raise_if_any()
    harvest = Harvest.objects.create(
        household=household,
        enrolment=farming_enrolment(household, recorded_on),
        kind=kind,
        product=product,
        quantity=q,
        unit=unit,
        area_ha=area,
        season=season,
        season_year=int(season_year),
        recorded_on=recorded_on,
    )
    audit.record_create(actor=actor, obj=harvest)
    return harvest


@dataclass(frozen=True)
class ChildMeasure:
    member: HouseholdMember
    muac_mm: int
    oedema: bool = False


@transaction.atomic
def record_nutrition_visit(
    *,
    actor: Actor,
    household: Household,
    visited_on: datetime.date,
    food_days: Mapping[str, int],
    children: Sequence[ChildMeasure] = (),
) -> NutritionVisit:
    """A nutrition visit: the days each food group was eaten over the last 7 days (the score and its class are
    computed), and the MUAC of children of 6 to 59 months of the household (their status computed)."""
    access.require(actor, "households.edit")
    errors = Errors()
    if visited_on is None:
        errors.add("visited_on", _("Give the date."))
    elif visited_on > clock.today():
        errors.add("visited_on", _("This date cannot be in the future."))
    elif household.nutrition_visits.filter(visited_on=visited_on).exists():
        errors.add("visited_on", _("A visit to this household is already recorded on that day."))
    for group in set(food_days) - set(FOOD_GROUPS):
        errors.add(group, _("Unknown field."))
    days = {}
    for group in FOOD_GROUPS:
        value = food_days.get(group) or 0  # a food group not eaten may be left unanswered
        try:
            days[group] = int(value)
        except (TypeError, ValueError):
            errors.add(group, _("Give a number of days from 0 to 7."))
            continue
        if not 0 <= days[group] <= 7:
            errors.add(group, _("Give a number of days from 0 to 7."))
    seen = set()
    for child in children:
        member = child.member
        if member.household_id != household.pk:
            errors.add("measurements", _("This child is not a member of the household."))
            continue
        if member.pk in seen:
            errors.add("measurements", _("A child is measured once per visit."))
        seen.add(member.pk)
        if visited_on is not None and not measurable(member.birth_date, visited_on):
            errors.add("measurements", _("MUAC is measured on children of 6 to 59 months."))
        if child.muac_mm is None or not 60 <= int(child.muac_mm) <= 250:
            errors.add("measurements", _("A MUAC is between 60 and 250 mm."))
    errors.raise_if_any()
    score, consumption = food_score(days)
    visit = NutritionVisit.objects.create(
        household=household, visited_on=visited_on, food_score=score, food_consumption=consumption, **days
    )
    audit.record_create(actor=actor, obj=visit)
    for child in children:
        measurement = MuacMeasurement.objects.create(
            visit=visit,
            member=child.member,
            age_months=age_in_months(child.member.birth_date, visited_on),
            muac_mm=int(child.muac_mm),
            oedema=bool(child.oedema),
            status=muac_status(int(child.muac_mm), bool(child.oedema)),
        )
        audit.record_create(actor=actor, obj=measurement)
    return visit
