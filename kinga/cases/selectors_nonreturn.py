"""Monitoring of non-return (issue 20, item 3): the page IDAK opens every month, and its API.

Counts only, computed in the database by grouped aggregate queries: the number of queries is fixed whatever the
number of cohorts, sites or territories, and no child's identity is read.

The rules, said in words on the page and in docs/guide/non-retour.md:

- **Cohort**: the children whose case was closed with "exit achieved" in a quarter. An exit is read from the
  retention checks it scheduled (`RetentionCheck.closure_date`): a later relapse reopens the case and clears
  `Case.closed_on`, but the exit stays in its cohort (CASES_CHILDREN_EXITED, which counts cases still closed,
  leaves it out).
- **Each check** (3, 6 and 12 months after the exit) is one of: done and the child *retained* (neither found
  working nor seen at a mine site); done and *found working* (or at a site); *not yet due* (due today or later);
  *late* (due date passed by at most `MISSED_AFTER_DAYS` days); *missed* (passed by more); *lapsed* (the
  case was reopened, after a relapse or a supervisor's decision, before the check was done: it can no longer be).
- **Shares**: retained / checks done (of the children checked, how many were still out of the mines) and
  retained / cohort (of all the children who exited, how many are known to be out: a check not done counts as
  not known).
- **Relapses** (a child found working again) of the period, by what found them, sex, age band at identification,
  territory and site; the sites where they concentrate with their child-labour status.
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q
from django.db.models.functions import TruncQuarter
from django.urls import reverse
from django.utils.translation import gettext as _

from kinga.core import access, clock, memo, people, periods, tallies
from kinga.core.access import Actor
from kinga.core.indicators import IndicatorQuery, compute, evaluate_many
from kinga.core.models import Place, PlaceLevel
from kinga.plan.indicators import NON_RETURN, OTHER_INDICATORS
from kinga.plan.models import Indicator
from kinga.sites.models import Site, Status
from kinga.sites.selectors import with_current_status

from . import cohort_tallies
from .indicators import age_band_sql
from .models import CaseStatus, Relapse, RelapseSource, RetentionCheck
from .rules import counts_filter

MONTHS = (3, 6, 12)
# A check not done this many days after its due date is "missed"; before that it is "late".
MISSED_AFTER_DAYS = 30
TOP_SITES = 10
# An organisation's (or a team's) figures are computed from its records — the tallies keep the province's —, so
# they are memoised between two writes of the records they count (kinga.core.memo; declared in wiring.wire()).
SCOPED_FIGURES = "non_return_scoped"
SCOPED_FIGURES_MODELS = ("cases.RetentionCheck", "cases.Relapse", "cases.Case", "cases.Child")

# The computed indicators this page shows, as the plan lists them (none may be orphaned, issue 20: the plan's list
# of the figures followed outside its rows names this page for them), with the plan's labels.
INDICATORS = tuple(code for code, (_label, _unit, pages) in OTHER_INDICATORS.items() if NON_RETURN in pages)


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


@dataclass(frozen=True)
class CheckCell:
    """The checks `months` after the exits of one cohort."""

    months: int
    cohort: int  # children of the cohort
    scheduled: int = 0
    retained: int = 0
    working: int = 0
    not_due: int = 0
    late: int = 0
    missed: int = 0
    lapsed: int = 0

    @property
    def done(self) -> int:
        return self.retained + self.working

    @property
    def ratio_of_done(self) -> float | None:
        return _ratio(self.retained, self.done)

    @property
    def ratio_of_cohort(self) -> float | None:
        return _ratio(self.retained, self.cohort)

    @property
    def share_of_done(self) -> int | None:
        """Percent of the children checked found out of the mines."""
        return _percent(self.retained, self.done)

    @property
    def share_of_cohort(self) -> int | None:
        """Percent of the whole cohort known to be out of the mines."""
        return _percent(self.retained, self.cohort)


@dataclass(frozen=True)
class Cohort:
    quarter: periods.Period
    children: int
    cells: list[CheckCell]


@dataclass(frozen=True)
class Share:
    key: str
    label: str
    count: int
    percent: int | None = None


@dataclass(frozen=True)
class SiteRow:
    uuid: str
    name: str
    territory: str
    relapses: int
    children: int
    status: str
    status_label: str

    @property
    def url(self) -> str:
        return reverse("sites:detail", kwargs={"site_uuid": self.uuid})


@dataclass(frozen=True)
class Figure:
    """A computed indicator of the plan for the period and territory, linked to its indicator page."""

    code: str
    label: str
    value: int
    url: str


@dataclass
class NonReturn:
    period: periods.Period
    territory: Place | None
    today: datetime.date
    cohorts: list[Cohort]
    relapses: int
    children_relapsed: int
    by_source: list[Share]
    by_sex: list[Share]
    by_age_band: list[Share]
    by_territory: list[Share]
    top_sites: list[SiteRow]
    other_sites: int
    unknown_site: int
    indicators: list[Figure] = field(default_factory=list)
    months: tuple[int, ...] = MONTHS
    missed_after_days: int = MISSED_AFTER_DAYS


# --- filters ------------------------------------------------------------------------------------------------


def territories(actor: Actor):
    """The territories (ADM2, p-coded) a page or the API may filter on."""
    return (
        access.scoped(actor, Place)
        .filter(level=PlaceLevel.TERRITORY, pcode__isnull=False)
        .only("id", "pcode", "name", "path")
        .order_by("name")
    )


def territory_by_pcode(actor: Actor, pcode: str | None) -> Place | None:
    """The territory of an ADM2 p-code (None for an empty one); a ValidationError when none has it."""
    code = (pcode or "").strip()
    if not code:
        return None
    place = territories(actor).filter(pcode__iexact=code).first()
    if place is None:
        raise ValidationError(
            _("Unknown territory “%(value)s”: give the p-code of a territory or town (CD7201).")
            % {"value": code[:20]}
        )
    return place


def parse_filters(actor: Actor, *, period: str | None, territory: str | None):
    """(Period, territory Place or None) from the page's `?period=&territory=`; a ValidationError on the field
    otherwise (the API parses the same through kinga.core.api_periods).

    The period defaults to the whole plan (every cohort); the territory is an ADM2 p-code."""
    errors: dict[str, list[str]] = {}
    parsed = place = None
    try:
        parsed = periods.parse(period, default=periods.PLAN)
    except ValidationError as exc:
        errors["period"] = exc.messages
    try:
        place = territory_by_pcode(actor, territory)
    except ValidationError as exc:
        errors["territory"] = exc.messages
    if errors:
        raise ValidationError(errors)
    return parsed, place


# --- the figures ----------------------------------------------------------------------------------------------


def _scoped(actor: Actor, qs, *, territory: Place | None):
    """Narrowed to the cases the actor may count (kinga.cases.rules.counts_filter) and to the territory."""
    q = counts_filter(actor, "case__")
    if q is not None:
        qs = qs.filter(q)
    if territory is not None:
        qs = qs.filter(case__territory__path__startswith=territory.path)
    return qs


def cohorts(
    actor: Actor,
    *,
    period: periods.Period,
    territory: Place | None = None,
    today: datetime.date | None = None,
) -> list[Cohort]:
    """Cohorts of the quarters of exit in the period, newest first: from the counts kept on write (one query per
    figure, cohort_tallies) when the actor counts every organisation's cases, else two grouped queries."""
    access.require(actor, "cases.view_counts")
    today = today or clock.today()
    query = IndicatorQuery(start=period.start, end=period.end, area=territory)
    if counts_filter(actor, "case__") is None and all(tallies.answers(c, query) for c in cohort_tallies.ALL):
        return _cohorts_from_tallies(period, query, today)
    checks = _scoped(
        actor,
        RetentionCheck.objects.filter(closure_date__gte=period.start, closure_date__lte=period.end),
        territory=territory,
    ).annotate(quarter=TruncQuarter("closure_date"))
    sizes = dict(
        memo.remember_rows(
            SCOPED_FIGURES,
            checks.values_list("quarter").annotate(n=Count("case__child_id", distinct=True)).order_by(),
        )
    )
    if not sizes:
        return []
    done = Q(done_on__isnull=False)
    working = done & (Q(found_working=True) | Q(seen_at_site=True))
    pending = Q(done_on__isnull=True)
    # A check can still be done only while the case is closed by the exit it follows (services.workflow).
    current = Q(case__status=CaseStatus.CLOSED, case__closed_on=F("closure_date"))
    missed_before = today - datetime.timedelta(days=MISSED_AFTER_DAYS)
    rows = (
        checks.filter(months_after__in=MONTHS)
        .values("quarter", "months_after")
        .annotate(
            scheduled=Count("id"),
            working=Count("id", filter=working),
            retained=Count("id", filter=done & ~Q(found_working=True) & ~Q(seen_at_site=True)),
            not_due=Count("id", filter=pending & current & Q(due_date__gte=today)),
            late=Count("id", filter=pending & current & Q(due_date__lt=today, due_date__gte=missed_before)),
            missed=Count("id", filter=pending & current & Q(due_date__lt=missed_before)),
            lapsed=Count("id", filter=pending & ~current),
        )
        .order_by()
    )
    cells = {
        (row.pop("quarter"), row.pop("months_after")): row for row in memo.remember_rows(SCOPED_FIGURES, rows)
    }
    first = min(sizes)
    quarters = [q for q in periods.quarters_between(max(period.start, first), period.end)]
    result = []
    for quarter in reversed(quarters):
        size = sizes.get(quarter.start, 0)
        result.append(
            Cohort(
                quarter=quarter,
                children=size,
                cells=[CheckCell(months=m, cohort=size, **cells.get((quarter.start, m), {})) for m in MONTHS],
            )
        )
    return result


