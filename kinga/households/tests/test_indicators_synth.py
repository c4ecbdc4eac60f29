import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kinga.core.indicators import IndicatorQuery, evaluate
from kinga.core.roles import Role
from kinga.core.testing import actor_of, make_member, make_organisation
from kinga.households import services
from kinga.households.models import Household, HouseholdMember, HouseholdScore, ProgrammeKind, Survey
from kinga.households.tests.factories import answers, make_household, make_programme, make_round

pytestmark = pytest.mark.django_db

PERIOD = {"start": datetime.date(2024, 1, 1), "end": datetime.date(2024, 12, 31)}


def test_indicators_count_from_the_records_in_one_query_each(kolwezi):
    org = make_organisation()
    w = actor_of(make_member(org, Role.CASEWORKER))
    m = actor_of(make_member(org, Role.ORG_MANAGER))
    h1, h2 = make_household(w, kolwezi), make_household(w, kolwezi)
    woman = services.add_member(
        actor=w, household=h1, full_name="Sifa Mbayo", relationship="spouse", sex="F", age=30
    )
    services.record_survey(
        actor=w, household=h1, round=make_round(1), **answers(surveyed_on=datetime.date(2024, 2, 1))
    )
    services.record_survey(
        actor=w,
        household=h2,
        round=make_round(1),
        **answers(surveyed_on=datetime.date(2024, 2, 2), income_sources={"trade": "200"}),
    )
    coop = services.create_cooperative(
        actor=m, name="Coop I", kind="agro_pastoral", place=kolwezi, registered_on=datetime.date(2024, 1, 10)
    )
    p_coop = make_programme(m, ProgrammeKind.COOPERATIVE)
    e = services.enrol(
        actor=w,
        programme=p_coop,
        household=h1,
        enrolled_on=datetime.date(2024, 3, 1),
        cooperative=coop,
        hectares=5,
    )
    services.add_delivery(
        actor=w, enrolment=e, delivered_on=datetime.date(2024, 3, 5), kind="inputs", quantity=10
    )
    p_lit = make_programme(m, ProgrammeKind.LITERACY)
    lit = services.enrol(
        actor=w, programme=p_lit, household=h1, member=woman, enrolled_on=datetime.date(2024, 3, 1)
    )
    services.update_enrolment(actor=w, enrolment=lit, status="completed", ended_on=datetime.date(2024, 9, 1))
    # A man of a household in no cooperative completes the course too: the plan's 7,000 are cooperative members
    # (before, every literacy enrolment counted: 2).
    man = services.add_member(
        actor=w, household=h2, full_name="Jean Kalenga", relationship="head", sex="M", age=40
    )
    other = services.enrol(
        actor=w, programme=p_lit, household=h2, member=man, enrolled_on=datetime.date(2024, 3, 1)
    )
    services.update_enrolment(
        actor=w, enrolment=other, status="completed", ended_on=datetime.date(2024, 9, 1)
    )
    p_sav = make_programme(m, ProgrammeKind.SAVINGS)
    sav = services.enrol(
        actor=w,
        programme=p_sav,
        household=h2,
        enrolled_on=datetime.date(2024, 3, 1),
        account_opened_on=datetime.date(2024, 3, 2),
    )
    services.add_deposit(actor=w, enrolment=sav, deposited_on=datetime.date(2024, 4, 1), amount_usd=10)

    def value(code, **kw):
        with CaptureQueriesContext(connection) as queries:
            result = evaluate(code, IndicatorQuery(**PERIOD, **kw))
        assert len(queries) == 1, (code, [q["sql"][:150] for q in queries.captured_queries])
        return result

    evaluate(
        "HOUSEHOLDS_IN_COOPERATIVES", IndicatorQuery(**PERIOD)
    )  # the process learns once which tallies are built
    assert value("HOUSEHOLDS_SURVEYS_DONE")[0].value == 1
    assert value("HOUSEHOLDS_HOUSEHOLDS_SURVEYED")[0].value == 2
    assert value("HOUSEHOLDS_IN_COOPERATIVES")[0].value == 1
    assert value("HOUSEHOLDS_HECTARES_ALLOCATED")[0].value == 5
    assert value("HOUSEHOLDS_FARMING_SUPPORTED")[0].value == 1
    assert value("HOUSEHOLDS_COOPERATIVES")[0].value == 1
    assert value("HOUSEHOLDS_BANK_ACCOUNTS")[0].value == 1
    literacy = value("HOUSEHOLDS_LITERACY_MEMBERS", breakdowns=("sex", "territory"))
    assert [(v.value, v.breakdown) for v in literacy] == [(1, {"sex": "F", "territory": "CD7201"})]
    assert value("HOUSEHOLDS_INCOME")[0].value == 140
    assert value("HOUSEHOLDS_HUNGER_SCALE")[0].value == 3
    assert value("HOUSEHOLDS_SURVEYS_DONE", area=kolwezi)[0].value == 1


def test_synth_demo_generates_households_surveys_and_scores(reference_places):
    out = io.StringIO()
    call_command("synth", scale="demo", seed=7, stdout=out)
    assert "ménages notés" in out.getvalue()  # what the operator reads during `make run` is French
    assert Household.objects.count() == 200
    assert HouseholdMember.objects.count() > 500
    assert Survey.objects.values("round").distinct().count() == 3
    assert (
        HouseholdScore.objects.count() == Household.objects.filter(surveys__isnull=False).distinct().count()
    )
