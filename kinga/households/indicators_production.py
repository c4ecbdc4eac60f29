"""The plan's production and nutrition rates (axis 1, action 3), computed from the records of
kinga.households.models.production (docs/indicators.md, section « Households »).

Each rate is two counts of one grouped query, divided here; a group with nobody to count gives no value (not 0).
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Value
from django.utils.translation import gettext_lazy as _

from kinga.core import memo
from kinga.core.indicators import IndicatorQuery, IndicatorValue, indicator_source
from kinga.households.models import Enrolment, Harvest, MuacMeasurement, MuacStatus
from kinga.households.services.production import FARMING_PROGRAMMES

HUNDRED = Decimal(100)


def _rates(rows, keys: dict[str, str], query: IndicatorQuery) -> list[IndicatorValue]:
    values = []
    for row in rows:
        if not row["whole"]:
            continue
        rate = (Decimal(row["part"]) * HUNDRED / row["whole"]).quantize(Decimal("0.1"))
        breakdown = {b: row[keys[b]] or "" for b in query.breakdowns if b in keys}
        values.append(IndicatorValue(value=rate, breakdown=breakdown))
    return values


def _grouped_rate(qs, query: IndicatorQuery, keys: dict[str, str], *, whole, part) -> list[IndicatorValue]:
    fields = [keys[b] for b in query.breakdowns if b in keys]
    qs = qs.order_by()
    rows = (
        qs.values(*fields).annotate(whole=whole, part=part)
        if fields
        else [qs.aggregate(whole=whole, part=part)]
    )
    return _rates(rows, keys, query)


@indicator_source(
    "HOUSEHOLDS_PRODUCTION_RATE",
    breakdowns=("territory",),
    organisations=True,
    provenance=_(
        "computed from the harvests and livestock recorded for the households in farming programmes"
    ),
)
def production_rate(query: IndicatorQuery) -> list[IndicatorValue]:
    """Of the households enrolled in a cooperative or a market-gardening and livestock programme at some time in
    the period, the share (%) with a harvest or livestock production recorded in the period."""
    # Households with a record in the period, as a set the database hashes once (an EXISTS per enrolment read
    # the harvests once per enrolment: 1.8 s for a province).
    produced = Harvest.objects.filter(recorded_on__gte=query.start, recorded_on__lte=query.end).values(
        "household_id"
    )
    qs = (
        Enrolment.objects.filter(programme__kind__in=FARMING_PROGRAMMES, enrolled_on__lte=query.end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=query.start))
        .filter(**query.organisation_filter("household__organisation"))
    )
    prefix = query.area_path_prefix()
    if prefix:
        qs = qs.filter(household__place_path__startswith=prefix)
    return _grouped_rate(
        qs,
        query,
        {"territory": "household__territory__pcode"},
        whole=Count("household", distinct=True),
        part=Count("household", distinct=True, filter=Q(household__in=produced)),
    )


@indicator_source(
    "HOUSEHOLDS_MALNUTRITION_RATE",
    breakdowns=("sex", "age_band", "territory"),
    organisations=True,
    provenance=_("computed from the children's MUAC measured at the nutrition visits"),
)
def malnutrition_rate(query: IndicatorQuery) -> list[IndicatorValue]:
    """Of the children of 6 to 59 months measured in the period (their latest measurement), the share (%) in acute
    malnutrition by MUAC: under 125 mm, or oedema (moderate and severe). Age band: 0-4 (all of them)."""
    later = MuacMeasurement.objects.filter(
        member=OuterRef("member"),
        visit__visited_on__gt=OuterRef("visit__visited_on"),
        visit__visited_on__lte=query.end,
    )
    qs = (
        MuacMeasurement.objects.filter(visit__visited_on__gte=query.start, visit__visited_on__lte=query.end)
        .filter(**query.organisation_filter("visit__household__organisation"))
        .exclude(Exists(later))
        .annotate(age_band=Value("0-4"))
    )
    prefix = query.area_path_prefix()
    if prefix:
        qs = qs.filter(visit__household__place_path__startswith=prefix)
    malnourished = Q(status__in=[MuacStatus.SEVERE, MuacStatus.MODERATE])
    return _grouped_rate(
        qs,
        query,
        {"territory": "visit__household__territory__pcode", "sex": "member__sex", "age_band": "age_band"},
        whole=Count("id"),
        part=Count("id", filter=malnourished),
    )


# Memoised until the next write of a record they read (kinga.core.memo).
memo.register(
    "HOUSEHOLDS_PRODUCTION_RATE",
    apps=("households.Harvest", "households.Enrolment", "households.Programme", "households.Household"),
)
memo.register(
    "HOUSEHOLDS_MALNUTRITION_RATE",
    apps=(
        "households.MuacMeasurement",
        "households.NutritionVisit",
        "households.HouseholdMember",
        "households.Household",
    ),
)
