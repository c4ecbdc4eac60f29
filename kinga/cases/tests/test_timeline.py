"""The case timeline stores codes and parameters and is written in the reader's language (docs/style.md,
"Stored text"); migration 0005 reads the sentences stored before back into parameters."""

import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from kinga.cases import services
from kinga.cases.models import CaseEvent
from kinga.cases.timeline import event_text
from kinga.core.testing import actor_of, client_for

from .conftest import SCORES, TODAY, register

pytestmark = pytest.mark.django_db

migration = importlib.import_module("kinga.cases.migrations.0005_caseevent_params")


def test_an_event_written_in_english_is_read_in_french_and_stores_no_sentence(team, today):
    today.set(TODAY)
    with translation.override("en"):  # a caseworker whose pages are in English writes the event
        case = register(team)
        services.record_assessment(actor=actor_of(team.worker), case=case, date=TODAY, scores=SCORES)

    page = client_for(team.worker).get(f"/cases/{case.uuid}/").content.decode()  # French by default
    assert "Évalué : score 13/18, risque Élevé" in page
    assert "Identifié (Inspection de site)" in page
    assert "Assessed" not in page and "Site inspection" not in page

    event = CaseEvent.objects.get(case=case, kind="assessment")
    assert event.params == {"total": 13, "risk": "high"}
    assert not hasattr(event, "summary")  # no column left to hold a sentence
    with translation.override("en"):
        for stored in CaseEvent.objects.filter(case=case):  # codes and numbers, never the sentence
            assert event_text(stored.kind, stored.params) not in str(stored.params)

    worker = client_for(team.worker)
    worker.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Assessed: score 13/18, risk High" in worker.get(f"/cases/{case.uuid}/").content.decode()


def test_the_api_timeline_gives_the_sentence_and_its_codes(team, today):
    today.set(TODAY)
    case = register(team)
    services.assign_case(actor=actor_of(team.supervisor), case=case, caseworker=team.other_worker.user)
    events = client_for(team.supervisor).get(f"/api/v1/cases/{case.uuid}/timeline/").json()["events"]
    assigned = next(e for e in events if e["kind"] == "assigned")
    name = team.other_worker.user.full_name or team.other_worker.user.email
    assert assigned["params"] == {"name": name}
    assert assigned["summary"] == f"Attribué à {name}"


# Sentences as the timeline stored them before 0005, in French (the default) and in English.
FRENCH_ROWS = [
    ("identified", "Identifié (Inspection de site)", {"method": "site_inspection"}),
    ("registered", "Enregistré sous le numéro LUA-KZI-2026-000001", {"number": "LUA-KZI-2026-000001"}),
    ("assessment", "Évalué : score 13/18, risque Élevé", {"total": 13, "risk": "high"}),
    (
        "referral",
        "Référé à CRS (Kolwezi) (Centre de rattrapage scolaire (CRS)) — sans consentement : dérogation d’urgence",
        {"org": "CRS (Kolwezi)", "service_type": "crs", "emergency": True},
    ),
    (
        "follow_up",
        "Visite de suivi : enfant vu, fréquente l’école ou la formation, trouvé au travail ou sur un site minier",
        {"seen": True, "in_education": True, "working": True},
    ),
    (
        "closure_requested",
        "Clôture proposée : Sortie réussie — dérogation à la règle de sortie par le superviseur",
        {"reason": "exit_achieved", "overridden": True},
    ),
    (
        "retention_check",
        "Vérification de maintien à 6 mois : enfant hors des mines",
        {"months": 6, "working": False},
    ),
    (
        "relapse",
        "Rechute : trouvé de nouveau au travail (Vérification de maintien) — cas rouvert",
        {"source": "retention_check", "reopened": True},
    ),
    ("plan_item", "Élément du plan de prise en charge : Fait", {"status": "done"}),
    (
        "plan_item",
        "Plan de prise en charge : appui de ONG Mwana prévu pour le 2026-04-01",
        {"org": "ONG Mwana", "due": "2026-04-01"},
    ),
    ("care_plan_decision", "Plan de prise en charge approuvé par le superviseur", {"approved": True}),
    ("assigned", "Attribué à Jean Ilunga", {"name": "Jean Ilunga"}),
    ("consent", "Consentement du parent ou tuteur", {"kind": "caregiver"}),
]
ENGLISH_ROWS = [
    ("identified", "Identified (Community alert)", {"method": "community_alert"}),
    ("assessment", "Assessed: score 4/18, risk Low", {"total": 4, "risk": "low"}),
    (
        "referral",
        "Referred to ONG Mwana (Health)",
        {"org": "ONG Mwana", "service_type": "health", "emergency": False},
    ),
    ("referral_answer", "Referral declined by CRS Kolwezi", {"org": "CRS Kolwezi", "accepted": False}),
    ("follow_up", "Follow-up visit: child not seen", {"seen": False, "in_education": None, "working": False}),
    ("closed", "Closed: Moved away", {"reason": "moved_away"}),
    ("consent_withdrawn", "Consent withdrawn", {}),
]
# Not readable (the synthetic data's short lines, a kind unknown here, a label that no longer exists): kept whole.
UNREADABLE_ROWS = [
    (kind, summary, {"note": summary})
    for kind, summary in (
        ("identified", "Identifié"),
        ("follow_up", "Visite de suivi"),
        ("imported", "Importé depuis Kobo"),
        ("assessment", "Évalué : score 13/18, risque Inconnu"),
    )
]
OLD_ROWS = FRENCH_ROWS + ENGLISH_ROWS + UNREADABLE_ROWS


@pytest.mark.parametrize(("kind", "summary", "params"), OLD_ROWS)
def test_the_migration_reads_old_sentences_back_into_codes(kind, summary, params):
    assert migration.params_from_summary(kind, summary) == params


@pytest.mark.parametrize(
    ("language", "kind", "summary"),
    [("fr", k, s) for k, s, _p in FRENCH_ROWS + UNREADABLE_ROWS]
    + [("en", k, s) for k, s, _p in ENGLISH_ROWS],
)
def test_a_converted_row_reads_as_it_did_in_its_language(language, kind, summary):
    with translation.override(language):
        assert event_text(kind, migration.params_from_summary(kind, summary)) == summary


# Going back and forth through every app's migrations costs a minute of Django's model-state rendering per run; the
# conversion is ORM code, the same on both databases: it runs in the PostgreSQL pass (production's database).
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL only: a minute of migrations per run"
)
@pytest.mark.django_db(transaction=True)
def test_the_migration_converts_the_rows_of_the_table(team, today, as_database_owner):
    """The real migration over rows written as before 0005 (a `summary`, no `params`): back to 0004, old
    sentences stored, forward again."""
    today.set(TODAY)
    case = register(team)
    executor = MigrationExecutor(connection)
    # Every app's latest: going back unapplies the other apps' migrations that depend on cases too.
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate([("cases", "0004_version")])
    OldEvent = executor.loader.project_state(("cases", "0004_version")).apps.get_model("cases", "CaseEvent")
    OldEvent.objects.all().delete()
    for kind, summary, _params in OLD_ROWS:
        OldEvent.objects.create(case_id=case.pk, date=TODAY, kind=kind, summary=summary)

    executor = MigrationExecutor(connection)  # a new loader sees the graph as it now stands
    executor.migrate(latest)

    stored = list(CaseEvent.objects.filter(case=case).order_by("pk").values_list("kind", "params"))
    assert stored == [(kind, params) for kind, _s, params in OLD_ROWS]
