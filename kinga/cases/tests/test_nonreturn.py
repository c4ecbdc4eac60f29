"""Monitoring of non-return (issue 20, item 3): cohorts by quarter of exit, retention at 3/6/12 months, relapses.

The data is written through the services, as caseworkers and supervisors write it; the figures are read through
the page and the API (and the selectors they call).
"""

import datetime

import pytest

from kinga.cases import selectors_nonreturn as nonreturn
from kinga.cases import services
from kinga.core import periods
from kinga.core.testing import actor_of

from .conftest import bring_to_follow_up, register

pytestmark = pytest.mark.django_db
D = datetime.date
EXIT = D(2026, 1, 20)  # the 2026Q1 cohort
NOW = D(2026, 8, 1)  # 3-month checks due 20 April, 6-month 20 July, 12-month 20 January 2027


def exit_child(team, *, closed_on=EXIT, worker=None, supervisor=None, **kw):
    """A child registered, in care, then closed by the supervisor with "exit achieved" on `closed_on`."""
    worker, supervisor = worker or team.worker, supervisor or team.supervisor
    start = closed_on - datetime.timedelta(days=40)
    case = register(team, identification_date=start, today=start, by=worker, **kw)
    bring_to_follow_up(team, case, start)
    visit = start + datetime.timedelta(days=10)
    services.record_follow_up(
        actor=actor_of(worker),
        case=case,
        visit_date=visit,
        child_seen=True,
        in_school_or_training=True,
        attending=True,
        today=visit,
    )
    s = actor_of(supervisor)
    services.request_closure(
        actor=s,
        case=case,
        reason="exit_achieved",
        date=closed_on,
        override_reason="Scolarisé",
        today=closed_on,
    )
    services.decide_closure(actor=s, case=case, approve=True, date=closed_on, today=closed_on)
    return case


def check(team, case, months, *, on, working=False, site=None):
    rc = case.retention_checks.get(months_after=months)
    return services.record_retention_check(
        actor=actor_of(team.worker), check=rc, date=on, found_working=working, site=site, today=on
    )


@pytest.fixture
def cohort(team, today):
    """Four children exited on 20 January 2026, seen on 1 August 2026:
    A retained at 3 and 6 months; B retained at 3 months, 6-month check late (12 days);
    C found working at a site at the 3-month check (a relapse: the case reopens, its later checks lapse);
    D never checked: 3-month check missed (103 days), 6-month late."""
    a, b, c, d = (exit_child(team, given_name=name) for name in ("Aimé", "Benoît", "Christian", "David"))
    check(team, a, 3, on=D(2026, 4, 22))
    check(team, a, 6, on=D(2026, 7, 25))
    check(team, b, 3, on=D(2026, 4, 23))
    check(team, c, 3, on=D(2026, 4, 24), working=True, site=team.site)
    today.set(NOW)
    return a, b, c, d


def test_the_cohort_gives_the_shares_at_3_6_and_12_months(team, cohort):
    actor = actor_of(team.coordinator)
    period = periods.parse("2026")
    cohorts = nonreturn.cohorts(actor, period=period)
    assert [(c.quarter.iso, c.children) for c in cohorts] == [("2026Q3", 0), ("2026Q2", 0), ("2026Q1", 4)]
    q1 = cohorts[-1]
    assert q1.quarter.iso == "2026Q1" and q1.children == 4
    m3, m6, m12 = q1.cells
    assert (m3.scheduled, m3.retained, m3.working, m3.late, m3.missed, m3.not_due, m3.reopened) == (
        4,
        2,
        1,
        0,
        1,
        0,
        0,
    )
    assert (m3.share_of_done, m3.share_of_cohort) == (67, 50)
    assert (m6.retained, m6.working, m6.late, m6.missed, m6.not_due, m6.reopened) == (1, 0, 2, 0, 0, 1)
    assert (m6.share_of_done, m6.share_of_cohort) == (100, 25)
    assert (m12.done, m12.not_due, m12.reopened, m12.share_of_done, m12.share_of_cohort) == (0, 3, 1, None, 0)

    found = nonreturn.relapses(actor, period=period)
    assert (found["relapses"], found["children_relapsed"], found["unknown_site"]) == (1, 1, 0)
    assert {s.key: s.count for s in found["by_source"]}["retention_check"] == 1
    assert [(s.key, s.count) for s in found["by_sex"]] == [("F", 0), ("M", 1)]
    assert {s.key: s.count for s in found["by_age_band"]}["12-14"] == 1
    assert [(s.key, s.count) for s in found["by_territory"]] == [("CD7201", 1)]
    [site] = found["top_sites"]
    assert (site.name, site.relapses, site.children, site.status) == ("Kasulo", 1, 1, "red")
