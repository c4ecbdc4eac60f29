"""The CASES_* indicators (docs/indicators.md): one aggregate query each, grouped in the database.

Breakdowns: sex (the child's), age_band (age at identification, banded in SQL like
kinga.core.people.age_band: 0-4, 5-11, 12-14, 15-17), territory (ADM2 p-code of the case), and for
CASES_CHILDREN_TRAINED the service type.

What happens once per case is counted once per case: its identification, registration, exit, each retention
check, each relapse, and its withdrawal (the first follow-up visit that finds the child out of mine work). These
are kept current on write (kinga.core.tallies, registered at the bottom): the value of a period is the sum of its
days, so a quarter's values add up to the year's. Children trained count distinct children (computed from the
records at each query).
"""

from __future__ import annotations

import dataclasses
import datetime

from django.db.models import Case as When_
from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, StrIndex
from django.utils.translation import gettext_lazy as _

from kinga.core import tallies
from kinga.core.indicators import SPAN, IndicatorQuery, IndicatorValue, indicator_source, span_bucket
from kinga.core.models import Place, PlaceLevel

from .models import (
    CARE_FACILITY_TYPES,
    EDUCATION_SERVICES,
    Case,
    CaseStatus,
    Child,
    Facility,
    FacilityStatus,
    FacilityStatusChange,
    FollowUp,
    Referral,
    ReferralStatus,
    Relapse,
    RetentionCheck,
)

BREAKDOWNS = ("sex", "age_band", "territory")


def age_band_sql(field: str):
    """kinga.core.people.age_band, in SQL."""
    return When_(
        When(**{f"{field}__isnull": True}, then=Value("")),
        When(**{f"{field}__lte": 4}, then=Value("0-4")),
        When(**{f"{field}__lte": 11}, then=Value("5-11")),
        When(**{f"{field}__lte": 14}, then=Value("12-14")),
        When(**{f"{field}__lte": 17}, then=Value("15-17")),
        default=Value("18+"),
    )


def aggregate_cases(
    qs: QuerySet,
    query: IndicatorQuery,
    *,
    case: str,
    date_field: str,
    value,
    extra: dict | None = None,
) -> list[IndicatorValue]:
    """Filters on the period and area, groups by the requested breakdowns, aggregates `value`."""
    p = f"{case}__" if case else ""
    qs = qs.filter(**{f"{date_field}__gte": query.start, f"{date_field}__lte": query.end})
    qs = qs.filter(**query.organisation_filter(f"{p}organisation"))
    prefix = query.area_path_prefix()
    if prefix:
        qs = qs.filter(**{f"{p}territory__path__startswith": prefix})
    columns = {
        "sex": F(f"{p}child__sex"),
        "age_band": age_band_sql(f"{p}age_at_identification"),
        "territory": Coalesce(F(f"{p}territory__pcode"), Value("")),
        tallies.DAY: F(date_field),  # one query rebuilds every day of a tally
        **(extra or {}),
    }
    if query.spans:
        # Several periods in one grouped query (compute_series: one organisation's trend, not kept on write).
        columns[SPAN] = span_bucket(query, date_field)
    wanted = [b for b in query.breakdowns if b in columns]
    if wanted:
        rows = qs.annotate(**{f"b_{b}": columns[b] for b in wanted}).values(*[f"b_{b}" for b in wanted])
        rows = rows.annotate(v=value).order_by()
        return [
            IndicatorValue(value=_number(row["v"]), breakdown={b: _key(row[f"b_{b}"]) for b in wanted})
            for row in rows
        ]
    result = qs.aggregate(v=value)["v"]
    return [IndicatorValue(value=_number(result))]


def _key(value):
    """A breakdown's value; the first span's index (0) is a value, not a missing one."""
    return "" if value is None else value


def _number(v):
    if v is None:
        return 0
    if isinstance(v, datetime.timedelta):
        return round(v.total_seconds() / 86400, 1)
    return v


CASES = Count("id")  # cases (each counted once: the event happens once per case)
EVENTS = Count("id")  # retention checks, relapses: each record is one event of one case


@indicator_source("CASES_CHILDREN_IDENTIFIED", breakdowns=BREAKDOWNS, organisations=True, spans=True)
def children_identified(query: IndicatorQuery) -> list[IndicatorValue]:
    return aggregate_cases(Case.objects.all(), query, case="", date_field="identification_date", value=CASES)


@indicator_source("CASES_CHILDREN_REGISTERED", breakdowns=BREAKDOWNS, organisations=True, spans=True)
def children_registered(query: IndicatorQuery) -> list[IndicatorValue]:
    return aggregate_cases(Case.objects.all(), query, case="", date_field="registration_date", value=CASES)


