"""The households module's indicators (docs/indicators.md, section « Households »).

Each source is one aggregate query grouped in the database; the territory is the ADM2 p-code stored on
the household (or cooperative) when its place is set.
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import gettext_lazy as _

from kinga.core import memo, tallies
from kinga.core.indicators import SPAN, IndicatorQuery, IndicatorValue, indicator_source, span_bucket
from kinga.households.models import (
    Cooperative,
    CooperativeMember,
    CooperativeNetwork,
    Delivery,
    DeliveryKind,
    Enrolment,
    EnrolmentStatus,
    Household,
    Occupation,
    ProgrammeKind,
    Survey,
)

TERRITORY = ("territory",)
SEX_TERRITORY = ("sex", "territory")


def _area(qs: QuerySet, query: IndicatorQuery, path_field: str) -> QuerySet:
    """The records of the area; of one organisation when the query asks (a household's organisation)."""
    prefix = query.area_path_prefix()
    qs = qs.filter(**{f"{path_field}__startswith": prefix}) if prefix else qs
    if path_field.endswith("household__place_path"):
        qs = qs.filter(**query.organisation_filter(path_field.replace("place_path", "organisation")))
    return qs


def _grouped(
    qs: QuerySet, query: IndicatorQuery, keys: dict[str, str], aggregate, date_field: str | None = None
) -> list[IndicatorValue]:
    """One GROUP BY over the asked breakdowns (keys: breakdown name → field), `aggregate` as the value; with
    `date_field` (the period's date), also by the query's span when asked (kinga.core.indicators.SPAN)."""
    if date_field and SPAN in query.breakdowns:
        qs = qs.annotate(span=span_bucket(query, date_field))
        keys = {**keys, SPAN: "span"}
    fields = [keys[b] for b in query.breakdowns if b in keys]
    if not fields:
        value = qs.order_by().aggregate(v=aggregate)["v"]
        return [IndicatorValue(value=value or 0)]
    rows = qs.order_by().values(*fields).annotate(v=aggregate)
    return [
        IndicatorValue(
            value=row["v"] or 0,
            breakdown={b: _key(row[keys[b]]) for b in query.breakdowns if b in keys},
        )
        for row in rows
    ]


def _key(value):
    return "" if value is None else value  # a span's index 0 is a value


def _in_period(field: str, query: IndicatorQuery) -> Q:
    return Q(**{f"{field}__gte": query.start, f"{field}__lte": query.end})


HOUSEHOLD_KEYS = {"territory": "household__territory__pcode"}
MEMBER_KEYS = {"territory": "household__territory__pcode", "sex": "member__sex"}


@indicator_source("HOUSEHOLDS_SURVEYS_DONE", breakdowns=TERRITORY, organisations=True, spans=True)
def surveys_done(query: IndicatorQuery) -> list[IndicatorValue]:
    """Survey rounds (the prior socio-economic study, then follow-ups) with households surveyed in the period."""
    qs = _area(Survey.objects.filter(_in_period("surveyed_on", query)), query, "household__place_path")
    return _grouped(qs, query, HOUSEHOLD_KEYS, Count("round_id", distinct=True), "surveyed_on")


@indicator_source("HOUSEHOLDS_HOUSEHOLDS_SURVEYED", breakdowns=TERRITORY, organisations=True, spans=True)
def households_surveyed(query: IndicatorQuery) -> list[IndicatorValue]:
    qs = _area(Survey.objects.filter(_in_period("surveyed_on", query)), query, "household__place_path")
    return _grouped(qs, query, HOUSEHOLD_KEYS, Count("household_id", distinct=True), "surveyed_on")


@indicator_source("HOUSEHOLDS_EMA_WOMEN_RETRAINED", breakdowns=SEX_TERRITORY, organisations=True, spans=True)
def ema_women_retrained(query: IndicatorQuery) -> list[IndicatorValue]:
    """People (the member enrolled) who completed a retraining in the period and were artisanal miners
    before it, or are women."""
    qs = Enrolment.objects.filter(
        _in_period("ended_on", query),
        programme__kind=ProgrammeKind.RETRAINING,
        status=EnrolmentStatus.COMPLETED,
        member__isnull=False,
    ).filter(Q(previous_occupation=Occupation.ARTISANAL_MINER) | Q(member__sex="F"))
    qs = _area(qs, query, "household__place_path")
    return _grouped(qs, query, MEMBER_KEYS, Count("member_id", distinct=True), "ended_on")


def _businesses(query: IndicatorQuery, registered_only: bool) -> QuerySet:
    qs = Enrolment.objects.filter(
        _in_period("business_created_on", query), programme__kind=ProgrammeKind.SMALL_BUSINESS
    )
    if registered_only:
        qs = qs.exclude(business_registration="")
    return _area(qs, query, "household__place_path")


@indicator_source("HOUSEHOLDS_SME_CREATED", breakdowns=TERRITORY, organisations=True, spans=True)
def sme_created(query: IndicatorQuery) -> list[IndicatorValue]:
    """Registered businesses (RCCM number recorded) created in the period."""
    return _grouped(_businesses(query, True), query, HOUSEHOLD_KEYS, Count("id"), "business_created_on")


@indicator_source("HOUSEHOLDS_BUSINESSES_CREATED", breakdowns=TERRITORY, organisations=True, spans=True)
def businesses_created(query: IndicatorQuery) -> list[IndicatorValue]:
    """Every business (SME, SMI or income-generating activity) created in the period."""
    return _grouped(_businesses(query, False), query, HOUSEHOLD_KEYS, Count("id"), "business_created_on")


@indicator_source("HOUSEHOLDS_COOPERATIVES", breakdowns=TERRITORY)
def cooperatives(query: IndicatorQuery) -> list[IndicatorValue]:
    """Cooperatives existing at the end of the period (registered, or recorded, by then) — cumulative."""
    qs = Cooperative.objects.annotate(since=Coalesce("registered_on", TruncDate("created_at"))).filter(
        since__lte=query.end
    )
    qs = _area(qs, query, "place_path")
    return _grouped(qs, query, {"territory": "territory__pcode"}, Count("id"))


def _cooperative_enrolments(query: IndicatorQuery) -> QuerySet:
    qs = Enrolment.objects.filter(
        programme__kind=ProgrammeKind.COOPERATIVE, enrolled_on__lte=query.end
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=query.start))
    return _area(qs, query, "household__place_path")


