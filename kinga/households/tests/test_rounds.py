"""Survey rounds are data a coordinator creates, each with its dates; a survey dated outside its round is refused
with a French message that names the round holding that date, or says none does yet, whichever way it comes in:
the page, the API, a file import (the row quarantined with that reason)."""

import datetime
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from rest_framework.test import APIClient

from kinga.core.models import AuditEvent
from kinga.core.roles import Role
from kinga.core.testing import actor_of, client_for, make_member, make_organisation
from kinga.households import services
from kinga.households.models import QuarantinedRow, Survey, SurveyRound
from kinga.households.tests.factories import answers, make_household

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def coordinator():
    return make_member(make_organisation(), Role.COORDINATOR)


@pytest.fixture
def rounds(coordinator):
    actor = actor_of(coordinator)
    return {
        2021: services.create_round(
            actor=actor,
            code="suivi-2021",
            name="Passage de suivi 2021",
            kind="follow_up",
            number=1,
            starts_on=D(2021, 1, 15),
            ends_on=D(2021, 12, 31),
        ),
        2025: services.create_round(
            actor=actor,
            code="suivi-2025",
            name="Passage de suivi 2025",
            kind="follow_up",
            number=2,
            starts_on=D(2025, 1, 1),
            ends_on=D(2025, 12, 31),
        ),
    }


@pytest.fixture
def caseworker():
    return make_member(make_organisation(), Role.CASEWORKER)