@indicator_source("CASES_CHILDREN_IN_CARE", breakdowns=BREAKDOWNS, organisations=True)
def children_in_care(query: IndicatorQuery) -> list[IndicatorValue]:
    """Registered by the end of the period and not closed before its start."""
    qs = Case.objects.filter(registration_date__isnull=False).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gte=query.start)
    )
    return aggregate_cases(
        qs,
        dataclasses.replace(query, start=datetime.date(1900, 1, 1)),
        case="",
        date_field="registration_date",
        value=CASES,
    )


@indicator_source("CASES_CHILDREN_EXITED", breakdowns=BREAKDOWNS, organisations=True, spans=True)
def children_exited(query: IndicatorQuery) -> list[IndicatorValue]:
    """Cases closed with exit achieved in the period (a later relapse reopens the case and removes it)."""
    qs = Case.objects.filter(status=CaseStatus.CLOSED, exited=True)
    return aggregate_cases(qs, query, case="", date_field="closed_on", value=CASES)


def registered_cases_closed(query: IndicatorQuery) -> list[IndicatorValue]:
    """Registered cases closed in the period, whatever the reason: what leaves the children in care."""
    qs = Case.objects.filter(status=CaseStatus.CLOSED, registration_date__isnull=False)
    return aggregate_cases(qs, query, case="", date_field="closed_on", value=CASES)


def _retained(months: int):
    def compute(query: IndicatorQuery) -> list[IndicatorValue]:
        qs = (
            RetentionCheck.objects.filter(months_after=months)
            .exclude(found_working=True)
            .exclude(seen_at_site=True)
        )
        return aggregate_cases(qs, query, case="case", date_field="done_on", value=EVENTS)

    compute.__doc__ = f"Children found out of the mines by the retention check {months} months after exit."
    compute.__name__ = f"children_retained_{months}m"
    return compute


for _m in (3, 6, 12):
    indicator_source(f"CASES_CHILDREN_RETAINED_{_m}M", breakdowns=BREAKDOWNS, organisations=True, spans=True)(
        _retained(_m)
    )


@indicator_source("CASES_CHILDREN_RELAPSED", breakdowns=BREAKDOWNS, organisations=True, spans=True)
def children_relapsed(query: IndicatorQuery) -> list[IndicatorValue]:
    return aggregate_cases(Relapse.objects.all(), query, case="case", date_field="date", value=EVENTS)


@indicator_source("CASES_CHILDREN_WITHDRAWN", breakdowns=BREAKDOWNS, organisations=True, spans=True)
def children_withdrawn(query: IndicatorQuery) -> list[IndicatorValue]:
    """The plan's "Nombre d'enfants retirés des mines": children whose case's first follow-up visit finding them
    out of mine work (seen, not found working, not seen at a site) falls in the period — each child counted
    once, in the period of its withdrawal, so that the quarters add up to the plan's total."""
    return aggregate_cases(_withdrawals(), query, case="case", date_field="visit_date", value=EVENTS)


def _out_of_mines_visits() -> QuerySet:
    return FollowUp.objects.filter(visit_date__isnull=False, child_seen=True, found_working=False).exclude(
        seen_at_site=True
    )


def _withdrawals() -> QuerySet:
    """Each case's first follow-up visit out of mine work (the earliest date; the first recorded on that day)."""
    earlier = (
        _out_of_mines_visits()
        .filter(case_id=OuterRef("case_id"))
        .filter(
            Q(visit_date__lt=OuterRef("visit_date"))
            | Q(visit_date=OuterRef("visit_date"), pk__lt=OuterRef("pk"))
        )
    )
    return _out_of_mines_visits().filter(~Exists(earlier))


@indicator_source(
    "CASES_CHILDREN_TRAINED", breakdowns=(*BREAKDOWNS, "service_type"), organisations=True, spans=True
)
def children_trained(query: IndicatorQuery) -> list[IndicatorValue]:
    """Children back in school or trained: cases whose first referral to a CRS, CAP or formal school was delivered
    in the period (each child counted once, when first placed)."""
    return aggregate_cases(
        _first_placements(),
        query,
        case="case",
        date_field="delivered_on",
        value=EVENTS,
        extra={"service_type": F("service_type")},
    )


def _placements() -> QuerySet:
    return Referral.objects.filter(status=ReferralStatus.COMPLETED, service_type__in=EDUCATION_SERVICES)


def _first_placements() -> QuerySet:
    earlier = (
        _placements()
        .filter(case_id=OuterRef("case_id"))
        .filter(
            Q(delivered_on__lt=OuterRef("delivered_on"))
            | Q(delivered_on=OuterRef("delivered_on"), pk__lt=OuterRef("pk"))
        )
    )
    return _placements().filter(~Exists(earlier))


