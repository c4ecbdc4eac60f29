"""A buyer's due-diligence report counts, per site, the children's cases opened there and those whose latest
follow-up visit or retention check found the child out of mine work, in one query: the counts must be those that
each case's latest labour status (the case file's reading, `latest_labour_status`) gives."""

import datetime

import pytest

from kinga.cases.models import FollowUp, RetentionCheck
from kinga.cases.selectors import cases_out_of_mines_by_site, latest_labour_status
from kinga.cases.tests.conftest import TODAY, register

pytestmark = pytest.mark.django_db
D = datetime.date


def _visit(case, day, **answers):
    FollowUp.objects.create(case=case, visit_date=day, child_seen=True, **answers)


def _check(case, day, **answers):
    RetentionCheck.objects.create(
        case=case, closure_date=D(2025, 1, 1), months_after=day.month, due_date=day, done_on=day, **answers
    )


def test_the_latest_visit_or_check_decides_whether_a_child_is_out_of_the_mines(team):
    names = ["Amani", "Baraka", "Chance", "Dorcas", "Espoir", "Fiston", "Grâce"]
    cases = [register(team, given_name=name, family_name=f"Kabwe {name}") for name in names]
    _never, out, working, check_later, visit_later, unknown, same_day = cases
    _visit(out, D(2026, 2, 10), found_working=False, seen_at_site=False)
    _visit(working, D(2026, 2, 10), found_working=True)
    _visit(check_later, D(2026, 1, 10), found_working=False)
    _check(check_later, D(2026, 2, 20), found_working=False, seen_at_site=True)
    _check(visit_later, D(2026, 1, 5), found_working=False, seen_at_site=False)
    _visit(visit_later, D(2026, 2, 10), found_working=True)
    _visit(unknown, D(2026, 2, 10))  # nothing answered: not found working
    _visit(same_day, D(2026, 2, 10), found_working=True)
    _check(same_day, D(2026, 2, 10), found_working=False, seen_at_site=False)  # not later: the visit stands

    latest = latest_labour_status([c.pk for c in cases])
    expected_out = sum(1 for c in cases if c.pk in latest and not latest[c.pk]["working_at_mine"])
    found = cases_out_of_mines_by_site(site_ids=[team.site.pk], start=D(2026, 1, 1), end=TODAY)
    assert found == {team.site.pk: (len(cases), expected_out)}
    assert expected_out == 2  # out, unknown
    # a case identified outside the window is not counted
    assert cases_out_of_mines_by_site(site_ids=[team.site.pk], start=TODAY, end=TODAY) == {}
