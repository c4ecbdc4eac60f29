"""The nutrition measures computed from a field team's answers: WFP's food consumption score and WHO's MUAC
cut-offs (children of 6 to 59 months)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal

from kinga.households.models import FoodConsumption, MuacStatus
from kinga.households.models.production import (
    FCS_BORDERLINE_MAX,
    FCS_POOR_MAX,
    FOOD_GROUPS,
    MUAC_AGE_MONTHS,
    MUAC_MODERATE_BELOW,
    MUAC_SEVERE_BELOW,
)


def food_score(days: Mapping[str, int]) -> tuple[Decimal, str]:
    """WFP's food consumption score of a week's answers (days per food group) and its class."""
    score = sum(Decimal(str(weight)) * int(days.get(group, 0)) for group, weight in FOOD_GROUPS.items())
    score = Decimal(score).quantize(Decimal("0.1"))
    if score <= FCS_POOR_MAX:
        return score, FoodConsumption.POOR
    if score <= FCS_BORDERLINE_MAX:
        return score, FoodConsumption.BORDERLINE
    return score, FoodConsumption.ACCEPTABLE


def muac_status(muac_mm: int, oedema: bool = False) -> str:
    """WHO's cut-offs for children of 6 to 59 months; bilateral oedema is severe whatever the arm."""
    if oedema or muac_mm < MUAC_SEVERE_BELOW:
        return MuacStatus.SEVERE
    if muac_mm < MUAC_MODERATE_BELOW:
        return MuacStatus.MODERATE
    return MuacStatus.NORMAL


def age_in_months(birth: datetime.date, on: datetime.date) -> int:
    return (on.year - birth.year) * 12 + on.month - birth.month - (on.day < birth.day)


def measurable(birth: datetime.date, on: datetime.date) -> bool:
    """A child whose MUAC the team takes on a day: 6 to 59 months old."""
    return MUAC_AGE_MONTHS[0] <= age_in_months(birth, on) <= MUAC_AGE_MONTHS[1]
