"""The indicator pages in French: period and territory chooser, trend chart with its table, breakdowns by
territory, sex and age band, provenance in words — and never an indicator code or a module name."""

import re

import pytest
from django.urls import reverse

from kinga.community import services as community
from kinga.core import clock
from kinga.core.indicators import all_sources
from kinga.core.roles import Role
from kinga.core.testing import actor_of, client_for, make_member, make_organisation
from kinga.plan.models import Indicator

pytestmark = pytest.mark.django_db
CODE = re.compile(r"\b[A-Z]+_[A-Z_0-9]+\b")
MODULES = re.compile(r"kinga\.|\b(households|community|cases|supply)\b")


@pytest.fixture
def coordinator(plan):
    return make_member(make_organisation("IDAK pages"), Role.COORDINATOR)


@pytest.fixture
def trainer(plan):
    return actor_of(make_member(make_organisation("ONG formation"), Role.SUPERVISOR))


def _french(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="fr"' in html
    return html


def _no_code_nor_module(html: str):
    assert not CODE.findall(html), CODE.findall(html)[:5]  # anywhere, attributes included
    # What a reader sees (the menu's links name the apps in their URLs: /cases/...).
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<(style|script)\b.*?</\1>", " ", html, flags=re.S))
    assert not MODULES.findall(text), MODULES.findall(text)[:5]
    for code in all_sources():
        assert code not in html


def test_the_table_in_french_by_period_and_territory_without_codes(
    plan, manual_rate, coordinator, trainer, kolwezi, today
):
    community.record_training(
        actor=trainer,
        group="social_service_providers",
        topic="refresher",
        start=clock.today(),
        place=kolwezi,
        trained_f=4,
    )
    client = client_for(coordinator)
    for params in (
        {},
        {"period": "2026Q1"},
        {"period": "2026", "territoire": "CD7201"},
        {"period": "202602"},
    ):
        html = _french(client, reverse("plan:indicators"), **params)
        _no_code_nor_module(html)
        assert "calculé à partir des fiches de formation" in html
        assert "saisi à la main" in html
        assert "Autres indicateurs suivis" in html
        assert "Enfants toujours hors des mines 12 mois après leur sortie" in html
    plan_html = _french(client, reverse("plan:indicators"), period="plan")
    assert re.search(r"1\W{1,6}080", plan_html)  # the target of the providers trained
    kolwezi_html = _french(client, reverse("plan:indicators"), period="2026Q1", territoire="CD7201")
    assert "Territoire : Kolwezi" in kolwezi_html


def test_a_wrong_period_or_territory_is_said_and_not_used(plan, coordinator):
    client = client_for(coordinator)
    html = _french(client, reverse("plan:indicators"), period="2026Q7", territoire="XX")
    assert "Période inconnue" in html and "Territoire inconnu" in html


def test_the_detail_page_has_a_trend_chart_with_its_table_and_the_breakdowns(
    plan, coordinator, trainer, kolwezi, today, manual_rate
):
    community.record_training(
        actor=trainer,
        group="social_service_providers",
        topic="refresher",
        start=clock.today(),
        place=kolwezi,
        trained_f=4,
        trained_m=1,
    )
    client = client_for(coordinator)
    providers = Indicator.objects.get(code="COMMUNITY_PROVIDERS_TRAINED")
    url = reverse("plan:indicator", args=[providers.uuid])
    html = _french(client, url, period="2026Q1")
    _no_code_nor_module(html)
    trend = html.split('id="trend"', 1)[1].split("</figure>", 1)[0]
    assert "<svg" in trend and "<rect" in trend and "<table" in trend and "<script" not in trend
    assert "calculé à partir des fiches de formation" in html
    territory = html.split('id="by-territory"', 1)[1].split("</table>", 1)[0]
    assert "Kolwezi" in territory and ">5<" in territory
    sexes = html.split('id="by-sex"', 1)[1].split("</table>", 1)[0]
    assert "Féminin" in sexes and ">4<" in sexes
    assert "Cet indicateur n'est pas ventilé par tranche d'âge." in html
    # A manual indicator, by year and for a territory.
    html = _french(
        client, reverse("plan:indicator", args=[manual_rate.uuid]), period="2026", territoire="CD7201"
    )
    _no_code_nor_module(html)
    assert 'id="by-age-band"' in html and "saisi à la main" in html


def test_the_levels_of_action_roll_up_budget_progress_and_indicators(plan, coordinator):
    html = _french(client_for(coordinator), reverse("plan:levels"), period="plan")
    _no_code_nor_module(html)
    for level in ("Prévention", "Prise en charge", "Rétention des enfants"):
        assert level in html
    assert "Coût prévu" in html and "Avancement des activités" in html
    assert "Actions sans niveau d&#x27;action" in html or "Actions sans niveau d'action" in html


def test_pages_need_a_login_and_an_unknown_indicator_is_404(plan, coordinator, client):
    assert client.get(reverse("plan:indicators")).status_code == 302
    assert client.get(reverse("plan:levels")).status_code == 302
    missing = "00000000-0000-0000-0000-000000000000"
    assert client_for(coordinator).get(reverse("plan:indicator", args=[missing])).status_code == 404
