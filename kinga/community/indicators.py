"""The community app's indicator sources (codes documented in docs/indicators.md, section « community »).

Each computation is one aggregate query grouped in the database; sums of sex-split columns become one
value per sex with a UNION-free trick: two aggregates in the same query, split into two IndicatorValues.
"""

from __future__ import annotations

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from kinga.core import clock, memo
from kinga.core.indicators import SPAN, IndicatorQuery, IndicatorValue, indicator_source, span_bucket

from .models import (
    AdvocacyAction,
    Alert,
    AlertCase,
    AlertStatus,
    AwarenessSession,
    Meeting,
    Theme,
    TrainedGroup,
    Training,
    TrainingTopic,
)

# The themes of action 3.3 (« Vulgarisation du Guide RSE »): its reports count these sessions only.
DUE_DILIGENCE_THEMES = (Theme.RSE_GUIDE, Theme.DUE_DILIGENCE)


def _period_area(
    qs: QuerySet, query: IndicatorQuery, date_field: str, territory_path: str = "territory"
) -> QuerySet:
    if date_field.endswith("__date"):
        # A timestamp: bounded by the days' limits in local time, which its index serves (`__date` would not).
        since, before = clock.day_bounds(query.start, query.end)
        column = date_field.removesuffix("__date")
        qs = qs.filter(**{f"{column}__gte": since, f"{column}__lt": before})
    else:
        qs = qs.filter(**{f"{date_field}__gte": query.start, f"{date_field}__lte": query.end})
        if SPAN in query.breakdowns:
            qs = qs.annotate(span=span_bucket(query, date_field))
    prefix = query.area_path_prefix()
    if prefix:
        # The record's place lies in the area, or the area lies in the record's territory's subtree.
        qs = qs.filter(
            Q(**{f"{territory_path}__path__startswith": prefix}) | Q(place__path__startswith=prefix)
        )
    return qs


def _territory_key(query: IndicatorQuery, field: str = "territory__pcode") -> list[str]:
    """The columns to group by: the territory's p-code, and the span (kinga.core.indicators.SPAN) when asked."""
    keys = [field] if "territory" in query.breakdowns else []
    return [*keys, SPAN] if SPAN in query.breakdowns else keys


def _base(row: dict, query: IndicatorQuery, field: str = "territory__pcode") -> dict:
    base = {"territory": row.get(field) or ""} if "territory" in query.breakdowns else {}
    return {**base, SPAN: row[SPAN]} if SPAN in query.breakdowns else base


def _count(qs: QuerySet, query: IndicatorQuery, expression=None) -> list[IndicatorValue]:
    expression = expression or Count("pk")
    keys = _territory_key(query)
    if not keys:
        return [IndicatorValue(value=qs.aggregate(n=Coalesce(expression, 0))["n"])]
    return [
        IndicatorValue(value=row["n"], breakdown=_base(row, query))
        for row in qs.values(*keys).annotate(n=Coalesce(expression, 0)).order_by(*keys)
    ]


@indicator_source(
    "COMMUNITY_PARENTS_ENGAGED",
    breakdowns=("sex", "territory"),
    provenance=_("computed from the awareness session records (commitments signed)"),
    spans=True,
)
def parents_engaged(query: IndicatorQuery) -> list[IndicatorValue]:
    """Distinct parents who signed a commitment at an awareness session in the period: the people on the
    sessions' lists (a parent at two sessions counts once), plus the counts of sessions recorded without a list."""
    qs = _period_area(AwarenessSession.objects.all(), query, "date")
    return _distinct_people(qs, query, "commitments", "parents_committed_f", "parents_committed_m")


