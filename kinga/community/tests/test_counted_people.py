"""The plan counts people, not attendances: a person on three trainings' lists counts once against the 1,080
providers; a parent who signed at two sessions counts once; action 3.3's reports are on RSE and due diligence."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kinga.community import services
from kinga.community.models import Participant
from kinga.core import clock, periods
from kinga.core.actors import system_actor
from kinga.core.indicators import IndicatorQuery, evaluate
from kinga.core.reference import load_organisations
from kinga.core.roles import Role
from kinga.core.testing import actor_of, assert_not_stored_in_clear, client_for, make_member
from kinga.plan.selectors import indicator_values
from kinga.plan.services.loading import load_plan

pytestmark = pytest.mark.django_db
TODAY = clock.today()
YEAR = IndicatorQuery(start=TODAY - datetime.timedelta(days=365), end=TODAY)
MAMBWE = {"full_name": "Mambwe Kalenga Odette", "sex": "F", "identifier": "+243 99 000 0001"}


def _values(code, query=YEAR):
    return {tuple(sorted(v.breakdown.items())): v.value for v in evaluate(code, query)}


def _training(actor, place, day, **kw):
    values = {"group": "social_service_providers", "topic": "refresher", "trained_f": 1}
    values.update(kw)
    return services.record_training(actor=actor, start=day, place=place, **values)


def test_the_same_person_in_three_trainings_counts_once_against_the_1080_providers(supervisor, kolwezi):
    load_organisations()
    load_plan(actor=system_actor())
    actor = actor_of(supervisor)
    for n, day in enumerate(
        (TODAY - datetime.timedelta(days=60), TODAY - datetime.timedelta(days=30), TODAY)
    ):
        training = _training(actor, kolwezi, day, trained_f=2)
        # The same woman, her name written three ways; a colleague different each time.
        spelled = ["Mambwe Kalenga Odette", "MAMBWE  kalenga odette", "Mambwé Kalenga Odette"][n]
        colleague = {"full_name": ["Kasongo Ilunga", "Mutombo Kabila", "Tshibanda Ngoy"][n], "sex": "M"}
        added = services.record_attendance(
            actor=actor, training=training, people=[{**MAMBWE, "full_name": spelled}, colleague]
        )
        assert added == 2
    # Before: the head counts of the three trainings (6 attendances); now 1 woman and 3 men.
    assert _values("COMMUNITY_PROVIDERS_TRAINED") == {(): 4}
    by_sex = IndicatorQuery(start=YEAR.start, end=TODAY, breakdowns=("sex", "territory"))
    assert _values("COMMUNITY_PROVIDERS_TRAINED", by_sex) == {
        (("sex", "F"), ("territory", "CD7201")): 1,
        (("sex", "M"), ("territory", "CD7201")): 3,
    }
    assert Participant.objects.count() == 4
    [cell] = [
        c
        for c in indicator_values(actor, period=periods.parse("plan"))
        if c.indicator.code == "COMMUNITY_PROVIDERS_TRAINED"
    ]
    assert (cell.value, cell.target) == (4, Decimal(1080))
    assert cell.source_text == "calculé à partir des fiches de formation"
    assert_not_stored_in_clear("Mambwe Kalenga Odette")


def test_a_training_without_a_list_still_counts_its_head_count(supervisor, kolwezi):
    actor = actor_of(supervisor)
    listed = _training(actor, kolwezi, TODAY, trained_f=5)
    services.record_attendance(actor=actor, training=listed, people=[MAMBWE])
    _training(actor, kolwezi, TODAY, trained_f=3, trained_m=2)  # no list: 5 people who cannot be told apart
    listed.refresh_from_db()
    assert (listed.trained_f, listed.trained_m) == (1, 0)  # the list replaces the head count
    assert _values("COMMUNITY_PROVIDERS_TRAINED") == {(): 1 + 5}


def test_a_list_is_refused_without_a_name_or_with_an_unknown_sex(supervisor, kolwezi):
    actor = actor_of(supervisor)
    training = _training(actor, kolwezi, TODAY)
    with pytest.raises(ValidationError) as error:
        services.record_attendance(
            actor=actor, training=training, people=[MAMBWE, {"full_name": " ", "sex": "F"}]
        )
    assert "Ligne 2" in error.value.message_dict["people"][0]
    with pytest.raises(ValidationError):
        services.record_attendance(actor=actor, training=training, people=[{**MAMBWE, "sex": "X"}])
    assert Participant.objects.count() == 0


def test_parents_engaged_are_distinct_parents(supervisor, kolwezi):
    actor = actor_of(supervisor)
    sessions = [
        services.record_session(
            actor=actor,
            theme="parents_responsibility",
            audience="parents",
            date=TODAY,
            place=kolwezi,
            participants=[{"audience": "parents", "sex": "F", "count": 10}],
            parents_committed_f=3,
        )
        for _ in range(2)
    ]
    for session in sessions:
        services.record_commitments(
            actor=actor, session=session, people=[MAMBWE, {"full_name": "Ngoy Mutombo", "sex": "M"}]
        )
    # Before: 3 + 3 signatures counted (then 2 + 2 from the lists); now two parents.
    assert _values("COMMUNITY_PARENTS_ENGAGED") == {(): 2}


def test_awareness_reports_of_action_3_3_count_rse_and_due_diligence_only(supervisor, kolwezi):
    actor = actor_of(supervisor)
    for theme, kind, broadcasts in (
        ("rse_guide", "session", 0),
        ("due_diligence", "radio", 2),
        ("parents_responsibility", "session", 0),
        ("mining_code", "radio", 5),
    ):
        services.record_session(
            actor=actor,
            kind=kind,
            theme=theme,
            audience="companies" if kind == "session" else "general",
            date=TODAY,
            place=kolwezi,
            radio_station="RTNC Kolwezi" if kind == "radio" else "",
            broadcasts=broadcasts,
            report_written=kind == "session",
            participants=[{"audience": "companies", "sex": "M", "count": 4}] if kind == "session" else [],
        )
    # Before: 1 + 2 + 1 + 5 = 9 (every theme); now the RSE report and the two due-diligence broadcasts.
    assert _values("COMMUNITY_AWARENESS_REPORTS") == {(): 3}


def test_the_attendance_list_page_records_people_once(supervisor, kolwezi):
    training = _training(actor_of(supervisor), kolwezi, TODAY, trained_f=9)
    url = reverse("community:training_attendance", args=[training.uuid])
    browser = client_for(supervisor)
    assert browser.get(url).status_code == 200
    lines = (
        "Mambwe Kalenga Odette; F; 0990000001\nKasongo Ilunga; M\n\nMAMBWE kalenga odette ; f ; 099 000 0001"
    )
    assert browser.post(url, {"people": lines}).status_code == 302
    training.refresh_from_db()
    assert (training.trained_f, training.trained_m) == (1, 1)
    assert Participant.objects.count() == 2
    refused = browser.post(url, {"people": "Ngoy; X"})
    assert refused.status_code == 400 and "le sexe est M ou F" in refused.content.decode()


def test_the_attendance_list_of_another_organisation_is_404_and_needs_the_permission(
    supervisor, org, other_org, kolwezi
):
    training = _training(actor_of(supervisor), kolwezi, TODAY)
    url = reverse("community:training_attendance", args=[training.uuid])
    outsider = make_member(other_org, Role.SUPERVISOR)
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(make_member(org, Role.VIEWER)).get(url).status_code == 403
