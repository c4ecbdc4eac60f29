import datetime

import pytest

from kinga.cases import services as case_services
from kinga.cases.tests.conftest import TODAY, bring_to_follow_up, register, team  # noqa: F401  (fixture)
from kinga.core.testing import actor_of
from kinga.field import services

D = datetime.date


@pytest.fixture
def keys(team):  # noqa: F811  (the cases app's fixture)
    """Form keys made by the organisation manager, applied as the case's caseworker."""
    made = {}
    for form_id in ("kinga_follow_up", "kinga_retention_check", "kinga_identification", "kinga_alert"):
        _access, key = services.create_form_access(
            actor=actor_of(team.manager), form_id=form_id, name=form_id, membership=team.worker
        )
        made[form_id] = key
    return made


@pytest.fixture
def followed_case(team, today):  # noqa: F811
    """A case under care (plan approved 10 January 2026), its caseworker team.worker; today 2 March 2026."""
    case = register(
        team, identification_date=D(2026, 1, 5), registration_date=D(2026, 1, 6), today=D(2026, 1, 6)
    )
    bring_to_follow_up(team, case, D(2026, 1, 10))
    return case


@pytest.fixture
def exited_case(team, today):  # noqa: F811
    """A case closed with exit achieved on 12 May 2026 (retention checks due at 3, 6, 12 months); today 1 Sept."""
    case = register(
        team, identification_date=D(2026, 1, 5), registration_date=D(2026, 1, 6), today=D(2026, 1, 6)
    )
    bring_to_follow_up(team, case, D(2026, 1, 10))
    w, s = actor_of(team.worker), actor_of(team.supervisor)
    today.set(D(2026, 5, 20))
    good = {"child_seen": True, "in_school_or_training": True, "attending": True, "found_working": False}
    for day in (D(2026, 2, 10), D(2026, 5, 10)):
        case_services.record_follow_up(actor=w, case=case, visit_date=day, **good)
    case_services.request_closure(actor=w, case=case, reason="exit_achieved", date=D(2026, 5, 11))
    case_services.decide_closure(actor=s, case=case, approve=True, date=D(2026, 5, 12))
    today.set(D(2026, 9, 1))
    case.refresh_from_db()
    return case