@indicator_source(
    "CASES_REFERRALS_MADE", breakdowns=(*BREAKDOWNS, "service_type"), organisations=True, spans=True
)
def referrals_made(query: IndicatorQuery) -> list[IndicatorValue]:
    return aggregate_cases(
        Referral.objects.exclude(status=ReferralStatus.CANCELLED),
        query,
        case="case",
        date_field="referred_on",
        value=Count("id"),
        extra={"service_type": F("service_type")},
    )


@indicator_source(
    "CASES_REFERRALS_COMPLETED", breakdowns=(*BREAKDOWNS, "service_type"), organisations=True, spans=True
)
def referrals_completed(query: IndicatorQuery) -> list[IndicatorValue]:
    return aggregate_cases(
        Referral.objects.filter(status=ReferralStatus.COMPLETED),
        query,
        case="case",
        date_field="delivered_on",
        value=Count("id"),
        extra={"service_type": F("service_type")},
    )


_DELAY = ExpressionWrapper(F("delivered_on") - F("referred_on"), output_field=DurationField())


@indicator_source("CASES_REFERRAL_DELAY_DAYS", breakdowns=(*BREAKDOWNS, "service_type"), organisations=True)
def referral_delay(query: IndicatorQuery) -> list[IndicatorValue]:
    """Average days from referral to service delivered, for referrals completed in the period: the sum of the
    delays over their number per group, rounded as its tally (kinga.core.tallies.mean) rounds it."""
    completed = Referral.objects.filter(status=ReferralStatus.COMPLETED)
    values = {}
    for name, aggregate in (("total", Sum(_DELAY)), ("count", Count("id"))):
        found = aggregate_cases(
            completed,
            query,
            case="case",
            date_field="delivered_on",
            value=aggregate,
            extra={"service_type": F("service_type")},
        )
        values[name] = {tuple(sorted(v.breakdown.items())): v.value for v in found}
    result = []
    for key, count in values["count"].items():
        mean = tallies.mean(values["total"].get(key), count, 1)
        if mean is not None:
            result.append(IndicatorValue(value=mean, breakdown=dict(key)))
        elif not key:
            result.append(IndicatorValue(value=0))
    return result


@indicator_source(
    "CASES_CARE_FACILITIES",
    breakdowns=("territory", "service_type"),
    provenance=_(
        "computed from the register of care facilities (catch-up schools, vocational centres, transit houses and"
        " play spaces operating)"
    ),
)
def care_facilities(query: IndicatorQuery) -> list[IndicatorValue]:
    """CRS, CAP, transit houses and play spaces of the register operating at the end of the period (their latest
    status change on or before that day). Territory: the ADM2 place above the service's place."""
    status_then = (
        FacilityStatusChange.objects.filter(facility=OuterRef("pk"), since__lte=query.end)
        .order_by("-since", "-id")
        .values("status")[:1]
    )
    qs = (
        Facility.objects.filter(service__service_type__in=CARE_FACILITY_TYPES)
        .annotate(status_then=Subquery(status_then))
        .filter(status_then=FacilityStatus.OPERATING)
    )
    prefix = query.area_path_prefix()
    if prefix:
        qs = qs.filter(service__place__path__startswith=prefix)
    keys = {}
    if "territory" in query.breakdowns:
        territory = Place.objects.filter(level=PlaceLevel.TERRITORY).annotate(
            at=StrIndex(OuterRef("service__place__path"), F("path"))
        )
        qs = qs.annotate(b_territory=Subquery(territory.filter(at=1).values("pcode")[:1]))
        keys["territory"] = "b_territory"
    if "service_type" in query.breakdowns:
        keys["service_type"] = "service__service_type"
    if not keys:
        return [IndicatorValue(value=qs.count())]
    rows = qs.order_by().values(*keys.values()).annotate(v=Count("id"))
    return [
        IndicatorValue(value=row["v"], breakdown={name: row[field] or "" for name, field in keys.items()})
        for row in rows
    ]


# ------------------------------------------------------------------------------------------ kept on write
# Which writes move which days of each tally (kinga.core.tallies): the record's own date, the case's group
# (territory, age at identification, child) and the child's sex.
_CASE_GROUP = frozenset({"territory", "child", "age_at_identification"})


