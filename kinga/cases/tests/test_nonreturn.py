"""Monitoring of non-return (issue 20, item 3): cohorts by quarter of exit, retention at 3/6/12 months, relapses.

The data is written through the services, as caseworkers and supervisors write it; the figures are read through
the page and the API (and the selectors they call).
"""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from playwright.sync_api import expect

from kinga.cases import selectors_nonreturn as nonreturn
from kinga.cases import services
from kinga.core import periods
from kinga.core.models import Place
from kinga.core.roles import Role
from kinga.core.testing import actor_of, assert_fits_phone, client_for, make_member

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
    assert (m3.scheduled, m3.retained, m3.working, m3.late, m3.missed, m3.not_due, m3.lapsed) == (
        4,
        2,
        1,
        0,
        1,
        0,
        0,
    )
    assert (m3.share_of_done, m3.share_of_cohort) == (67, 50)
    assert (m6.retained, m6.working, m6.late, m6.missed, m6.not_due, m6.lapsed) == (1, 0, 2, 0, 0, 1)
    assert (m6.share_of_done, m6.share_of_cohort) == (100, 25)
    assert (m12.done, m12.not_due, m12.lapsed, m12.share_of_done, m12.share_of_cohort) == (0, 3, 1, None, 0)

    found = nonreturn.relapses(actor, period=period)
    assert (found["relapses"], found["children_relapsed"], found["unknown_site"]) == (1, 1, 0)
    assert {s.key: s.count for s in found["by_source"]}["retention_check"] == 1
    assert [(s.key, s.count) for s in found["by_sex"]] == [("F", 0), ("M", 1)]
    assert {s.key: s.count for s in found["by_age_band"]}["12-14"] == 1
    assert [(s.key, s.count) for s in found["by_territory"]] == [("CD7201", 1)]
    [site] = found["top_sites"]
    assert (site.name, site.relapses, site.children, site.status) == ("Kasulo", 1, 1, "red")


def _cells(html: str, quarter: str) -> dict[str, str]:
    """The text of each check cell of a cohort's row on the page ("Trimestre 1 2026"), by months."""
    table = html.split('<table class="list" id="cohorts">', 1)[1].split("</table>", 1)[0]
    [row] = [r for r in table.split("</tr>") if f"<b>{quarter}</b>" in r]
    cells = re.findall(r'<td class="nr-cell" data-months="(\d+)"[^>]*>(.*?)</td>', row, re.S)
    return {months: " ".join(re.sub(r"<[^>]+>", " ", text).split()) for months, text in cells}


def test_the_page_and_the_api_give_the_cohort_s_shares(team, cohort):
    """THE acceptance test of issue 20 (item 3): children exited in a quarter, checks found out / found working /
    missed and one relapse give the same shares on the non-return page and in the API."""
    client = client_for(team.coordinator)
    response = client.get("/cases/non-retour/?period=2026")
    assert response.status_code == 200
    html = response.content.decode()
    cells = _cells(html, "Trimestre 1 2026")
    assert "67 % des enfants vérifiés" in cells["3"] and "50 % de la cohorte" in cells["3"]
    assert "faites : 3 — hors des mines : 2, retrouvés au travail : 1" in cells["3"]
    assert "pas encore dues : 0, en retard : 0, manquées : 1, caduques (dossier rouvert) : 0" in cells["3"]
    assert "100 % des enfants vérifiés" in cells["6"] and "25 % de la cohorte" in cells["6"]
    assert "pas encore dues : 3, en retard : 0, manquées : 0, caduques (dossier rouvert) : 1" in cells["12"]
    assert "1 rechute (1 enfant retrouvé au travail)" in html
    chart = html.split('<figure class="chart">', 1)[1].split("</figure>", 1)[0]  # bars, then the same numbers
    assert "<svg" in chart and re.search(
        r"Trimestre 1 2026, à 3 mois</th><td[^>]*>2</td><td[^>]*>1</td><td[^>]*>1</td>", chart
    )
    assert "Kasulo" in html and 'class="badge red"' in html and f"/sites/{team.site.uuid}/" in html
    for name in ("Aimé", "Benoît", "Christian", "David", "LUA-KZI"):  # counts only: no identity
        assert name not in html
    assert len(nonreturn.INDICATORS) == 5
    for code in nonreturn.INDICATORS:  # every computed retention indicator is on the page, linked
        assert f'href="/plan/indicateurs/?period=2026#others" data-indicator="{code}"' in html

    api = client.get("/api/v1/cases/non-return/", {"period": "2026"}).json()
    assert [c["quarter"] for c in api["cohorts"]] == ["2026Q3", "2026Q2", "2026Q1"]
    q1 = api["cohorts"][-1]
    m3, m6, m12 = q1["checks"]
    assert (q1["quarter"], q1["children"]) == ("2026Q1", 4)
    assert (m3["done"], m3["retained"], m3["working"], m3["missed"]) == (3, 2, 1, 1)
    assert (m3["retained_share_of_done"], m3["retained_share_of_cohort"]) == (0.6667, 0.5)
    assert (m6["late"], m6["lapsed"], m6["retained_share_of_done"], m6["retained_share_of_cohort"]) == (
        2,
        1,
        1.0,
        0.25,
    )
    assert (m12["not_due"], m12["retained_share_of_done"]) == (3, None)
    assert api["relapses"] == 1
    assert {s["key"]: s["count"] for s in api["by_source"]}["retention_check"] == 1
    assert api["top_sites"][0]["name"] == "Kasulo" and api["top_sites"][0]["status"] == "red"
    indicators = {i["code"]: i["value"] for i in api["indicators"]}
    # The indicators count by the date of the check, not by cohort: A and B at 3 months, A at 6 months.
    assert (indicators["CASES_CHILDREN_RETAINED_3M"], indicators["CASES_CHILDREN_RETAINED_6M"]) == (2, 1)
    assert (indicators["CASES_CHILDREN_RELAPSED"], indicators["CASES_CHILDREN_EXITED"]) == (1, 3)
    assert api["missed_after_days"] == nonreturn.MISSED_AFTER_DAYS


