"""/api/v1/plan/indicator-results/: every indicator's values for a period, broken down as asked; a wrong period
or breakdown is a field-level 400 in French."""

import pytest
from django.test import Client

from kinga.core.roles import Role
from kinga.core.testing import client_for, make_member, make_organisation

pytestmark = pytest.mark.django_db
URL = "/api/v1/plan/indicator-results/"


@pytest.fixture
def funder(plan):
    return make_member(make_organisation("Bailleur API"), Role.VIEWER)


def test_values_with_breakdowns_codes_targets_and_provenance(plan, funder, today):
    client = client_for(funder)
    rows = client.get(URL, {"period": "2026Q1"}).json()
    providers = [r for r in rows if r["code"] == "COMMUNITY_PROVIDERS_TRAINED"]
    assert providers == [
        {
            "code": "COMMUNITY_PROVIDERS_TRAINED",
            "label": "Nombre des prestataires remis à niveau et formés",
            "unit": "personnes",
            "period": "2026Q1",
            "value": "0.0000",
            "breakdown": {},
            "target": "1080.0000",
            "source_text": "calculé à partir des fiches de formation",
            "not_broken_down": [],
        }
    ]
    split = client.get(URL, {"period": "2026", "territory": "CD7201", "by": "sex,age_band"}).json()
    surveys = [r for r in split if r["code"] == "HOUSEHOLDS_SURVEYS_DONE"]
    assert [(r["breakdown"], r["not_broken_down"]) for r in surveys] == [({}, ["sex", "age_band"])]


def test_a_wrong_period_breakdown_or_territory_is_a_field_level_400_in_french(plan, funder, today):
    client = client_for(funder)
    response = client.get(URL, {"period": "2026Q9", "by": "ethnie"})
    assert response.status_code == 400
    body = response.json()
    assert "Période inconnue" in body["period"][0] and "Ventilation inconnue" in body["by"][0]
    response = client.get(URL, {"period": "2026", "territory": "CD9999"})
    assert response.status_code == 400 and "territory" in response.json()
    assert client.get(URL).status_code == 400  # the period is required


def test_anonymous_is_refused_and_the_schema_documents_the_endpoint(plan, funder):
    assert Client().get(URL, {"period": "2026"}).status_code in (401, 403)
    schema = client_for(funder).get("/api/schema/").content.decode()
    assert "/api/v1/plan/indicator-results/" in schema and "territory,sex,age_band" in schema


SAME_PERIOD_ERROR = (
    "Période inconnue « 2026Q9 » : écrivez une année (2026), un trimestre (2026Q3), un mois (202609) "
    "ou « plan » pour tout le plan."
)


def test_a_bad_or_missing_period_is_refused_with_the_message_every_api_gives(plan, funder, today):
    client = client_for(funder)
    answer = client.get(URL, {"period": "2026Q9"})
    assert answer.status_code == 400 and answer.json() == {"period": [SAME_PERIOD_ERROR]}
    missing = client.get(URL, {"territory": "CD7201"})
    assert missing.status_code == 400 and list(missing.json()) == ["period"]
    assert missing.json()["period"][0].startswith("Indiquez une période")
