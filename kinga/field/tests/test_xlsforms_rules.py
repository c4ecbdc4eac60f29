"""The forms refuse what the services refuse: each bad value goes to the service and to the form's rule (evaluated
as a phone would, kinga.field.xlsforms.xpath), and both must refuse it; a good one, both accept."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kinga.cases import services as cases
from kinga.cases.models import RetentionCheck
from kinga.community.alert_payloads import interpret
from kinga.community.services import record_session
from kinga.core import clock
from kinga.core.roles import Role
from kinga.core.testing import actor_of, make_member, make_organisation
from kinga.field.xlsforms.catalogue import FORMS
from kinga.field.xlsforms.xpath import refuses
from kinga.households.services.surveys import validate_survey
from kinga.sites.models import Site
from kinga.sites.services import record_inspection

TODAY = datetime.date(2026, 3, 2)
YESTERDAY = TODAY - datetime.timedelta(days=1)
TOMORROW = TODAY + datetime.timedelta(days=1)


def service_refuses(call, field: str) -> bool:
    try:
        call()
    except ValidationError as exc:
        return field in exc.message_dict
    return False


def form_refuses(form_id: str, field: str, value, answers: dict) -> bool:
    return refuses(FORMS[form_id].get(field), value, answers=answers, today=TODAY)


# --- household survey (validate_survey is the service's whole check) -------------------------------------

SURVEY = {
    "surveyed_on": YESTERDAY,
    "household_size": 6,
    "head_sex": "F",
    "head_age": 41,
    "hunger_scale": 2,
    "housing": "durable",
    "income_sources": {"agriculture": 40},
    "children_working": 2,
    "children_working_at_mine": 1,
    "school_age_out_of_school": 1,
    "members_disabled_or_ill": 0,
}


@pytest.mark.parametrize(
    ("field", "value", "refused"),
    [
        ("surveyed_on", TOMORROW, True),
        ("surveyed_on", TODAY, False),
        ("household_size", 0, True),
        ("household_size", 61, True),
        ("household_size", 60, False),
        ("head_age", 0, True),
        ("head_age", 121, True),
        ("head_age", 120, False),
        ("hunger_scale", 7, True),
        ("hunger_scale", -1, True),
        ("hunger_scale", 6, False),
        ("children_working", 7, True),
        ("children_working", 6, False),
        ("children_working_at_mine", 3, True),  # more than the 2 children working
        ("school_age_out_of_school", -1, True),
        ("members_disabled_or_ill", 6, False),
        ("income_agriculture", -5, True),
        ("income_agriculture", 100_001, True),
        ("income_agriculture", 100_000, False),
    ],
)
def test_household_survey_rules(today, field, value, refused):
    data = dict(SURVEY)
    if field.startswith("income_"):
        data["income_sources"] = {field.removeprefix("income_"): value}
    else:
        data[field] = value
    answers = {**data, "income_sources": " ".join(data["income_sources"])}
    assert service_refuses(lambda: validate_survey(data), field) is refused
    assert form_refuses("kinga_household_survey", field, value, answers) is refused


@pytest.mark.parametrize(
    "field", ["surveyed_on", "household_size", "head_sex", "head_age", "hunger_scale", "housing"]
)
def test_household_survey_answers_the_service_requires_are_required(today, field):
    data = {k: v for k, v in SURVEY.items() if k != field}
    assert service_refuses(lambda: validate_survey(data), field)
    assert form_refuses("kinga_household_survey", field, None, data)


# --- identification (register_case) -------------------------------------------------------------------------


@pytest.fixture
def field_team(db, kolwezi):
    org = make_organisation("Enfance Lualaba")
    supervisor = make_member(org, Role.SUPERVISOR)

    class Team:
        caseworker = actor_of(make_member(org, Role.CASEWORKER, supervisor=supervisor))
        inspector = actor_of(make_member(org, Role.SITE_INSPECTOR))
        focal_point = actor_of(make_member(org, Role.FOCAL_POINT))
        site = Site.objects.create(code="codmine00001", name="Kasulo", place=kolwezi)
        place = kolwezi

    return Team


def identification(team, **changes):
    values = {
        "given_name": "Trésor",
        "family_name": "Ilunga",
        "sex": "M",
        "date_of_birth": datetime.date(2013, 5, 4),
        "identification_method": "site_inspection",
        "identification_date": YESTERDAY,
        "identification_site": team.site,
        "hours_per_week": 30,
    }
    values.update(changes)
    return values


@pytest.mark.parametrize(
    ("field", "value", "changes", "refused"),
    [
        ("identification_date", TOMORROW, {}, True),
        ("hours_per_week", 169, {}, True),
        ("hours_per_week", 168, {}, False),
        ("estimated_age", 18, {"date_of_birth": None}, True),
        ("estimated_age", 17, {"date_of_birth": None}, False),
        ("date_of_birth", TODAY, {}, True),  # after the identification (yesterday)
        ("date_of_birth", datetime.date(2006, 1, 10), {}, True),  # 20 years old: not a child
        ("date_of_birth", datetime.date(2009, 1, 10), {}, False),
        ("working_since", datetime.date(2012, 1, 1), {}, True),  # before birth
        ("working_since", TODAY, {}, True),  # after the identification
        ("working_since", datetime.date(2024, 1, 1), {}, False),
        ("identification_place", None, {"identification_site": None}, True),
        ("given_name", "", {}, True),
        ("family_name", "", {}, True),
        ("sex", "", {}, True),
        ("identification_method", "", {}, True),
    ],
)
def test_identification_rules(today, field_team, field, value, changes, refused):
    values = identification(field_team, **changes, **{field: value})
    answers = {k: ("" if v is None else getattr(v, "code", v)) for k, v in values.items()}
    call = lambda: cases.register_case(actor=field_team.caseworker, today=TODAY, **values)  # noqa: E731
    assert service_refuses(call, field) is refused
    assert form_refuses("kinga_identification", field, value, answers) is refused


def test_follow_up_and_retention_check_refuse_a_future_date(today, field_team):
    case = cases.register_case(actor=field_team.caseworker, today=TODAY, **identification(field_team))
    assert service_refuses(
        lambda: cases.record_follow_up(
            actor=field_team.caseworker, case=case, visit_date=TOMORROW, child_seen=True, today=TODAY
        ),
        "visit_date",
    )
    assert form_refuses("kinga_follow_up", "visit_date", TOMORROW, {})
    check = RetentionCheck.objects.create(case=case, closure_date=YESTERDAY, months_after=3, due_date=TODAY)
    assert service_refuses(
        lambda: cases.record_retention_check(
            actor=field_team.caseworker, check=check, date=TOMORROW, found_working=False, today=TODAY
        ),
        "date",
    )
    assert form_refuses("kinga_retention_check", "date", TOMORROW, {})
    assert not form_refuses("kinga_retention_check", "date", TODAY, {})


def test_case_numbers_as_registration_writes_them_pass_the_form(today, field_team):
    case = cases.register_case(actor=field_team.caseworker, today=TODAY, **identification(field_team))
    assert not form_refuses("kinga_follow_up", "case_number", case.number, {})
    assert form_refuses("kinga_follow_up", "case_number", "Trésor Ilunga", {})


# --- site inspection ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "refused"),
    [
        ("date", TOMORROW, True),
        ("date", TODAY, False),
        ("boys_under_15", -1, True),
        ("girls_15_17", -2, True),
        ("girls_15_17", 3, False),
    ],
)
def test_inspection_rules(today, field_team, field, value, refused):
    values = {"date": YESTERDAY, field: value}
    call = lambda: record_inspection(actor=field_team.inspector, site=field_team.site, **values)  # noqa: E731
    assert service_refuses(call, field) is refused
    assert form_refuses("kinga_site_inspection", field, value, values) is refused


def test_inspection_refuses_a_corrective_action_due_before_the_visit(today, field_team):
    early = YESTERDAY - datetime.timedelta(days=3)
    call = lambda: record_inspection(  # noqa: E731
        actor=field_team.inspector,
        site=field_team.site,
        date=YESTERDAY,
        actions=[("Clôturer le puits", early)],
    )
    assert service_refuses(call, "actions")
    assert form_refuses("kinga_site_inspection", "action_deadline", early, {"date": YESTERDAY})
    assert not form_refuses("kinga_site_inspection", "action_deadline", TODAY, {"date": YESTERDAY})


# --- community alert (interpret reads the submission) and awareness session ------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "service_field", "refused"),
    [
        ("girls_5_11", 501, "girls_5_11", True),
        ("girls_5_11", 500, "girls_5_11", False),
        ("location_text", "x" * 301, "location_text", True),
        ("description", "x" * 2001, "description", True),
        ("description", "x" * 2000, "description", False),
    ],
)
def test_alert_rules(field_team, field, value, service_field, refused):
    payload = {"site": "codmine00001", "urgency": "normal", "girls_5_11": 1, field: value}
    assert service_refuses(lambda: interpret(payload), service_field) is refused
    assert form_refuses("kinga_alert", field, value, payload) is refused


def test_alert_observed_in_the_future_is_refused_by_both(field_team):
    # interpret() reads the clock's moment (an hour's drift allowed): a day ahead is refused by both.
    now = timezone.localdate(clock.now())
    ahead = now + datetime.timedelta(days=1)
    payload = {"site": "codmine00001", "girls_5_11": 1, "observed_at": ahead.isoformat()}
    assert service_refuses(lambda: interpret(payload), "observed_at")
    assert refuses(FORMS["kinga_alert"].get("observed_at"), ahead, answers=payload, today=now)
    payload["observed_at"] = now.isoformat()
    interpret(payload)
    assert not refuses(FORMS["kinga_alert"].get("observed_at"), now, answers=payload, today=now)


def test_an_alert_seen_today_is_taken_early_in_the_morning(field_team, monkeypatch):
    # A day without a time is stored at the day's noon (a time nobody gave is not shown): at 05:00 that noon is
    # ahead of the clock, and « today » must still be taken; tomorrow is still refused.
    early = timezone.make_aware(datetime.datetime.combine(clock.today(), datetime.time(5, 0)))
    monkeypatch.setattr(clock, "now", lambda: early)
    monkeypatch.setattr(clock, "today", lambda: early.date())
    payload = {"site": "codmine00001", "girls_5_11": 1, "observed_at": early.date().isoformat()}
    assert timezone.localdate(interpret(payload)["observed_at"]) == early.date()
    payload["observed_at"] = (early.date() + datetime.timedelta(days=1)).isoformat()
    assert service_refuses(lambda: interpret(payload), "observed_at")


def test_alert_with_no_children_or_too_many_is_refused_by_both(field_team):
    none = {"site": "codmine00001", "urgency": "normal"}
    too_many = {**none, "girls_5_11": 300, "boys_5_11": 201}
    for payload in (none, too_many):
        assert service_refuses(lambda p=payload: interpret(p), "children")
        assert form_refuses("kinga_alert", "urgency", "normal", payload)
    fine = {**none, "girls_5_11": 300, "boys_5_11": 200}
    interpret(fine)
    assert not form_refuses("kinga_alert", "urgency", "normal", fine)


def test_alert_without_site_or_place_is_refused_by_both(field_team):
    assert service_refuses(lambda: interpret({"girls_5_11": 2}), "site")
    assert form_refuses("kinga_alert", "place", None, {"site": ""})


def session(team, **changes):
    values = {
        "theme": "child_labour_risks",
        "audience": "parents",
        "date": YESTERDAY,
        "place": team.place,
        "participants": [{"audience": "parents", "sex": "F", "count": 12}],
    }
    values.update(changes)
    return values


def session_answers(values):
    answers = {k: v for k, v in values.items() if k not in ("participants", "place")}
    answers.setdefault("kind", "session")
    for row in values.get("participants") or []:
        answers[f"participants_{row['audience']}_{row['sex'].lower()}"] = row["count"]
    return answers


@pytest.mark.parametrize(
    ("field", "value", "changes", "service_field", "refused"),
    [
        ("date", TOMORROW, {}, "date", True),
        (
            "participants_parents_f",
            100_001,
            {"participants": [{"audience": "parents", "sex": "F", "count": 100_001}]},
            "participants",
            True,
        ),
        ("parents_committed_f", 13, {}, "parents_committed_f", True),
        ("parents_committed_f", 12, {}, "parents_committed_f", False),
        ("report_written", "no", {"participants": []}, "participants", True),
        ("radio_station", "", {"kind": "radio", "participants": []}, "radio_station", True),
        ("radio_station", "Radio Okapi", {"kind": "radio", "participants": []}, "radio_station", False),
    ],
)
def test_awareness_session_rules(today, field_team, field, value, changes, service_field, refused):
    values = session(field_team, **changes)
    if field in ("date", "parents_committed_f", "radio_station"):
        values[field] = value
    answers = session_answers(values)
    answers[field] = value
    service_values = {k: v for k, v in values.items() if k != "report_written"}
    call = lambda: record_session(actor=field_team.focal_point, **service_values)  # noqa: E731
    assert service_refuses(call, service_field) is refused
    assert form_refuses("kinga_awareness_session", field, value, answers) is refused