def _cohorts_from_tallies(
    period: periods.Period, query: IndicatorQuery, today: datetime.date
) -> list[Cohort]:
    """The cohorts from the counts kept on write (cohort_tallies): two queries whatever the number of quarters."""
    quarters = list(periods.quarters_between(period.start, period.end))
    spans = [(max(q.start, period.start), min(q.end, period.end)) for q in quarters]
    counted = ("scheduled", "retained", "working", "lapsed")
    codes = [cohort_tallies.EXITS, *(cohort_tallies.code(m, state) for m in MONTHS for state in counted)]
    totals = {
        code: [int(v) for v in values] for code, values in tallies.read_totals(codes, spans, query).items()
    }
    sizes = totals[cohort_tallies.EXITS]
    if not any(sizes):
        return []
    first = next(i for i, size in enumerate(sizes) if size)
    cells = {
        (i, m): {
            **{state: totals[cohort_tallies.code(m, state)][i] for state in counted},
            "not_due": 0,
            "late": 0,
            "missed": 0,
        }
        for i in range(len(quarters))
        for m in MONTHS
    }
    # A check still to do is due `m` calendar months after its exit (services.closure schedules it so): sorted by
    # that date against today, per day of exit.
    missed_before = today - datetime.timedelta(days=MISSED_AFTER_DAYS)
    pending = tallies.read_days([cohort_tallies.code(m, "pending") for m in MONTHS], query)
    for m in MONTHS:
        for day, value in pending[cohort_tallies.code(m, "pending")].items():
            index = next(i for i, (start, end) in enumerate(spans) if start <= day <= end)
            due = clock.add_months(day, m)
            kind = "not_due" if due >= today else ("late" if due >= missed_before else "missed")
            cells[(index, m)][kind] += int(value)
    return [
        Cohort(
            quarter=quarters[i],
            children=sizes[i],
            cells=[CheckCell(months=m, cohort=sizes[i], **cells[(i, m)]) for m in MONTHS],
        )
        for i in reversed(range(first, len(quarters)))
    ]


