import datetime

import pytest

from kinga.cases import services
from kinga.core.models import OrganisationType
from kinga.core.roles import Role
from kinga.core.testing import actor_of, make_member, make_organisation
from kinga.sites.models import Site

TODAY = datetime.date(2026, 3, 2)  # the root conftest's frozen day (its `today` fixture)


@pytest.fixture
def ngos(db, kolwezi, today):
    """Two NGOs (A and B) with a supervisor and a caseworker each, a third NGO, a coordinator."""

    class Ngos:
        pass

    n = Ngos()
    n.a = make_organisation("ONG A")
    n.b = make_organisation("ONG B")
    n.c = make_organisation("ONG C")
    n.sup_a = make_member(n.a, Role.SUPERVISOR)
    n.worker_a = make_member(n.a, Role.CASEWORKER, supervisor=n.sup_a)
    n.sup_b = make_member(n.b, Role.SUPERVISOR)
    n.worker_b = make_member(n.b, Role.CASEWORKER, supervisor=n.sup_b)
    n.sup_c = make_member(n.c, Role.SUPERVISOR)
    n.coordinator = make_member(make_organisation("IDAK", type=OrganisationType.IDAK), Role.COORDINATOR)
    n.site = Site.objects.create(code="codmine00001", name="Kasulo", place=kolwezi)
    n.kolwezi = kolwezi
    return n


def register(ngos, by, **identity):
    values = {
        "identification_method": "site_inspection",
        "identification_date": TODAY - datetime.timedelta(days=1),
        "identification_site": ngos.site,
        "residence": ngos.kolwezi,
        "work_activities": ["digging"],
        "hazards": ["pits"],
        "hours_per_week": 30,
    }
    values.update(identity)
    return services.register_case(actor=actor_of(by), **values)
