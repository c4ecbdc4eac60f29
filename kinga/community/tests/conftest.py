import pytest

from kinga.core.roles import Role
from kinga.core.testing import make_member, make_organisation

from .factories import make_network, make_site


@pytest.fixture
def org(db):
    return make_organisation("ONG Mwana Lualaba")


@pytest.fixture
def other_org(db):
    return make_organisation("ONG Autre")


@pytest.fixture
def supervisor(org):
    return make_member(org, Role.SUPERVISOR)


@pytest.fixture
def caseworker(org, supervisor):
    return make_member(org, Role.CASEWORKER, supervisor=supervisor)


@pytest.fixture
def focal_point(org):
    return make_member(org, Role.FOCAL_POINT)


@pytest.fixture
def site(kolwezi):
    return make_site(kolwezi, name="Kasulo", code="codmine00001", latitude=-10.7, longitude=25.46)


@pytest.fixture
def network(supervisor, kolwezi, site):
    return make_network(supervisor, kolwezi, site=site, name="Réseau Kasulo")
