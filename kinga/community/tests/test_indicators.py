import datetime

import pytest

from kinga.community import services
from kinga.community.models import Alert, Channel
from kinga.core import clock
from kinga.core.access import ANONYMOUS
from kinga.core.indicators import IndicatorQuery, evaluate
from kinga.core.roles import Role
from kinga.core.testing import actor_of, make_member

pytestmark = pytest.mark.django_db
TODAY = clock.today()
YEAR = IndicatorQuery(start=TODAY - datetime.timedelta(days=365), end=TODAY)


def _values(code, query=YEAR):
    return {tuple(sorted(v.breakdown.items())): v.value for v in evaluate(code, query)}


def test_training_indicators_by_sex_and_territory(supervisor, kolwezi, lualaba):
    actor = actor_of(supervisor)
    services.record_training(
        actor=actor,
        group="state_agents",
        topic="ethics",
        start=TODAY,
        place=kolwezi,
        trained_f=3,
        trained_m=12,
    )
    services.record_training(
        actor=actor, group="security_agents", topic="ethics", start=TODAY, place=kolwezi, trained_m=5
    )
    services.record_training(
        actor=actor, group="state_agents", topic="refresher", start=TODAY, place=kolwezi, trained_m=50
    )
    services.record_training(
        actor=actor,
        group="social_service_providers",
        topic="refresher",
        start=TODAY,
        place=kolwezi,
        trained_f=7,
    )
    services.record_training(
        actor=actor,
        group="community_leaders",
        topic="leadership",
        start=TODAY - datetime.timedelta(days=800),
        place=kolwezi,
        trained_f=9,
    )
    assert _values("COMMUNITY_STATE_AGENTS_TRAINED") == {(): 20}
    q = IndicatorQuery(start=YEAR.start, end=TODAY, area=lualaba, breakdowns=("sex", "territory"))
    assert _values("COMMUNITY_STATE_AGENTS_TRAINED", q) == {
        (("sex", "F"), ("territory", "CD7201")): 3,
        (("sex", "M"), ("territory", "CD7201")): 17,
    }
    assert _values("COMMUNITY_PROVIDERS_TRAINED") == {(): 7}
    assert _values("COMMUNITY_LEADERS_TRAINED") == {(): 0}  # outside the period


def test_parents_awareness_meetings_advocacy(supervisor, org, kolwezi):
    actor = actor_of(supervisor)
    services.record_session(
        actor=actor,
        theme="parents_responsibility",
        audience="parents",
        date=TODAY,
        place=kolwezi,
        participants=[
            {"audience": "parents", "sex": "F", "count": 10},
            {"audience": "parents", "sex": "M", "count": 6},
        ],
        parents_committed_f=8,
        parents_committed_m=4,
        report_written=True,
    )
    services.record_session(
        actor=actor,
        kind="radio",
        theme="mining_code",
        audience="general",
        date=TODAY,
        place=kolwezi,
        radio_station="RTNC Kolwezi",
        broadcasts=3,
    )
    services.record_advocacy(
        actor=actor, date=TODAY, target="legislator", subject="Tribunal pour enfants", place=kolwezi
    )
    manager = actor_of(make_member(org, Role.ORG_MANAGER))
    services.create_meeting(actor=manager, title="Avec PV", date=TODAY, place=kolwezi, minutes_text="PV")
    services.create_meeting(actor=manager, title="Sans PV", date=TODAY, place=kolwezi)
    assert _values(
        "COMMUNITY_PARENTS_ENGAGED", IndicatorQuery(start=YEAR.start, end=TODAY, breakdowns=("sex",))
    ) == {
        (("sex", "F"),): 8,
        (("sex", "M"),): 4,
    }
    # Action 3.3 counts the RSE and due-diligence themes only (test_counted_people.py): none of these.
    assert _values("COMMUNITY_AWARENESS_REPORTS") == {(): 0}
    assert _values(
        "COMMUNITY_ADVOCACY_ACTIONS", IndicatorQuery(start=YEAR.start, end=TODAY, breakdowns=("territory",))
    ) == {(("territory", "CD7201"),): 1}
    assert _values("COMMUNITY_MEETINGS_MINUTES") == {(): 1}


def test_alert_indicators(caseworker, site, network):
    actor = actor_of(caseworker)
    a, _ = services.receive_alert(
        actor=ANONYMOUS,
        channel=Channel.PUBLIC_WEB,
        payload={"site": site.code, "girls": 1, "urgency": "urgent"},
    )
    b, _ = services.receive_alert(
        actor=ANONYMOUS, channel=Channel.PUBLIC_WEB, payload={"site": site.code, "boys": 1}
    )
    services.record_verification(actor=actor, alert=a, children_found=1, note="ok")
    Alert.objects.filter(pk=b.pk).update(due_at=clock.now() - datetime.timedelta(hours=1))
    b.refresh_from_db()
    services.record_verification(actor=actor, alert=b, children_found=1, note="en retard")
    assert _values("COMMUNITY_ALERTS_RECEIVED") == {(): 2}
    assert _values("COMMUNITY_ALERTS_VERIFIED_IN_TIME") == {(): 1}
    assert _values("COMMUNITY_ALERTS_TO_CASES") == {(): 0}