def _shares(rows, labels: dict, total: int, *, order: list[str]) -> list[Share]:
    """The groups in `order` (even at zero), then any other group found, largest first."""
    counts = {row["key"] or "": row["n"] for row in rows}
    others = sorted((k for k in counts if k not in order), key=lambda k: -counts[k])
    return [
        Share(
            key=k,
            label=str(labels.get(k, k)),
            count=counts.get(k, 0),
            percent=_percent(counts.get(k, 0), total),
        )
        for k in [*order, *others]
    ]


def relapses(actor: Actor, *, period: periods.Period, territory: Place | None = None) -> dict:
    """Relapses dated in the period: totals, by source, sex, age band, territory, and the top sites. By sex, age
    band and territory from the counts kept on write (CASES_CHILDREN_RELAPSED) when the actor counts every
    organisation's cases: the records' breakdowns join every relapse to its case and child."""
    access.require(actor, "cases.view_counts")
    qs = _scoped(
        actor, Relapse.objects.filter(date__gte=period.start, date__lte=period.end), territory=territory
    )
    totals = memo.remember_query(
        SCOPED_FIGURES,
        qs,
        lambda: qs.aggregate(
            n=Count("id"),
            # A case is one child (a child's two cases are merged into one person by the registry, not into one
            # case).
            children=Count("case_id", distinct=True),
            unknown_site=Count("id", filter=Q(site__isnull=True)),
        ),
        part="totals",
    )
    total = totals["n"]

    def grouped(expression):
        return memo.remember_rows(
            SCOPED_FIGURES, qs.annotate(key=expression).values("key").annotate(n=Count("id")).order_by()
        )

    sources = {code: label for code, label in RelapseSource.choices}
    sexes = {**dict(people.Sex.choices), "": _("Sex not recorded")}
    bands = {**dict(people.AgeBand.choices), people.ADULT: _("18 years or older")}
    query = IndicatorQuery(start=period.start, end=period.end, area=territory)
    kept = counts_filter(actor, "case__") is None and tallies.answers(RELAPSED, query)
    if kept:
        by_sex, by_band, by_territory = _relapses_kept(query, total, sexes, bands)
    else:
        by_sex = _shares(grouped(F("case__child__sex")), sexes, total, order=list(people.Sex.values))
        by_band = _shares(
            grouped(age_band_sql("case__age_at_identification")), bands, total, order=list(people.AGE_BANDS)
        )
        territory_rows = memo.remember_rows(
            SCOPED_FIGURES,
            qs.values(key=F("case__territory__pcode"), name=F("case__territory__name"))
            .annotate(n=Count("id"))
            .order_by("-n", "name"),
        )
        by_territory = [
            Share(key=row["key"] or "", label=row["name"], count=row["n"], percent=_percent(row["n"], total))
            for row in territory_rows
        ]
    site_rows = memo.remember_rows(
        SCOPED_FIGURES,
        qs.filter(site__isnull=False)
        .values("site_id")
        .annotate(n=Count("id"), children=Count("case_id", distinct=True))
        .order_by("-n", "site_id")[:TOP_SITES],
    )
    return {
        "relapses": total,
        "children_relapsed": totals["children"],
        "unknown_site": totals["unknown_site"],
        "by_source": _shares(grouped(F("source")), sources, total, order=list(RelapseSource.values)),
        "by_sex": by_sex,
        "by_age_band": by_band,
        "by_territory": by_territory,
        "top_sites": _top_sites(actor, site_rows),
        "other_sites": total - totals["unknown_site"] - sum(row["n"] for row in site_rows),
    }