def test_another_territory_s_children_do_not_count(team, today, kolwezi):
    lubudi = Place.objects.get(pcode="CD7203")
    here = exit_child(team)
    there = exit_child(team, identification_site=None, identification_place=lubudi, given_name="Elie")
    check(team, here, 3, on=D(2026, 4, 22))
    check(team, there, 3, on=D(2026, 4, 22), working=True)
    today.set(NOW)
    client = client_for(team.coordinator)

    kolwezi_only = client.get("/api/v1/cases/non-return/", {"period": "2026", "territory": "CD7201"}).json()
    cohort = kolwezi_only["cohorts"][-1]
    assert (cohort["children"], cohort["checks"][0]["retained_share_of_done"]) == (1, 1.0)
    assert (kolwezi_only["relapses"], kolwezi_only["territory"]) == (0, "CD7201")
    province = client.get("/api/v1/cases/non-return/", {"period": "2026"}).json()
    assert (province["cohorts"][-1]["children"], province["relapses"]) == (2, 1)
    assert [(s["key"], s["count"]) for s in province["by_territory"]] == [("CD7203", 1)]
    page = client.get("/cases/non-retour/", {"period": "2026", "territory": "CD7201"}).content.decode()
    assert "0 rechute" in page


def test_the_focal_point_is_refused(team):
    focal = make_member(team.org, Role.FOCAL_POINT)
    client = client_for(focal)
    assert client.get("/cases/non-retour/").status_code == 403
    assert client.get("/api/v1/cases/non-return/").status_code == 403


def test_a_bad_period_or_territory_is_refused_in_french_on_its_field(team, today):
    client = client_for(team.coordinator)
    answer = client.get("/api/v1/cases/non-return/", {"period": "2026Q5", "territory": "XX99"})
    assert answer.status_code == 400
    errors = answer.json()
    assert errors["period"][0].startswith("Période inconnue « 2026Q5 »")
    assert errors["territory"][0].startswith("Territoire inconnu « XX99 »")
    page = client.get("/cases/non-retour/", {"period": "demain"})
    assert page.status_code == 400 and "Période inconnue « demain »" in page.content.decode()


def test_the_number_of_queries_does_not_grow_with_the_cohorts(team, cohort, django_assert_max_num_queries):
    client = client_for(team.coordinator)
    client.get("/cases/non-retour/?period=2026")  # sessions, caches
    with CaptureQueriesContext(connection) as one_cohort:
        assert client.get("/cases/non-retour/?period=2026").status_code == 200
    with django_assert_max_num_queries(
        len(one_cohort.captured_queries)
    ):  # 34 quarters since the plan's start
        assert client.get("/cases/non-retour/?period=plan").status_code == 200
    with django_assert_max_num_queries(25):  # 19 for the figures, the rest the session
        assert client.get("/api/v1/cases/non-return/?period=plan").status_code == 200


@pytest.mark.browser
def test_the_coordinator_reads_the_page_on_a_phone(team, today, page, login_as):
    """IDAK's monthly look, at 360 px: the cohort table, the relapses and the sites fit without sideways scroll."""
    retained, relapsed = exit_child(team), exit_child(team, given_name="Christian")
    check(team, retained, 3, on=D(2026, 4, 22))
    check(team, relapsed, 3, on=D(2026, 4, 24), working=True, site=team.site)
    today.set(NOW)
    login_as(team.coordinator)
    page.goto("/")
    page.click("summary")
    page.click("text=Suivi du non-retour")
    assert_fits_phone(page)
    page.select_option("#nr-period", "2026")
    page.click("button:has-text('Afficher')")
    assert_fits_phone(page)
    expect(page.locator("h1")).to_have_text("Suivi du non-retour")
    expect(page.locator("#cohorts td[data-months='3']").last).to_contain_text("50 % des enfants vérifiés")
    expect(page.locator("#top-sites")).to_contain_text("Kasulo")
    page.click("#top-sites a:has-text('Kasulo')")
    expect(page.locator("h1")).to_contain_text("Kasulo")


SAME_PERIOD_ERROR = (
    "Période inconnue « 2026Q9 » : écrivez une année (2026), un trimestre (2026Q3), un mois (202609) "
    "ou « plan » pour tout le plan."
)


def test_the_api_refuses_a_bad_period_with_the_message_every_api_gives(team, today):
    answer = client_for(team.coordinator).get("/api/v1/cases/non-return/", {"period": "2026Q9"})
    assert answer.status_code == 400
    assert answer.json() == {"period": [SAME_PERIOD_ERROR]}
