"""The cohorts of the non-return page (selectors_nonreturn) kept current on write (kinga.core.tallies): per day of
exit (RetentionCheck.closure_date) × territory × sex × age band, the exits, and for each check (3, 6, 12 months)
how many are scheduled, done with the child retained, done with the child found working, still to do while the
case stays closed by that exit, and lapsed (the case reopened first). Whether a check still to do is not yet due,
late or missed depends on today: the page reads those per day of exit and sorts them by their due date.

At national scale the page scanned the retention checks of its quarters joined to a million cases (1.5 s for a
quarter, 6 s for the plan to date); the tallies hold a few thousand rows per figure.
"""

from __future__ import annotations

from django.db.models import Count, F, Q

from kinga.core import tallies
from kinga.core.indicators import IndicatorQuery, IndicatorValue

from .indicators import BREAKDOWNS, aggregate_cases
from .models import Case, CaseStatus, Child, RetentionCheck

MONTHS = (3, 6, 12)
EXITS = "CASES_COHORT_EXITS"
STATES = ("scheduled", "retained", "working", "pending", "lapsed")

_DONE = Q(done_on__isnull=False)
_WORKING = _DONE & (Q(found_working=True) | Q(seen_at_site=True))
_PENDING = Q(done_on__isnull=True)
# A check can still be done only while the case is closed by the exit it follows (services.workflow).
_CURRENT = Q(case__status=CaseStatus.CLOSED, case__closed_on=F("closure_date"))
CONDITIONS = {
    "scheduled": Q(),
    "retained": _DONE & ~Q(found_working=True) & ~Q(seen_at_site=True),
    "working": _WORKING,
    "pending": _PENDING & _CURRENT,
    "lapsed": _PENDING & ~_CURRENT,
}


def code(months: int, state: str) -> str:
    return f"CASES_COHORT_{months}M_{state.upper()}"


def _exits(query: IndicatorQuery) -> list[IndicatorValue]:
    # Each exit schedules its checks on the same closure date: one exit per case and closure date.
    return aggregate_cases(
        RetentionCheck.objects.all(),
        query,
        case="case",
        date_field="closure_date",
        value=Count("case_id", distinct=True),
    )


def _checks(months: int, state: str):
    def compute(query: IndicatorQuery) -> list[IndicatorValue]:
        qs = RetentionCheck.objects.filter(CONDITIONS[state], months_after=months)
        return aggregate_cases(qs, query, case="case", date_field="closure_date", value=Count("id"))

    return compute


def _check_days(check: RetentionCheck):
    return RetentionCheck.objects.filter(pk=check.pk).values_list("closure_date", flat=True)


def _case_days(case: Case):
    return RetentionCheck.objects.filter(case=case).values_list("closure_date", flat=True)


def _child_days(child: Child):
    return RetentionCheck.objects.filter(case__child=child).values_list("closure_date", flat=True)


def _watches(case_fields: frozenset[str]) -> list[tallies.Watch]:
    return [
        tallies.Watch(
            RetentionCheck,
            _check_days,
            fields=frozenset(
                {"closure_date", "months_after", "done_on", "found_working", "seen_at_site", "case"}
            ),
        ),
        tallies.Watch(Case, _case_days, fields=case_fields),
        tallies.Watch(Child, _child_days, fields=frozenset({"sex"})),
    ]


GROUP = frozenset({"territory", "child", "age_at_identification"})
ALL = (EXITS, *(code(m, state) for m in MONTHS for state in STATES))
tallies.register_flow(EXITS, compute=_exits, breakdowns=BREAKDOWNS, watches=_watches(GROUP))
for _months in MONTHS:
    for _state in STATES:
        tallies.register_flow(
            code(_months, _state),
            compute=_checks(_months, _state),
            breakdowns=BREAKDOWNS,
            # Whether a check is still to do or lapsed follows the case's status and closure date.
            watches=_watches(GROUP | {"status", "closed_on"}),
        )
