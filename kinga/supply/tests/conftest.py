import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from kinga.core import clock
from kinga.core.actors import system_actor
from kinga.core.models import OrganisationType
from kinga.core.roles import Role
from kinga.core.testing import actor_of, make_member, make_organisation
from kinga.sites import services as site_services
from kinga.sites.models import Site
from kinga.sites.selectors import child_labour_status
from kinga.supply import services
from kinga.supply.models import DocumentType


class World:
    """A cooperative with its documents, a site, a buying company and the people who act on lots."""

    def __init__(self, place):
        self.place = place
        self.coop = make_organisation(type=OrganisationType.COOPERATIVE)
        self.other_coop = make_organisation(type=OrganisationType.COOPERATIVE)
        self.buyer = make_organisation(type=OrganisationType.COMPANY)
        self.other_buyer = make_organisation(type=OrganisationType.COMPANY)
        self.state = make_organisation(type=OrganisationType.PROVINCIAL_GOVERNMENT)
        self.idak = make_organisation(type=OrganisationType.IDAK)
        self.inspector = make_member(self.state, Role.SITE_INSPECTOR)
        self.second_inspector = make_member(self.state, Role.SITE_INSPECTOR)
        self.coordinator = make_member(self.idak, Role.COORDINATOR)
        self.admin = make_member(self.idak, Role.ADMIN)
        self.coop_manager = make_member(self.coop, Role.ORG_MANAGER)
        self.coop_clerk = make_member(self.coop, Role.DATA_CLERK)
        self.officer = make_member(self.buyer, Role.COMPANY_OFFICER)
        self.other_officer = make_member(self.other_buyer, Role.COMPANY_OFFICER)
        self.caseworker = make_member(make_organisation(), Role.CASEWORKER)
        self.site = Site.objects.create(code="codmine90001", name="Kasulo", place=place)
        self.other_site = Site.objects.create(code="codmine90002", name="Mutoshi", place=place)
        services.load_default_document_types(actor=system_actor())

    def actor(self, membership):
        return actor_of(membership)

    def give_documents(self, coop=None, *, issued=None, valid_until=None):
        coop = coop or self.coop
        issued = issued or clock.today() - datetime.timedelta(days=100)
        for doc_type in DocumentType.objects.filter(is_required=True, is_active=True):
            services.record_document(
                actor=self.actor(self.inspector),
                cooperative=coop,
                document_type=doc_type,
                issued_on=issued,
                valid_until=valid_until or clock.today() + datetime.timedelta(days=200),
            )

    def lot(self, *, site=None, coop=None, buyer=None, date=None, weight="1200.5"):
        return services.record_lot(
            actor=self.actor(self.inspector),
            site=site or self.site,
            cooperative=coop or self.coop,
            mineral="cobalt",
            weight_kg=Decimal(weight),
            grade_percent=Decimal("12.5"),
            date=date or clock.today(),
            buyer=buyer or self.buyer,
        )


@pytest.fixture
def world(kolwezi):
    return World(kolwezi)


def inspect(world, site, day, **findings):
    """An on-site inspection through the mine-sites app: its status engine gives the site its status."""

    return site_services.record_inspection(
        actor=world.actor(world.inspector), site=site, date=day, **findings
    )


@pytest.fixture
def site_statuses(world):
    """Give a site a child-labour status the way it happens in the field: by inspections."""
    today = clock.today()

    def set_status(site, status):
        if status == "green":
            inspect(world, site, today)
        elif status == "red":
            inspect(world, site, today, boys_under_15=1, girls_under_15=1, children_tasks="lavage")
        elif status == "yellow":
            inspect(world, site, today, pregnant_women_working=True)
        elif status == "expired":
            inspect(world, site, today - datetime.timedelta(days=400))
        elif status != "blue":
            raise ValueError(status)

        assert child_labour_status(site, at=today).status == status

    return set_status


@pytest.fixture(autouse=True)
def french():
    """Messages read outside a request are in the default language, whatever an earlier test switched to."""

    with translation.override("fr"):
        yield
