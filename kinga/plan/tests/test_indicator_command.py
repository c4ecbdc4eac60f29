"""`kinga indicators values`: every indicator's values for a period, French output, JSON for machines."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = io.StringIO()
    call_command("indicators", "values", *args, stdout=out)
    return out.getvalue()


def test_values_in_french_and_as_json(plan, today):
    text = _run("--period", "2026Q1")
    assert text.startswith("Trimestre 1 2026") and "toute la province" in text
    assert "COMMUNITY_PROVIDERS_TRAINED  total  0 personnes (cible 1080)" in text
    rows = json.loads(_run("--period", "2026", "--territory", "CD7201", "--by", "sex", "--json"))
    surveys = [r for r in rows if r["code"] == "HOUSEHOLDS_SURVEYS_DONE"]
    assert surveys == [
        {
            "code": "HOUSEHOLDS_SURVEYS_DONE",
            "libelle": "Nombre d'études",
            "unite": "études",
            "periode": "2026",
            "valeur": "0",
            "ventilation": {},
            "cible": None,
            "provenance": "calculé à partir des fiches des ménages et des programmes",
            "non_ventile_par": ["sex"],
        }
    ]


def test_a_wrong_period_breakdown_or_territory_is_refused_in_french(plan, today):
    with pytest.raises(CommandError, match="Période inconnue"):
        _run("--period", "2026Q7")
    with pytest.raises(CommandError, match="Ventilation inconnue"):
        _run("--period", "2026", "--by", "ethnie")
    with pytest.raises(CommandError, match="Territoire inconnu"):
        _run("--period", "2026", "--territory", "CD9999")
