import datetime

import pytest

from kinga.core.models import OrganisationType
from kinga.core.roles import Role
from kinga.core.testing import actor_of, make_member, make_organisation

D = datetime.date


class World:
    """A partner that gives equipment and builds, the mines police that receives it, a coalition that leads the
    advocacy for the children's court, the coordination, a funder, and people who may not act."""

    def __init__(self, kolwezi):
        self.kolwezi = kolwezi
        self.partner = make_organisation("Partenaire gouvernance", type=OrganisationType.PARTNER)
        self.police = make_organisation("Police des mines", type=OrganisationType.PROVINCIAL_GOVERNMENT)
        self.coalition = make_organisation("Coalition tribunal pour enfants")
        self.stranger = make_organisation("ONG sans lien")
        self.partner_manager = make_member(self.partner, Role.ORG_MANAGER)
        self.police_manager = make_member(self.police, Role.ORG_MANAGER)
        self.coalition_clerk = make_member(self.coalition, Role.DATA_CLERK)
        self.stranger_manager = make_member(self.stranger, Role.ORG_MANAGER)
        self.coordinator = make_member(make_organisation(type=OrganisationType.IDAK), Role.COORDINATOR)
        self.funder = make_member(make_organisation("Bailleur"), Role.VIEWER)
        self.caseworker = make_member(self.partner, Role.CASEWORKER)
        self.focal = make_member(self.coalition, Role.FOCAL_POINT)

    def actor(self, membership=None):
        return actor_of(membership or self.partner_manager)


@pytest.fixture
def world(kolwezi, today):
    return World(kolwezi)
