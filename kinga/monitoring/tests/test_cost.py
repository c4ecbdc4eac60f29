"""Cost per result: known spending and known results give the expected costs and the attribution sentence;
spending attached to nothing lowers the share; focal points are kept out; the queries do not grow with records."""

import datetime
import html
from decimal import Decimal

import pytest
from django.urls import reverse

from kinga.cases.models import FollowUp, Referral
from kinga.community import services as community
from kinga.core import periods
from kinga.core.roles import Role
from kinga.core.testing import actor_of, client_for, make_member, make_organisation
from kinga.monitoring.selectors import cost_per_result
from kinga.plan.models import Activity, Commitment, FundingTransaction

from .conftest import make_case

pytestmark = pytest.mark.django_db
URL = reverse("monitoring:cost_per_result") + "?period=2026Q3"
API = "/api/v1/monitoring/costs-per-result/?period=2026Q3"
DAY = datetime.date(2026, 7, 20)
MAMBWE = {"full_name": "Mambwe Kalenga Odette", "sex": "F"}


def _spend(commitment, amount, day=DAY):
    FundingTransaction.objects.create(
        commitment=commitment, kind="expenditure", date=day, amount_original=amount, amount_usd=amount
    )


@pytest.fixture
def costs(province, plan):
    """Axis 1: activity 1.1.1 spent 600 USD (commitment of a funder) and trained Mambwe three times plus one
    colleague, and withdrew one child (two follow-up visits); action 1.2 spent 400 USD and produced nothing."""
    funder = make_organisation("Bailleur Lualaba")
    first = Activity.objects.get(action__axis__number=1, action__number=1, position=1)
    idle = Activity.objects.filter(action__axis__number=1, action__number=2).first()
    paid = Commitment.objects.create(
        funder=funder, action=first.action, activity=first, date=DAY, amount_original=1000, amount_usd=1000
    )
    unused = Commitment.objects.create(
        funder=funder, action=idle.action, date=DAY, amount_original=1000, amount_usd=1000
    )
    _spend(paid, 600)
    _spend(unused, 400)
    _spend(unused, 999, day=datetime.date(2025, 1, 1))  # another period
    actor = actor_of(make_member(province.ngo, Role.SUPERVISOR))
    for n, day in enumerate(
        (datetime.date(2026, 7, 2), datetime.date(2026, 7, 9), datetime.date(2026, 8, 1))
    ):
        training = community.record_training(
            actor=actor,
            group="social_service_providers",
            topic="refresher",
            start=day,
            place=province.kolwezi,
            trained_f=1,
            commitment=paid,
        )
        people = [MAMBWE] + ([{"full_name": "Kasongo Ilunga", "sex": "M"}] if n == 0 else [])
        community.record_attendance(actor=actor, training=training, people=people)
    case = make_case(province.ngo, province.kolwezi, identified=datetime.date(2026, 7, 1))
    Referral.objects.create(
        case=case,
        provider=province.ngo,
        service_type="crs",
        referred_on=DAY,
        answer_due=DAY,
        plan_activity=first,
    )
    for visit in (datetime.date(2026, 7, 25), datetime.date(2026, 8, 10)):
        FollowUp.objects.create(case=case, visit_date=visit, child_seen=True, found_working=False)
    return {"first": first, "unused": unused, "actor": actor_of(province.coordinator)}


def test_known_spending_and_results_give_the_cost_per_child_and_per_person_trained(costs, province):
    result = cost_per_result(costs["actor"], period=periods.parse("2026Q3"))
    rows = {(r.level, r.code): r for r in result.rows}
    activity = rows[("activity", costs["first"].code)]
    assert activity.spent == Decimal(600)
    assert activity.results == {"withdrawn": 1, "retained_12m": 0, "households": 0, "trained": 2}
    assert activity.costs["trained"] == Decimal(300)  # Mambwe at three trainings counts once
    assert activity.costs["withdrawn"] == Decimal(600)
    assert activity.costs["households"] is None
    axis = rows[("axis", "1")]
    assert (axis.spent, axis.coverage) == (Decimal(1000), 60)
    [funder] = result.funders
    assert (funder.spent, funder.coverage) == (Decimal(1000), 60)
    assert funder.label.startswith("ORG") and funder.label.endswith(
        " — Bailleur Lualaba"
    )  # not the acronym alone
    assert "60 % des dépenses de l'axe 1 sont rattachées à un résultat." in result.sentences

    page = client_for(province.coordinator).get(URL)
    assert page.status_code == 200
    assert "60 % des dépenses de l'axe 1 sont rattachées à un résultat." in html.unescape(
        page.content.decode()
    )
    data = client_for(province.coordinator).get(API).json()
    [row] = [r for r in data["rows"] if r["code"] == costs["first"].code]
    assert (row["results"]["trained"], row["cost_usd"]["trained"]) == (2, "300.00")


def test_spending_attached_to_nothing_lowers_the_share(costs):
    _spend(costs["unused"], 1000)
    result = cost_per_result(costs["actor"], period=periods.parse("2026Q3"))
    assert "30 % des dépenses de l'axe 1 sont rattachées à un résultat." in result.sentences


def test_focal_points_are_kept_out(province):
    assert client_for(province.focal_point).get(URL).status_code == 403
    assert client_for(province.focal_point).get(API).status_code == 403


def test_the_query_count_does_not_grow_with_the_records(costs, province, django_assert_max_num_queries):
    for _n in range(5):
        case = make_case(province.ngo, province.kolwezi, identified=datetime.date(2026, 7, 1))
        Referral.objects.create(
            case=case,
            provider=province.ngo,
            service_type="crs",
            referred_on=DAY,
            answer_due=DAY,
            plan_activity=costs["first"],
        )
        FollowUp.objects.create(case=case, visit_date=DAY, child_seen=True, found_working=False)
    with django_assert_max_num_queries(30):
        result = cost_per_result(costs["actor"], period=periods.parse("2026Q3"))
    assert {r.code: r for r in result.rows}[costs["first"].code].results["withdrawn"] == 6
