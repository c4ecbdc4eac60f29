"""How Kinga records a person's sex and age, once for every app (children, household members, miners, alerts).

Stored values are the contract with the database, the exports and the indicators: "F" / "M" for sex ("" where a
field allows an unknown sex), the ILO age bands "0-4", "5-11", "12-14", "15-17" ("" when unknown, "18+" for an
adult). Labels are translated at display.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")


class AgeBand(models.TextChoices):
    """The ILO bands of the plan's disaggregations; "" when the reporter could not tell."""

    B0_4 = "0-4", _("0–4 years")
    B5_11 = "5-11", _("5–11 years")
    B12_14 = "12-14", _("12–14 years")
    B15_17 = "15-17", _("15–17 years")
    UNKNOWN = "", _("Unknown age")


# The children's bands, in order (without the unknown band).
AGE_BANDS = tuple(band for band in AgeBand.values if band)
ADULT = "18+"


def age_on(birth: datetime.date | None, on: datetime.date) -> int | None:
    """Age in whole years on a day (None without a date of birth)."""
    if birth is None:
        return None
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def age_band(age_years: int | None) -> str:
    """The band of an age in years: "" when unknown, "18+" for an adult."""
    if age_years is None or age_years < 0:
        return ""
    if age_years <= 4:
        return "0-4"
    if age_years <= 11:
        return "5-11"
    if age_years <= 14:
        return "12-14"
    if age_years <= 17:
        return "15-17"
    return ADULT