@indicator_source("HOUSEHOLDS_IN_COOPERATIVES", breakdowns=TERRITORY, organisations=True)
def households_in_cooperatives(query: IndicatorQuery) -> list[IndicatorValue]:
    """Households member of a cooperative at some time in the period (one per cooperative enrolment: a household
    enrolled in two cooperative programmes at once counts twice). Kept on write as a stock (below)."""
    return _grouped(_cooperative_enrolments(query), query, HOUSEHOLD_KEYS, Count("id"))


@indicator_source("HOUSEHOLDS_HECTARES_ALLOCATED", breakdowns=TERRITORY, organisations=True)
def hectares_allocated(query: IndicatorQuery) -> list[IndicatorValue]:
    """Hectares allocated to households member of a cooperative during the period."""
    return _grouped(_cooperative_enrolments(query), query, HOUSEHOLD_KEYS, Sum("hectares"))


@indicator_source("HOUSEHOLDS_COOPERATIVE_NETWORKS", breakdowns=TERRITORY)
def cooperative_networks(query: IndicatorQuery) -> list[IndicatorValue]:
    """Networks of cooperatives founded (or recorded) by the end of the period with at least one cooperative."""
    qs = CooperativeNetwork.objects.annotate(since=Coalesce("founded_on", TruncDate("created_at"))).filter(
        since__lte=query.end, cooperatives__isnull=False
    )
    qs = _area(qs, query, "cooperatives__place_path")
    return _grouped(qs, query, {"territory": "cooperatives__territory__pcode"}, Count("id", distinct=True))


@indicator_source("HOUSEHOLDS_FARMING_SUPPORTED", breakdowns=TERRITORY, organisations=True, spans=True)
def farming_supported(query: IndicatorQuery) -> list[IndicatorValue]:
    """Distinct households that received agricultural inputs or tools in the period (target 1,000)."""
    qs = Delivery.objects.filter(
        _in_period("delivered_on", query), kind__in=[DeliveryKind.INPUTS, DeliveryKind.TOOLS]
    )
    qs = _area(qs, query, "enrolment__household__place_path")
    return _grouped(
        qs,
        query,
        {"territory": "enrolment__household__territory__pcode"},
        Count("enrolment__household_id", distinct=True),
        "delivered_on",
    )


@indicator_source("HOUSEHOLDS_BANK_ACCOUNTS", breakdowns=SEX_TERRITORY, organisations=True)
def bank_accounts(query: IndicatorQuery) -> list[IndicatorValue]:
    """Savings accounts opened in the period and funded (at least one deposit by the end of the period).
    Sex: of the member holding the account ("" when the household holds it)."""
    qs = Enrolment.objects.filter(
        _in_period("account_opened_on", query),
        programme__kind=ProgrammeKind.SAVINGS,
        deposits__deposited_on__lte=query.end,
    )
    qs = _area(qs, query, "household__place_path")
    return _grouped(qs, query, MEMBER_KEYS, Count("id", distinct=True))


