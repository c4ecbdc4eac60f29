"""Site inspections, household surveys and awareness sessions from the field, through their apps' services."""

import datetime

import pytest

from kinga.community.models import AwarenessSession
from kinga.core.roles import Role
from kinga.core.testing import actor_of, make_member
from kinga.field import services
from kinga.field.models import State, Submission
from kinga.households.models import Survey
from kinga.households.tests.factories import make_household, make_round
from kinga.sites.models import Inspection

from .test_push import post_kobo

pytestmark = pytest.mark.django_db


def _key(team, form_id, membership):
    return services.create_form_access(
        actor=actor_of(team.manager), form_id=form_id, name=form_id, membership=membership
    )[1]


def _meta(n):
    return {"meta/instanceID": f"uuid:ffff0000-0000-4000-8000-00000000000{n}"}


def test_a_site_inspection(team, today):
    inspector = make_member(team.org, Role.SITE_INSPECTOR)
    key = _key(team, "kinga_site_inspection", inspector)
    payload = {
        "lieu/site": team.site.code,
        "date": "2026-02-27",
        "enfants/boys_under_15": "3",
        "enfants/girls_15_17": "1",
        "presence/women_seen": "unknown",
        "presence/armed_group_present": "Non",
        "presence/pregnant_women_working": "no",
        "actions": [
            {"actions/action_description": "Clôturer les puits", "actions/action_deadline": "2026-03-31"}
        ],
        **_meta(1),
    }
    assert post_kobo("kinga_site_inspection", key, payload).status_code == 201
    submission = Submission.objects.get()
    assert submission.state == State.APPLIED, submission.reasons
    inspection = Inspection.objects.get(site=team.site, date=datetime.date(2026, 2, 27))
    assert inspection.boys_under_15 == 3 and inspection.girls_15_17 == 1 and inspection.girls_under_15 == 0
    assert inspection.women_seen is None and inspection.armed_group_present is False
    assert [a.description for a in inspection.actions.all()] == ["Clôturer les puits"]


def test_a_household_survey_and_its_edit_replace_the_round(team, today, kolwezi):
    household = make_household(actor_of(team.clerk), kolwezi, survey_id="KZI-0042")
    survey_round = make_round()
    key = _key(team, "kinga_household_survey", team.clerk)
    payload = {
        "round": survey_round.code,
        "menage/place": kolwezi.pcode,
        "menage/survey_id": "KZI-0042",
        "surveyed_on": "2026-02-20",
        "household_size": "6",
        "head_sex": "F",
        "head_age": "41",
        "hunger_scale": "3",
        "housing": "Précaire (paille, bâche)",
        "income_sources": "artisanal_mining trade",
        "income_artisanal_mining": "60",
        "income_trade": "20",
        "children_working": "2",
        "children_working_at_mine": "1",
        "access_to_water": "yes",
        "has_productive_assets": "no",
        **_meta(2),
        "meta/rootUuid": "uuid:ffff0000-0000-4000-8000-000000000002",
    }
    assert post_kobo("kinga_household_survey", key, payload).status_code == 201
    assert Submission.objects.get().state == State.APPLIED, Submission.objects.get().reasons
    survey = Survey.objects.get(household=household, round=survey_round)
    assert survey.monthly_income_usd == 80 and survey.access_to_water and not survey.has_productive_assets
    edit = dict(payload, hunger_scale="5", **_meta(3))
    assert post_kobo("kinga_household_survey", key, edit).status_code == 201
    assert Survey.objects.get(household=household, round=survey_round).hunger_scale == 5
    assert dict(Submission.objects.values_list("instance_id", "state")) == {
        "ffff0000-0000-4000-8000-000000000002": State.REPLACED,
        "ffff0000-0000-4000-8000-000000000003": State.APPLIED,
    }


def test_an_awareness_session(team, today, kolwezi):
    key = _key(team, "kinga_awareness_session", team.worker)
    payload = {
        "kind": "session",
        "theme": "child_labour_risks",
        "audience": "parents",
        "date": "2026-02-25",
        "place": kolwezi.pcode,
        "participants/participants_parents_f": "12",
        "participants/participants_parents_m": "8",
        "participants/parents_committed_f": "5",
        **_meta(4),
    }
    assert post_kobo("kinga_awareness_session", key, payload).status_code == 201
    assert Submission.objects.get().state == State.APPLIED, Submission.objects.get().reasons
    session = AwarenessSession.objects.get()
    assert sum(p.count for p in session.participations.all()) == 20 and session.parents_committed_f == 5


