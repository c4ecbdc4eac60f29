import datetime
from types import SimpleNamespace

import pytest

from kinga.cases.models import FollowUp
from kinga.cases.tests.conftest import register
from kinga.core.roles import Role
from kinga.core.testing import actor_of, client_for, make_member, make_organisation
from kinga.households import services
from kinga.households.models import Household
from kinga.households.services import scores
from kinga.households.tests.factories import make_household
from kinga.sites.models import Site

pytestmark = pytest.mark.django_db


def test_a_child_in_care_makes_the_household_priority_and_shows_its_follow_up_status(kolwezi):
    org = make_organisation()
    worker = make_member(org, Role.CASEWORKER, supervisor=make_member(org, Role.SUPERVISOR))
    team = SimpleNamespace(
        worker=worker, site=Site.objects.create(code="codmine09999", name="Kasulo", place=kolwezi)
    )
    case = register(team)
    FollowUp.objects.create(
        case=case,
        visit_date=datetime.date(2026, 4, 1),
        child_seen=True,
        found_working=False,
        seen_at_site=False,
        in_school_or_training=True,
        attending=True,
    )
    actor = actor_of(worker)
    household = make_household(actor, kolwezi, head_name="Ngalula Ilunga")
    member = services.add_member(
        actor=actor, household=household, full_name="Trésor Ilunga", relationship="child", sex="M", age=12
    )
    assert not Household.objects.get(pk=household.pk).is_priority
    client = client_for(worker)
    response = client.post(f"/households/membres/{member.uuid}/dossier/", {"case_number": case.number})
    assert response.status_code == 302
    assert Household.objects.get(pk=household.pk).is_priority
    body = client.get(f"/households/{household.uuid}/").content.decode()
    assert case.number in body and "hors du travail minier" in body and "01/04/2026" in body
    # Another organisation cannot link to a case it does not see.
    other = make_member(make_organisation(), Role.CASEWORKER)
    other_household = make_household(actor_of(other), kolwezi)
    other_member = services.add_member(
        actor=actor_of(other),
        household=other_household,
        full_name="X Y",
        relationship="child",
        sex="M",
        age=9,
    )
    response = client_for(other).post(
        f"/households/membres/{other_member.uuid}/dossier/", {"case_number": case.number}
    )
    assert response.status_code == 400
    assert client_for(other).get(f"/households/membres/{member.uuid}/dossier/").status_code == 404
    # The scoring command refreshes priorities set-based.
    Household.objects.update(is_priority=False)
    scores.score_all()
    assert Household.objects.get(pk=household.pk).is_priority