@indicator_source(
    "HOUSEHOLDS_LITERACY_MEMBERS",
    breakdowns=SEX_TERRITORY,
    organisations=True,
    provenance=_("computed from the literacy enrolments of cooperative members"),
)
def literacy_members(query: IndicatorQuery) -> list[IndicatorValue]:
    """Distinct cooperative members (on a cooperative's member list, or of a household enrolled in a cooperative
    programme during the period) who completed a functional literacy course in the period (target 7,000
    cooperative members)."""
    on_a_list = Exists(CooperativeMember.objects.filter(household_member=OuterRef("member_id")))
    household_in_a_cooperative = Exists(
        _cooperative_enrolments(query).filter(household_id=OuterRef("household_id"))
    )
    qs = Enrolment.objects.filter(
        _in_period("ended_on", query),
        programme__kind=ProgrammeKind.LITERACY,
        status=EnrolmentStatus.COMPLETED,
        member__isnull=False,
    ).filter(on_a_list | household_in_a_cooperative)
    qs = _area(qs, query, "household__place_path")
    return _grouped(qs, query, MEMBER_KEYS, Count("member_id", distinct=True))


def _mean(query: IndicatorQuery, field: str, places: int = 2) -> list[IndicatorValue]:
    """The mean of a survey field over the surveys of the period that gave it, per group: round(sum / count) —
    the formula the tallies use (kinga.core.tallies.mean), so that both give the same figure to the cent."""
    qs = _area(Survey.objects.filter(_in_period("surveyed_on", query)), query, "household__place_path")
    totals = _grouped(qs, query, HOUSEHOLD_KEYS, Sum(field), "surveyed_on")
    counts = _grouped(qs, query, HOUSEHOLD_KEYS, Count(field), "surveyed_on")
    total_by_group = {tuple(sorted(v.breakdown.items())): v.value for v in totals}
    values = []
    for v in counts:
        value = tallies.mean(total_by_group.get(tuple(sorted(v.breakdown.items()))), v.value, places)
        if value is not None:
            values.append(IndicatorValue(value=value, breakdown=v.breakdown))
        elif not v.breakdown:
            values.append(IndicatorValue(value=0))
    return values


@indicator_source("HOUSEHOLDS_INCOME", breakdowns=TERRITORY, organisations=True, spans=True)
def income(query: IndicatorQuery) -> list[IndicatorValue]:
    """Mean monthly income (USD) of the households surveyed in the period."""
    return _mean(query, "monthly_income_usd")


@indicator_source("HOUSEHOLDS_HUNGER_SCALE", breakdowns=TERRITORY, organisations=True, spans=True)
def hunger_scale(query: IndicatorQuery) -> list[IndicatorValue]:
    """Mean Household Hunger Scale (0–6) of the households surveyed in the period (food security)."""
    return _mean(query, "hunger_scale")


# ------------------------------------------------------------------------------------------ kept on write
# Cooperative membership is a stock: enrolments that began by the period's end, minus those that ended before its
# start (kinga.core.tallies). Each flow counts (or sums the hectares of) cooperative enrolments on one date.
_COOPERATIVE_FLOWS = (
    ("HOUSEHOLDS_COOPERATIVE_JOINED", "enrolled_on", Count("id")),
    ("HOUSEHOLDS_COOPERATIVE_LEFT", "ended_on", Count("id")),
    ("HOUSEHOLDS_COOPERATIVE_HECTARES_JOINED", "enrolled_on", Sum("hectares")),
    ("HOUSEHOLDS_COOPERATIVE_HECTARES_LEFT", "ended_on", Sum("hectares")),
)


def _cooperative_flow(date_field: str, aggregate):
    def compute(query: IndicatorQuery) -> list[IndicatorValue]:
        qs = Enrolment.objects.filter(
            _in_period(date_field, query), programme__kind=ProgrammeKind.COOPERATIVE
        )
        qs = _area(qs, query, "household__place_path")
        return _grouped(qs, query, {**HOUSEHOLD_KEYS, tallies.DAY: date_field}, aggregate)

    return compute


def _enrolment_days(date_field: str):
    def days(enrolment: Enrolment):
        return Enrolment.objects.filter(
            pk=enrolment.pk, programme__kind=ProgrammeKind.COOPERATIVE
        ).values_list(date_field, flat=True)

    return days


def _household_days(date_field: str):
    def days(household: Household):
        return Enrolment.objects.filter(
            household=household, programme__kind=ProgrammeKind.COOPERATIVE
        ).values_list(date_field, flat=True)

    return days


for _code, _field, _aggregate in _COOPERATIVE_FLOWS:
    tallies.register_flow(
        _code,
        compute=_cooperative_flow(_field, _aggregate),
        breakdowns=TERRITORY,
        watches=[
            tallies.Watch(
                Enrolment,
                _enrolment_days(_field),
                fields=frozenset({_field, "programme", "household", "hectares"}),
            ),
            tallies.Watch(Household, _household_days(_field), fields=frozenset({"territory"})),
        ],
    )