RELAPSED = "CASES_CHILDREN_RELAPSED"


def _relapses_kept(query: IndicatorQuery, total: int, sexes: dict, bands: dict):
    """The relapses by sex, age band and territory from their tally (one query each, a few thousand rows)."""

    def by(name: str) -> list[dict]:
        values = compute(RELAPSED, dataclasses.replace(query, breakdowns=(name,)))
        return [{"key": v.breakdown.get(name, ""), "n": int(v.value)} for v in values if v.value]

    by_sex = _shares(by("sex"), sexes, total, order=list(people.Sex.values))
    by_band = _shares(by("age_band"), bands, total, order=list(people.AGE_BANDS))
    rows = by("territory")
    names = dict(Place.objects.filter(pcode__in=[r["key"] for r in rows]).values_list("pcode", "name"))
    rows = sorted(rows, key=lambda r: (-r["n"], names.get(r["key"], "")))
    by_territory = [
        Share(key=r["key"], label=names.get(r["key"]), count=r["n"], percent=_percent(r["n"], total))
        for r in rows
    ]
    return by_sex, by_band, by_territory


def _top_sites(actor: Actor, rows: list[dict]) -> list[SiteRow]:
    """The sites of the top rows with their child-labour status today (one query, plus the status policy)."""
    if not rows:
        return []
    sites = {
        s.pk: s
        for s in with_current_status(access.scoped(actor, Site).filter(pk__in=[r["site_id"] for r in rows]))
        .select_related("territory", "place")
        .only("id", "uuid", "name", "status", "status_date", "territory__name", "place__name")
    }
    result = []
    for row in rows:
        site = sites.get(row["site_id"])
        if site is None:
            continue
        result.append(
            SiteRow(
                uuid=str(site.uuid),
                name=site.name,
                territory=site.territory.name if site.territory else site.place.name,
                relapses=row["n"],
                children=row["children"],
                status=site.current_status,
                status_label=str(Status(site.current_status).label),
            )
        )
    return result


