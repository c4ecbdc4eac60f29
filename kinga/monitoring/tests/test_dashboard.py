import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from kinga.core.testing import actor_of, client_for
from kinga.monitoring import selectors
from kinga.monitoring.tests.conftest import make_alert, make_case, make_site_with_status
from kinga.plan.models import Commitment, Indicator, IndicatorTarget, ValueType

URL = "/suivi/"
# Every figure is one aggregate query (about 30 indicators of the plan, twice: the period and since the start):
# the count depends on the figures shown, never on the number of records (test_the_query_count_...).
MAX_QUERIES = 100
API = "/api/v1/monitoring/dashboard/"


def figure(html: str, key: str) -> str:
    match = re.search(rf'data-figure="{key}"[^>]*>([^<]*)<', html)
    assert match, key
    return match.group(1).strip()


def page(member, **params):
    response = client_for(member).get(URL, params)
    return response, response.content.decode()


def test_the_figures_of_a_period_and_a_territory_and_nothing_of_another_territory(province):
    response, html = page(province.coordinator, period="2026Q3", territory="CD7201")
    assert response.status_code == 200
    assert figure(html, "children_identified") == "4"
    assert figure(html, "children_registered") == "4"
    assert figure(html, "children_in_care") == "5"  # the February case is still in care
    assert figure(html, "children_exited") == "1"  # Lubudi's exit does not count
    assert figure(html, "children_relapsed") == "1"
    assert figure(html, "alerts_received") == "2"
    assert figure(html, "alerts_verified_in_time") == "1"
    assert figure(html, "alerts_in_time_percent") == "50 %"
    assert [figure(html, f"sites_{s}") for s in ("green", "yellow", "red")] == ["1", "1", "1"]
    assert "Trimestre 3 2026" in html and "Kolwezi" in html
    # Each figure links to its page; the non-return figures to the non-return page with the same filter.
    assert 'href="/cases/non-retour/?period=2026Q3&amp;territory=CD7201">Enfants retrouvés au travail' in html
    assert 'href="/cases/stats/">Enfants identifiés' in html


def test_a_period_written_in_the_address_is_the_one_the_list_keeps(province):
    _response, html = page(province.viewer, period="2024Q1")
    assert '<option value="2024Q1" selected>Trimestre 1 2024</option>' in html
    assert figure(html, "children_identified") == "0"


def test_the_whole_province_counts_every_territory(province):
    _response, html = page(province.viewer, period="2026Q3")
    assert figure(html, "children_identified") == "5"
    assert figure(html, "children_exited") == "2"
    assert figure(html, "alerts_received") == "3"
    assert figure(html, "sites_red") == "2"


def test_sites_over_the_quarters_come_from_their_timelines(province):
    board = selectors.dashboard(
        actor_of(province.coordinator),
        period=selectors.periods.parse("2026Q3"),
        territory=province.kolwezi,
    )
    history = dict(board.sites_history)
    assert (
        history["T2 2026"]["green"] == 2 and history["T2 2026"]["blue"] == 1
    )  # red was green, yellow unseen
    assert history["T3 2026"] == {"green": 1, "yellow": 1, "red": 1, "blue": 0, "expired": 0}
    assert history["T4 2025"]["blue"] == 3


def test_an_organisation_manager_sees_its_own_organisations_records_only(province):
    response, html = page(province.manager, period="2026Q3", territory="CD7201")
    assert response.status_code == 200
    assert figure(html, "children_identified") == "3"  # not the other organisation's child
    assert figure(html, "children_exited") == "1"
    assert figure(html, "alerts_received") == "2"
    assert "Enfance Lualaba" in html
    assert figure(html, "households_surveyed") == "1"  # the other organisation's household is not counted
    _response, html = page(province.coordinator, period="2026Q3", territory="CD7201")
    assert figure(html, "households_surveyed") == "2"


@pytest.mark.parametrize("role", ["caseworker", "focal_point"])
def test_a_role_without_the_permission_is_refused(province, role):
    member = getattr(province, role)
    assert client_for(member).get(URL).status_code == 403
    assert client_for(member).get(API).status_code == 403


def test_anonymous_is_sent_to_login(db):
    response = Client().get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_bad_period_says_what_it_expects_in_french(province):
    response, html = page(province.coordinator, period="2026T9")
    assert response.status_code == 400
    assert "Période inconnue" in html or "période" in html.lower()
    answer = client_for(province.coordinator).get(API, {"period": "2026T9"})
    assert answer.status_code == 400
    assert set(answer.json()) == {"period"}
    assert "2026Q3" in answer.json()["period"][0] and "trimestre" in answer.json()["period"][0]
    bad_territory = client_for(province.coordinator).get(API, {"territory": "XX99"})
    assert bad_territory.status_code == 400 and "territory" in bad_territory.json()


def test_the_api_gives_the_same_figures(province):
    answer = client_for(province.viewer).get(API, {"period": "2026Q3", "territory": "CD7201"})
    assert answer.status_code == 200
    data = answer.json()
    children = {f["key"]: f["value"] for f in data["children"]}
    assert children["children_identified"] == 4 and children["children_relapsed"] == 1
    assert data["period"] == "2026Q3" and data["territory"] == "CD7201"
    assert data["sites_by_status"]["red"] == 1
    assert data["alerts_in_time_percent"] == 50
    manager = client_for(province.manager).get(API, {"period": "2026Q3", "territory": "CD7201"}).json()
    assert {f["key"]: f["value"] for f in manager["children"]}["children_identified"] == 3
    assert manager["organisation_only"] is True