tallies.register_stock(
    "HOUSEHOLDS_IN_COOPERATIVES",
    inflow="HOUSEHOLDS_COOPERATIVE_JOINED",
    outflow="HOUSEHOLDS_COOPERATIVE_LEFT",
)
tallies.register_stock(
    "HOUSEHOLDS_HECTARES_ALLOCATED",
    inflow="HOUSEHOLDS_COOPERATIVE_HECTARES_JOINED",
    outflow="HOUSEHOLDS_COOPERATIVE_HECTARES_LEFT",
)


def _survey_flow(aggregate):
    def compute(query: IndicatorQuery) -> list[IndicatorValue]:
        qs = _area(Survey.objects.filter(_in_period("surveyed_on", query)), query, "household__place_path")
        return _grouped(qs, query, {**HOUSEHOLD_KEYS, tallies.DAY: "surveyed_on"}, aggregate)

    return compute


def _survey_days(survey: Survey):
    return Survey.objects.filter(pk=survey.pk).values_list("surveyed_on", flat=True)


def _household_survey_days(household: Household):
    return Survey.objects.filter(household=household).values_list("surveyed_on", flat=True)


# The means of the surveys: a sum and a count per day, divided when read.
for _code, _field in (
    ("HOUSEHOLDS_INCOME", "monthly_income_usd"),
    ("HOUSEHOLDS_HUNGER_SCALE", "hunger_scale"),
):
    for _suffix, _aggregate in (("TOTAL", Sum(_field)), ("COUNT", Count(_field))):
        tallies.register_flow(
            f"{_code}_{_suffix}",
            compute=_survey_flow(_aggregate),
            breakdowns=TERRITORY,
            watches=[
                tallies.Watch(Survey, _survey_days, fields=frozenset({"surveyed_on", "household", _field})),
                tallies.Watch(Household, _household_survey_days, fields=frozenset({"territory"})),
            ],
        )
    tallies.register_mean(_code, numerator=f"{_code}_TOTAL", denominator=f"{_code}_COUNT", places=2)


def _business_days(enrolment: Enrolment):
    return Enrolment.objects.filter(pk=enrolment.pk).values_list("business_created_on", flat=True)


def _household_business_days(household: Household):
    return Enrolment.objects.filter(household=household).values_list("business_created_on", flat=True)


def _business_flow(registered_only: bool):
    def compute(query: IndicatorQuery) -> list[IndicatorValue]:
        keys = {**HOUSEHOLD_KEYS, tallies.DAY: "business_created_on"}
        return _grouped(_businesses(query, registered_only), query, keys, Count("id"))

    return compute


# Businesses are counted once each, on the day they were created.
for _code, _registered_only in (("HOUSEHOLDS_SME_CREATED", True), ("HOUSEHOLDS_BUSINESSES_CREATED", False)):
    tallies.register_flow(
        _code,
        compute=_business_flow(_registered_only),
        breakdowns=TERRITORY,
        watches=[
            tallies.Watch(
                Enrolment,
                _business_days,
                fields=frozenset({"business_created_on", "programme", "household", "business_registration"}),
            ),
            tallies.Watch(Household, _household_business_days, fields=frozenset({"territory"})),
        ],
    )

# The others count distinct households, people or rounds over the period: no tally adds them up. They are
# memoised until the next write of one of the models they read (kinga.core.memo): a survey written does not
# forget the enrolments' figures.
_HOUSEHOLD = "households.Household"
for _code, _models in (
    ("HOUSEHOLDS_SURVEYS_DONE", ("households.Survey", _HOUSEHOLD)),
    ("HOUSEHOLDS_HOUSEHOLDS_SURVEYED", ("households.Survey", _HOUSEHOLD)),
    (
        "HOUSEHOLDS_EMA_WOMEN_RETRAINED",
        ("households.Enrolment", "households.Programme", "households.HouseholdMember", _HOUSEHOLD),
    ),
    ("HOUSEHOLDS_COOPERATIVES", ("households.Cooperative",)),
    ("HOUSEHOLDS_COOPERATIVE_NETWORKS", ("households.CooperativeNetwork", "households.Cooperative")),
    ("HOUSEHOLDS_FARMING_SUPPORTED", ("households.Delivery", "households.Enrolment", _HOUSEHOLD)),
    (
        "HOUSEHOLDS_BANK_ACCOUNTS",
        (
            "households.Enrolment",
            "households.Programme",
            "households.Deposit",
            "households.HouseholdMember",
            _HOUSEHOLD,
        ),
    ),
    (
        "HOUSEHOLDS_LITERACY_MEMBERS",
        (
            "households.Enrolment",
            "households.Programme",
            "households.CooperativeMember",
            "households.HouseholdMember",
            _HOUSEHOLD,
        ),
    ),
):
    memo.register(_code, apps=_models)