def _case_flow(code: str, date_field: str, state_fields: set[str]) -> None:
    tallies.register_flow(
        code,
        watches=[
            tallies.Watch(
                Case,
                lambda case: Case.objects.filter(pk=case.pk).values_list(date_field, flat=True),
                fields=frozenset({date_field, *state_fields, *_CASE_GROUP}),
            ),
            tallies.Watch(
                Child,
                lambda child: Case.objects.filter(child=child).values_list(date_field, flat=True),
                fields=frozenset({"sex"}),
            ),
        ],
    )


def _record_flow(code: str, model, date_field: str, state_fields: set[str], days=None, compute=None) -> None:
    own = days or (lambda row: model.objects.filter(pk=row.pk).values_list(date_field, flat=True))
    tallies.register_flow(
        code,
        **({"compute": compute, "breakdowns": BREAKDOWNS} if compute is not None else {}),
        watches=[
            tallies.Watch(model, own, fields=frozenset({date_field, "case", *state_fields})),
            tallies.Watch(
                Case,
                lambda case: model.objects.filter(case=case).values_list(date_field, flat=True),
                fields=_CASE_GROUP,
            ),
            tallies.Watch(
                Child,
                lambda child: model.objects.filter(case__child=child).values_list(date_field, flat=True),
                fields=frozenset({"sex"}),
            ),
        ],
    )


def _withdrawal_day(follow_up: FollowUp):
    # The case's withdrawal moves when one of its visits changes: its first out-of-mines visit, before and after.
    # A follow-up only scheduled (no visit) moves nothing: the next visit planned at each visit costs no recount.
    # A new visit (no pk yet) dated before the case's first one moves the withdrawal from that first day: the
    # day is read before the write as after it, whether the row exists yet or not.
    if follow_up.visit_date is None and not (
        follow_up.pk and FollowUp.objects.filter(pk=follow_up.pk, visit_date__isnull=False).exists()
    ):
        return []
    return (
        _out_of_mines_visits()
        .filter(case_id=follow_up.case_id)
        .order_by("visit_date")
        .values_list("visit_date", flat=True)[:1]
    )


def _placement_day(referral: Referral):
    return (
        _placements()
        .filter(case_id=referral.case_id)
        .order_by("delivered_on")
        .values_list("delivered_on", flat=True)[:1]
    )


indicator_source("CASES_CLOSED_AFTER_REGISTRATION", breakdowns=BREAKDOWNS)(registered_cases_closed)
_case_flow("CASES_CHILDREN_IDENTIFIED", "identification_date", set())
_case_flow("CASES_CHILDREN_REGISTERED", "registration_date", set())
_case_flow("CASES_CHILDREN_EXITED", "closed_on", {"status", "exited"})
_case_flow("CASES_CLOSED_AFTER_REGISTRATION", "closed_on", {"status", "registration_date"})
tallies.register_stock(
    "CASES_CHILDREN_IN_CARE", inflow="CASES_CHILDREN_REGISTERED", outflow="CASES_CLOSED_AFTER_REGISTRATION"
)
for _m in (3, 6, 12):
    _record_flow(
        f"CASES_CHILDREN_RETAINED_{_m}M",
        RetentionCheck,
        "done_on",
        {"months_after", "found_working", "seen_at_site"},
    )
_record_flow("CASES_CHILDREN_RELAPSED", Relapse, "date", set())
_record_flow(
    "CASES_CHILDREN_WITHDRAWN",
    FollowUp,
    "visit_date",
    {"child_seen", "found_working", "seen_at_site"},
    days=_withdrawal_day,
)
_record_flow(
    "CASES_CHILDREN_TRAINED", Referral, "delivered_on", {"status", "service_type"}, days=_placement_day
)
_record_flow("CASES_REFERRALS_MADE", Referral, "referred_on", {"status"})
_record_flow("CASES_REFERRALS_COMPLETED", Referral, "delivered_on", {"status"})


# The mean delay of the referrals completed in a period: a sum of days and a count per day, divided when read.
def _delay_flow(aggregate):
    def compute(query: IndicatorQuery) -> list[IndicatorValue]:
        return aggregate_cases(
            Referral.objects.filter(status=ReferralStatus.COMPLETED),
            query,
            case="case",
            date_field="delivered_on",
            value=aggregate,
        )

    return compute


for _suffix, _aggregate in (("TOTAL", Sum(_DELAY)), ("COUNT", Count("id"))):
    _record_flow(
        f"CASES_REFERRAL_DELAY_DAYS_{_suffix}",
        Referral,
        "delivered_on",
        {"referred_on", "status"},
        compute=_delay_flow(_aggregate),
    )
tallies.register_mean(
    "CASES_REFERRAL_DELAY_DAYS",
    numerator="CASES_REFERRAL_DELAY_DAYS_TOTAL",
    denominator="CASES_REFERRAL_DELAY_DAYS_COUNT",
    places=1,
)