def indicator_figures(*, period: periods.Period, territory: Place | None = None) -> list[Figure]:
    """The plan's computed retention and relapse indicators for the period (province-wide or the territory),
    each linked to its indicator: its own page when the plan has a row for it, else the plan's indicator page
    at « other figures followed », for the same period and territory."""
    query = IndicatorQuery(start=period.start, end=period.end, area=territory)
    pages = dict(Indicator.objects.filter(code__in=INDICATORS).values_list("code", "uuid"))
    chosen = {"period": period.iso, **({"territoire": territory.pcode} if territory is not None else {})}
    others = f"{reverse('plan:indicators')}?{urlencode(chosen)}#others"
    figures = []
    # Asked together: the counts kept on write in one query over the months and one over the days around them.
    found = evaluate_many([(code, query) for code in INDICATORS])
    for code, values in zip(INDICATORS, found, strict=True):
        label = OTHER_INDICATORS[code][0]
        value = sum(v.value for v in values)
        url = reverse("plan:indicator", kwargs={"uuid": pages[code]}) if code in pages else others
        figures.append(Figure(code=code, label=str(label), value=value, url=url))
    return figures


def non_return(
    actor: Actor,
    *,
    period: periods.Period,
    territory: Place | None = None,
    today: datetime.date | None = None,
    with_indicators: bool = True,
) -> NonReturn:
    """Everything the page shows, in a fixed number of queries."""
    today = today or clock.today()
    found = relapses(actor, period=period, territory=territory)
    return NonReturn(
        period=period,
        territory=territory,
        today=today,
        cohorts=cohorts(actor, period=period, territory=territory, today=today),
        indicators=indicator_figures(period=period, territory=territory) if with_indicators else [],
        **found,
    )


def period_choices(selected: periods.Period) -> list[periods.Period]:
    """What the page's period list offers: the whole plan, each year of the plan, the last eight quarters (the
    selected period added when it is none of these, a month given in the address)."""
    today = clock.today()
    choices = [periods.plan_to_date()]
    choices += [periods.year(y) for y in range(today.year, periods.plan_start().year - 1, -1)]
    quarter = periods.month_period_containing(today, periods.QUARTER)
    for _i in range(8):
        choices.append(quarter)
        if quarter.start <= periods.plan_start():
            break
        quarter = quarter.previous()
    if selected.iso not in {p.iso for p in choices}:
        choices.append(selected)
    return choices