def _distinct_people(
    qs: QuerySet, query: IndicatorQuery, link: str, female: str, male: str
) -> list[IndicatorValue]:
    """People on the records' lists (`link`: attendances, commitments) counted once each, by sex, plus the head
    counts by sex of the records that have no list (they cannot be told apart): one grouped query."""
    person = f"{link}__participant"
    without_list = Q(**{f"{link}__isnull": True})

    def people(sex: str):
        return Count(person, distinct=True, filter=Q(**{f"{person}__sex": sex}))

    aggregates = {
        "f": people("F") + Coalesce(Sum(female, filter=without_list), 0),
        "m": people("M") + Coalesce(Sum(male, filter=without_list), 0),
        "u": people(""),
    }
    keys = _territory_key(query)
    rows = qs.values(*keys).annotate(**aggregates).order_by(*keys) if keys else [qs.aggregate(**aggregates)]
    values = []
    for row in rows:
        base = _base(row, query) if keys else {}
        f, m, u = (row[k] or 0 for k in ("f", "m", "u"))
        if "sex" in query.breakdowns:
            values.append(IndicatorValue(value=f, breakdown={**base, "sex": "F"}))
            values.append(IndicatorValue(value=m, breakdown={**base, "sex": "M"}))
            if u:
                values.append(IndicatorValue(value=u, breakdown={**base, "sex": ""}))
        else:
            values.append(IndicatorValue(value=f + m + u, breakdown=base))
    return values


def _trained(query: IndicatorQuery, condition: Q) -> list[IndicatorValue]:
    """Distinct people trained: a person on the attendance lists of three trainings counts once."""
    qs = _period_area(Training.objects.filter(condition), query, "start")
    return _distinct_people(qs, query, "attendances", "trained_f", "trained_m")


@indicator_source(
    "COMMUNITY_LEADERS_TRAINED",
    breakdowns=("sex", "territory"),
    provenance=_("computed from the training records"),
    spans=True,
)
def leaders_trained(query: IndicatorQuery) -> list[IndicatorValue]:
    return _trained(query, Q(group=TrainedGroup.COMMUNITY_LEADERS))


@indicator_source(
    "COMMUNITY_ANIMATORS_TRAINED",
    breakdowns=("sex", "territory"),
    provenance=_("computed from the training records"),
    spans=True,
)
def animators_trained(query: IndicatorQuery) -> list[IndicatorValue]:
    return _trained(query, Q(group=TrainedGroup.SOCIAL_ANIMATORS))


@indicator_source(
    "COMMUNITY_STATE_AGENTS_TRAINED",
    breakdowns=("sex", "territory"),
    provenance=_("computed from the training records"),
    spans=True,
)
def state_agents_trained(query: IndicatorQuery) -> list[IndicatorValue]:
    """State and security agents trained in ethics and professional conduct (target 500)."""
    return _trained(
        query,
        Q(group__in=(TrainedGroup.STATE_AGENTS, TrainedGroup.SECURITY_AGENTS), topic=TrainingTopic.ETHICS),
    )


@indicator_source(
    "COMMUNITY_PROVIDERS_TRAINED",
    breakdowns=("sex", "territory"),
    provenance=_("computed from the training records"),
    spans=True,
)
def providers_trained(query: IndicatorQuery) -> list[IndicatorValue]:
    """Social service providers retrained or trained (target 1,080)."""
    return _trained(query, Q(group=TrainedGroup.SOCIAL_SERVICE_PROVIDERS))


@indicator_source(
    "COMMUNITY_ADVOCACY_ACTIONS",
    breakdowns=("territory",),
    provenance=_("computed from the advocacy records"),
    spans=True,
)
def advocacy_actions(query: IndicatorQuery) -> list[IndicatorValue]:
    return _count(_period_area(AdvocacyAction.objects.all(), query, "date"), query)


@indicator_source(
    "COMMUNITY_MEETINGS_MINUTES",
    breakdowns=("territory",),
    provenance=_("computed from the coordination meeting records"),
    spans=True,
)
def meetings_with_minutes(query: IndicatorQuery) -> list[IndicatorValue]:
    """Coordination meetings held in the period whose minutes (text or document) are recorded."""
    qs = _period_area(Meeting.objects.exclude(Q(minutes_text="") & Q(minutes_file="")), query, "date")
    return _count(qs, query)