def _survey_payload(survey_round, place, n, survey_id):
    return {
        "round": survey_round.code,
        "menage/place": place.pcode,
        "menage/survey_id": survey_id,
        "surveyed_on": "2026-02-20",
        "household_size": str(3 + n),
        "head_sex": "F",
        "head_age": "41",
        "hunger_scale": str(n % 7),
        "housing": "durable",
        "income_sources": "trade",
        "income_trade": str(10 + n),
        "children_working": "0",
        "children_working_at_mine": "0",
        "access_to_water": "yes",
        "has_productive_assets": "no",
        "meta/instanceID": f"uuid:eeee0000-0000-4000-8000-{n:012d}",
    }


def test_a_batch_of_surveys_keeps_the_indicators_and_totals_right_with_one_refresh_each(team, today, kolwezi):
    """The worker's batch recomputes the indicators' tallies and the round totals once at its end, not once per
    survey; every survey still goes through the service (audited), and the figures equal a rebuild."""
    from django.db import connection  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    from kinga.core import tallies  # noqa: PLC0415
    from kinga.core.models import AuditEvent  # noqa: PLC0415
    from kinga.field import bulk  # noqa: PLC0415
    from kinga.field.models import Channel, Source  # noqa: PLC0415
    from kinga.field.reading import from_kobo  # noqa: PLC0415
    from kinga.field.tasks import process_batch_task  # noqa: PLC0415
    from kinga.households.models import RoundTotals  # noqa: PLC0415
    from kinga.households.services import totals  # noqa: PLC0415

    survey_round = make_round()
    for n in range(6):
        make_household(actor_of(team.clerk), kolwezi, survey_id=f"KZI-B{n}")
    parsed = [from_kobo(_survey_payload(survey_round, kolwezi, n, f"KZI-B{n}")) for n in range(6)]
    stored = bulk.receive_many(
        source=Source.KOBO,
        channel=Channel.PULL,
        form_id="kinga_household_survey",
        parsed=parsed,
        accounts=bulk.Accounts(team.clerk),
        queue=False,
    )
    with CaptureQueriesContext(connection) as queries:
        assert process_batch_task.call(submission_ids=stored.created) == {State.APPLIED: 6}
    assert Survey.objects.filter(round=survey_round).count() == 6
    assert AuditEvent.objects.filter(target_type="households.survey", action="create").count() == 6
    refreshes = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith('DELETE FROM "core_tally"')
    ]
    assert len(refreshes) == 4  # one per survey tally (income and hunger, sum and count); 24 before
    day = datetime.date(2026, 2, 20)
    for code in ("HOUSEHOLDS_INCOME_TOTAL", "HOUSEHOLDS_INCOME_COUNT", "HOUSEHOLDS_HUNGER_SCALE_TOTAL"):
        assert tallies.differences(code, start=day, end=day) == []
    kept = sorted(RoundTotals.objects.values_list("round_id", "place_path", "households", "hunger_scale"))
    totals.rebuild_all()
    assert kept == sorted(
        RoundTotals.objects.values_list("round_id", "place_path", "households", "hunger_scale")
    )
    assert kept[0][2] == 6


def test_a_batch_that_stops_on_an_error_still_leaves_the_tallies_right(team, today, kolwezi):
    from kinga.core import tallies  # noqa: PLC0415
    from kinga.households.services import record_survey  # noqa: PLC0415

    household = make_household(actor_of(team.clerk), kolwezi, survey_id="KZI-E1")
    survey_round = make_round()
    with pytest.raises(RuntimeError), tallies.batched():
        record_survey(
            actor=actor_of(team.clerk),
            household=household,
            round=survey_round,
            surveyed_on=datetime.date(2026, 2, 20),
            household_size=4,
            head_sex="F",
            head_age=30,
            hunger_scale=2,
            housing="durable",
        )
        raise RuntimeError("the worker stopped")
    day = datetime.date(2026, 2, 20)
    assert tallies.differences("HOUSEHOLDS_HUNGER_SCALE_TOTAL", start=day, end=day) == []