def test_a_coordinator_creates_a_round_on_its_page_with_its_dates_audited(coordinator, rounds):
    client = client_for(coordinator)
    data = {"code": "suivi-2026", "name": "Passage de suivi 2026", "kind": "follow_up", "number": "3"}
    response = client.post("/households/passages/", {**data, "starts_on": "2026-01-10"})
    assert response.status_code == 400 and "Indiquez le dernier jour du passage" in response.content.decode()
    response = client.post(
        "/households/passages/", {**data, "starts_on": "2025-12-01", "ends_on": "2026-12-31"}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "chevauchent le passage « Passage de suivi 2025 » (01/01/2025 au 31/12/2025)" in body
    response = client.post(
        "/households/passages/", {**data, "starts_on": "2026-01-10", "ends_on": "2026-12-31"}
    )
    assert response.status_code == 302
    created = SurveyRound.objects.get(code="suivi-2026")
    assert created.ends_on == D(2026, 12, 31)
    assert AuditEvent.objects.filter(action="create", target_type="households.surveyround").count() == 3
    assert "31/12/2026" in client.get("/households/passages/").content.decode()


def test_only_a_coordinator_changes_a_round_and_never_leaves_its_surveys_outside(
    coordinator, caseworker, rounds, kolwezi
):
    rnd = rounds[2025]
    url = f"/households/passages/{rnd.uuid}/modifier/"
    assert client_for(caseworker).get(url).status_code == 403
    assert (
        client_for(coordinator)
        .get("/households/passages/00000000-0000-0000-0000-000000000000/modifier/")
        .status_code
        == 404
    )
    household = make_household(actor_of(caseworker), kolwezi)
    services.record_survey(
        actor=actor_of(caseworker), household=household, round=rnd, **answers(surveyed_on=D(2025, 11, 20))
    )
    client = client_for(coordinator)
    response = client.post(url, {"name": rnd.name, "starts_on": "2025-01-01", "ends_on": "2025-10-31"})
    assert response.status_code == 400
    assert (
        "1 enquête de ce passage est datée hors de ces dates (la première : 20/11/2025)"
        in response.content.decode()
    )
    response = client.post(url, {"name": rnd.name, "starts_on": "2025-01-01", "ends_on": "2026-06-30"})
    assert response.status_code == 302
    rnd.refresh_from_db()
    assert rnd.ends_on == D(2026, 6, 30)
    assert AuditEvent.objects.filter(action="update", target_type="households.surveyround").exists()


def test_a_survey_outside_its_round_is_refused_saying_where_it_belongs(caseworker, rounds, kolwezi, today):
    actor = actor_of(caseworker)
    household = make_household(actor, kolwezi)
    with pytest.raises(ValidationError) as refused:
        services.record_survey(
            actor=actor, household=household, round=rounds[2021], **answers(surveyed_on=D(2025, 3, 1))
        )
    assert refused.value.message_dict["surveyed_on"] == [
        "Une enquête du 01/03/2025 est hors du passage « Passage de suivi 2021 » (15/01/2021 au 31/12/2021) : "
        "cette date est dans le passage « Passage de suivi 2025 »."
    ]
    with pytest.raises(ValidationError) as refused:
        services.record_survey(
            actor=actor, household=household, round=rounds[2021], **answers(surveyed_on=D(2026, 3, 1))
        )
    assert "aucun passage ne couvre cette date" in refused.value.message_dict["surveyed_on"][0]
    assert not Survey.objects.exists()


def test_the_survey_page_and_the_api_refuse_it_too(caseworker, rounds, kolwezi, today):
    household = make_household(actor_of(caseworker), kolwezi)
    client = client_for(caseworker)
    page = client.get(f"/households/{household.uuid}/enquete/").content.decode()
    assert f'value="{today().isoformat()}"' in page  # today's date offered
    data = {
        "round": str(rounds[2021].uuid),
        "surveyed_on": "2026-03-01",
        "household_size": "6",
        "head_sex": "F",
        "head_age": "40",
        "hunger_scale": "2",
        "housing": "durable",
        "children_working": "0",
        "children_working_at_mine": "0",
        "school_age_out_of_school": "0",
        "members_disabled_or_ill": "0",
    }
    response = client.post(f"/households/{household.uuid}/enquete/", data)
    assert response.status_code == 400
    assert "aucun passage ne couvre cette date" in response.content.decode()
    api = APIClient()
    api.force_authenticate(caseworker.user)
    payload = answers(surveyed_on="2026-03-01")
    payload["round"] = rounds[2021].code
    response = api.post(f"/api/v1/households/{household.uuid}/surveys/", payload, format="json")
    assert response.status_code == 400 and "aucun passage" in response.json()["surveyed_on"][0]
    assert not Survey.objects.exists()


def test_an_imported_row_outside_the_round_is_quarantined_with_the_reason(rounds, kolwezi):
    clerk = actor_of(make_member(make_organisation(), Role.DATA_CLERK))
    header = "household_id;place;head_name;head_sex;head_age;household_size;surveyed_on;hunger_scale;housing"
    content = (
        f"{header}\nKZI-1;CD7201;Mwamba;F;38;6;2021-03-01;3;precarious\n"
        "KZI-2;CD7201;Ngoy;M;45;4;2026-02-01;1;durable\n"
    ).encode()
    batch = services.import_round(
        actor=clerk, round=rounds[2021], content=content, filename="r.csv", accept_rejections=True
    )
    assert (batch.created, batch.quarantined) == (1, 1)
    row = QuarantinedRow.objects.get()
    assert row.line == 3 and "aucun passage ne couvre cette date" in row.errors["surveyed_on"][0]


def test_the_demo_data_has_this_years_round_so_a_survey_of_today_has_its_round(reference_places, today):
    call_command("synth", "--scale", "demo", "--seed", "7")
    current = SurveyRound.objects.get(code="suivi-2026")
    assert (current.starts_on, current.ends_on) == (D(2026, 1, 1), D(2026, 12, 31))
    assert not current.surveys.exists()
    rounds = list(SurveyRound.objects.order_by("starts_on"))
    assert all(a.ends_on < b.starts_on for a, b in itertools.pairwise(rounds))  # no overlap


# Going back and forth through every app's migrations costs a minute of Django's model-state rendering per run; the
# conversion is ORM code, the same on both databases: it runs in the PostgreSQL pass (production's database).
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL only: a minute of migrations per run"
)
@pytest.mark.django_db(transaction=True)  # SQLite alters tables outside a transaction only
def test_the_migration_gives_every_round_an_end(reference_places, as_database_owner):
    """Rounds written before 0010 (open-ended, as the demo's 2021 round was): each ends the day before the next
    starts, the last one on 31 December of its year."""
    executor = MigrationExecutor(connection)
    # Every app's latest: going back unapplies the other apps' migrations that depend on households too.
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate([("households", "0009_date_indexes")])
    OldRound = executor.loader.project_state(("households", "0009_date_indexes")).apps.get_model(
        "households", "SurveyRound"
    )
    for number, (code, start) in enumerate(
        [("enquete-2018", D(2018, 1, 15)), ("suivi-2019", D(2019, 7, 1)), ("suivi-2021", D(2021, 1, 15))], 1
    ):
        OldRound.objects.create(code=code, name=code, kind="follow_up", number=number, starts_on=start)

    executor = MigrationExecutor(connection)  # a new loader sees the graph as it now stands
    executor.migrate(latest)

    ends = dict(SurveyRound.objects.values_list("code", "ends_on"))
    assert ends == {
        "enquete-2018": D(2019, 6, 30),
        "suivi-2019": D(2021, 1, 14),
        "suivi-2021": D(2021, 12, 31),
    }