@indicator_source(
    "COMMUNITY_AWARENESS_REPORTS",
    breakdowns=("territory",),
    provenance=_("computed from the awareness session reports"),
    spans=True,
)
def awareness_reports(query: IndicatorQuery) -> list[IndicatorValue]:
    """Action 3.3 (the RSE guide and due diligence): sessions and meetings on those themes with a written report,
    plus radio broadcasts on them aired."""
    qs = _period_area(AwarenessSession.objects.filter(theme__in=DUE_DILIGENCE_THEMES), query, "date")

    expression = Sum(
        Case(
            When(kind="radio", then=F("broadcasts")),
            When(report_written=True, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    )
    return _count(qs, query, expression)


@indicator_source(
    "COMMUNITY_ALERTS_RECEIVED",
    breakdowns=("territory",),
    organisations=True,
    provenance=_("computed from the community alerts"),
)
def alerts_received(query: IndicatorQuery) -> list[IndicatorValue]:
    qs = Alert.objects.filter(received_at__isnull=False, **query.organisation_filter())
    qs = _period_area(qs, query, "received_at__date")
    return _count(qs, query)


@indicator_source(
    "COMMUNITY_ALERTS_VERIFIED_IN_TIME",
    breakdowns=("territory",),
    organisations=True,
    provenance=_("computed from the community alerts"),
)
def alerts_verified_in_time(query: IndicatorQuery) -> list[IndicatorValue]:
    """Alerts received in the period whose visit took place before their deadline."""
    qs = _period_area(
        Alert.objects.filter(
            verified_at__isnull=False,
            due_at__isnull=False,
            verified_at__lte=F("due_at"),
            **query.organisation_filter(),
        ),
        query,
        "received_at__date",
    )
    return _count(qs, query)


@indicator_source(
    "COMMUNITY_ALERTS_TO_CASES",
    breakdowns=("territory",),
    provenance=_("computed from the community alerts"),
)
def alerts_to_cases(query: IndicatorQuery) -> list[IndicatorValue]:
    """Alerts received in the period that became at least one registered case."""
    qs = _period_area(Alert.objects.filter(status=AlertStatus.CASES_REGISTERED), query, "received_at__date")
    return _count(qs, query)


@indicator_source(
    "COMMUNITY_CHILDREN_FROM_ALERTS",
    breakdowns=("territory",),
    provenance=_("computed from the community alerts"),
)
def children_from_alerts(query: IndicatorQuery) -> list[IndicatorValue]:
    """Children registered as cases from alerts, by the date of the link."""
    qs = AlertCase.objects.filter(created_at__date__gte=query.start, created_at__date__lte=query.end)
    prefix = query.area_path_prefix()
    if prefix:
        qs = qs.filter(alert__territory__path__startswith=prefix)
    return (
        _count(qs, query)
        if "territory" not in query.breakdowns
        else [
            IndicatorValue(value=row["n"], breakdown={"territory": row["alert__territory__pcode"] or ""})
            for row in qs.values("alert__territory__pcode")
            .annotate(n=Count("pk"))
            .order_by("alert__territory__pcode")
        ]
    )


# No tally keeps the community's figures (distinct people over years, counts across the province): each is
# memoised until the next write of a community record (kinga.core.memo) — the dashboards ask some twenty of them
# at every request, a few milliseconds each.
for _code in (
    "COMMUNITY_PARENTS_ENGAGED",
    "COMMUNITY_LEADERS_TRAINED",
    "COMMUNITY_ANIMATORS_TRAINED",
    "COMMUNITY_STATE_AGENTS_TRAINED",
    "COMMUNITY_PROVIDERS_TRAINED",
    "COMMUNITY_ADVOCACY_ACTIONS",
    "COMMUNITY_MEETINGS_MINUTES",
    "COMMUNITY_AWARENESS_REPORTS",
    "COMMUNITY_ALERTS_RECEIVED",
    "COMMUNITY_ALERTS_VERIFIED_IN_TIME",
    "COMMUNITY_ALERTS_TO_CASES",
    "COMMUNITY_CHILDREN_FROM_ALERTS",
):
    memo.register(_code, apps=("community",))
