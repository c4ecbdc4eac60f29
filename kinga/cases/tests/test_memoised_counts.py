"""The case statistics (and, through the same helper, the facilities' children in care and the lots by status) are
memoised between two writes of their records (kinga.core.memo): asked again they read no case, and a write is
seen at once. Transactional: the memo is used once a write has committed."""

import dataclasses
import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kinga.cases import selectors, selectors_nonreturn
from kinga.cases.models import CaseStatus, ClosureReason
from kinga.core import periods
from kinga.core.indicators import IndicatorQuery, evaluate_many

from .conftest import TODAY, register

IDENTIFIED = "CASES_CHILDREN_IDENTIFIED"


def _case_queries(call) -> tuple[object, int]:
    with CaptureQueriesContext(connection) as captured:
        result = call()
    return result, sum('"cases_case"' in q["sql"] for q in captured.captured_queries)


def test_case_counts_are_read_from_the_memo_until_a_case_is_written(transactional_db, team):
    coordinator = team.actor(team.coordinator)
    register(team)
    first, asked = _case_queries(lambda: selectors.counts(coordinator))
    assert first["total"] == 1 and asked == 1
    again, asked = _case_queries(lambda: selectors.counts(coordinator))
    assert again == first and asked == 0

    register(team, given_name="Mujinga", family_name="Kapinga", sex="F")
    after, asked = _case_queries(lambda: selectors.counts(coordinator))
    assert after["total"] == 2 and asked == 1


def test_an_organisation_scope_has_its_own_memo(transactional_db, team):
    register(team)
    assert selectors.counts(team.actor(team.coordinator))["total"] == 1
    # The other organisation's supervisor counts its own cases: none, not the province's memoised figure.
    assert selectors.counts(team.actor(team.outsider))["total"] == 0


def test_a_closed_case_moves_the_counts_by_status_at_once(transactional_db, team):
    coordinator = team.actor(team.coordinator)
    case = register(team)
    selectors.counts(coordinator)  # memoised
    case.status, case.closed_on, case.closure_reason = CaseStatus.CLOSED, TODAY, ClosureReason.MOVED_AWAY
    case.save(update_fields=["status", "closed_on", "closure_reason"])
    by_status = {status: n for status, _label, n in selectors.counts(coordinator)["by_status"]}
    assert by_status[CaseStatus.CLOSED] == 1 and sum(by_status.values()) == 1


def test_an_organisations_figure_is_memoised_until_its_records_are_written(transactional_db, team):
    # The tallies keep the province's and the territories' figures, not one per organisation: an organisation's
    # is computed from its records, then read from the memo until a case (a record its tally watches) is written.
    register(team)
    ever = IndicatorQuery(
        start=datetime.date(2000, 1, 1), end=datetime.date(2100, 12, 31), organisation_id=team.org.pk
    )

    def identified():
        return _case_queries(lambda: sum(v.value for v in evaluate_many([(IDENTIFIED, ever)])[0]))

    assert identified() == (1, 1)
    assert identified() == (1, 0)  # from the memo
    register(team, given_name="Mujinga", family_name="Kapinga", sex="F")
    assert identified() == (2, 1)
    other = dataclasses.replace(ever, organisation_id=team.other_org.pk)
    assert sum(v.value for v in evaluate_many([(IDENTIFIED, other)])[0]) == 0


def test_an_organisations_non_return_figures_are_memoised_until_its_cases_are_written(transactional_db, team):
    manager = team.actor(team.manager)
    period = periods.month_period_containing(TODAY, periods.QUARTER)

    def relapse_queries():
        with CaptureQueriesContext(connection) as captured:
            selectors_nonreturn.relapses(manager, period=period)
            selectors_nonreturn.cohorts(manager, period=period, today=TODAY)
        return sum(
            '"cases_relapse"' in q["sql"] or '"cases_retentioncheck"' in q["sql"]
            for q in captured.captured_queries
        )

    register(team)
    assert relapse_queries() > 0
    assert relapse_queries() == 0  # from the memo
    register(team, given_name="Mujinga", family_name="Kapinga", sex="F")
    assert relapse_queries() > 0