def test_the_api_is_in_the_openapi_schema(province):
    schema = client_for(province.coordinator).get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    body = schema.content.decode()
    assert "/api/v1/monitoring/dashboard/" in body and "alerts_in_time_percent" in body


def test_budget_and_indicators_against_targets_with_the_rule_in_words(
    province, plan, django_assert_max_num_queries
):
    indicator = Indicator.objects.filter(plan=plan, code="CASES_CHILDREN_EXITED").first()
    if indicator is None:  # the plan may not name this code: give it one to measure against
        indicator = Indicator.objects.filter(plan=plan, value_type=ValueType.INTEGER).first()
        indicator.code = "CASES_CHILDREN_EXITED"
        indicator.source = "computed"
        indicator.save(update_fields=["code", "source"])
    # 2 children out of the mines by the end of 2026Q3, against a target of 2 by then: on track.
    IndicatorTarget.objects.create(indicator=indicator, period_end=datetime.date(2026, 8, 15), value=2)
    commitment = Commitment.objects.filter(action__axis__plan=plan).first()
    client = client_for(province.coordinator)
    client.get(URL, {"period": "2026Q3"})  # warm the caches (session, menu) before counting
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(URL, {"period": "2026Q3"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "au moins 90 %" in html  # the rule, in words
    row = re.search(rf'data-indicator="{indicator.uuid}"[^>]*><span class="badge light-(\w+)">', html)
    assert row and row.group(1) == "green"
    assert "Axe 1" in html
    if commitment is not None:
        assert figure(html, "budget_committed") != "0"
    # A territory has no target of its own: no light but grey.
    _response, html = page(province.coordinator, period="2026Q3", territory="CD7201")
    assert f'href="/plan/indicateurs/{indicator.uuid}/?period=2026Q3&amp;territoire=CD7201"' in html
    lights = re.findall(r'data-indicator="[^"]+"[^>]*><span class="badge light-(\w+)">', html)
    assert lights and set(lights) == {"grey"}


def test_the_traffic_light_rule():
    assert selectors.light_for(9, 10) == ("green", 90)
    assert selectors.light_for(6, 10) == ("yellow", 60)
    assert selectors.light_for(5, 10) == ("red", 50)
    assert selectors.light_for(5, None) == ("grey", None)


def test_no_english_on_the_page(province):
    with translation.override("fr"):
        _response, html = page(province.coordinator, period="2026Q3")
    text = re.sub(r"<[^>]+>", " ", html)
    for word in ("Children", "Alerts", "Budget by", "Province dashboard", "Households", "on track", "CASES_"):
        assert word not in text, word


def test_the_coordinators_home_shows_the_quarters_headline_figures_and_the_way_to_the_dashboard(province):
    html = client_for(province.coordinator).get("/").content.decode()
    assert 'id="panel-province_dashboard"' in html
    panel = html[html.index('id="panel-province_dashboard"') :]
    assert "Ouvrir le tableau de bord de la province" in panel and 'href="/suivi/"' in panel
    # The current quarter (2026Q3 to date), the whole province: 6 children in care, 2 out of the mines.
    assert re.search(r'<strong class="num">6</strong> enfants pris en charge', panel)
    assert re.search(r'<strong class="num">2</strong> enfants sortis des mines', panel)
    caseworker_home = client_for(province.caseworker).get("/").content.decode()
    assert 'id="panel-province_dashboard"' not in caseworker_home


def test_the_query_count_does_not_grow_with_the_records(province, plan):
    client = client_for(province.coordinator)
    client.get(URL, {"period": "2026Q3"})

    def count():
        cache.clear()  # every figure computed, none read from its memo (kinga.core.memo)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL, {"period": "2026Q3"}).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for n in range(12):
        territory = province.kolwezi if n % 2 else province.lubudi
        make_case(
            province.other,
            territory,
            identified=datetime.date(2026, 7, 1 + n),
            closed_on=datetime.date(2026, 8, 1),
        )
        make_alert(territory, province.other, received=datetime.date(2026, 7, 1 + n), in_time=bool(n % 3))
        make_site_with_status(territory, "red", since=datetime.date(2026, 7, 1 + n))
    assert count() == before <= MAX_QUERIES


SAME_PERIOD_ERROR = (
    "Période inconnue « 2026Q9 » : écrivez une année (2026), un trimestre (2026Q3), un mois (202609) "
    "ou « plan » pour tout le plan."
)


def test_the_dashboard_and_cost_apis_refuse_a_bad_period_with_the_message_every_api_gives(province):
    client = client_for(province.coordinator)
    for url in (API, "/api/v1/monitoring/costs-per-result/"):
        answer = client.get(url, {"period": "2026Q9"})
        assert answer.status_code == 400, url
        assert answer.json() == {"period": [SAME_PERIOD_ERROR]}, url
