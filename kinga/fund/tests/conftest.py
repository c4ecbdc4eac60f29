import datetime
from decimal import Decimal

import pytest

from kinga.core.models import OrganisationType
from kinga.core.roles import Role
from kinga.core.testing import actor_of, make_member, make_organisation
from kinga.fund import services
from kinga.fund.models import AccountKind, MemberCategory

D = datetime.date


class World:
    """A provincial fund managed by the mines division, its accounts and commission, a cooperative, and the people
    who act on it (or may not)."""

    def __init__(self, place):
        self.place = place
        self.mines = make_organisation("Division des mines", type=OrganisationType.PROVINCIAL_GOVERNMENT)
        self.saesscam = make_organisation("SAESSCAM", type=OrganisationType.PROVINCIAL_GOVERNMENT)
        self.company = make_organisation("Entreprise minière", type=OrganisationType.COMPANY)
        self.ngo = make_organisation("Société civile", type=OrganisationType.NGO)
        self.ptf = make_organisation("Bailleur", type=OrganisationType.PARTNER)
        self.coop = make_organisation("Coopérative Umoja", type=OrganisationType.COOPERATIVE)
        self.other_coop = make_organisation("Coopérative Amani", type=OrganisationType.COOPERATIVE)
        self.stranger = make_organisation("ONG sans lien")
        self.manager = make_member(self.mines, Role.ORG_MANAGER)
        self.clerk = make_member(self.mines, Role.DATA_CLERK)
        self.coordinator = make_member(make_organisation(type=OrganisationType.IDAK), Role.COORDINATOR)
        self.funder = make_member(self.ptf, Role.VIEWER)
        self.company_officer = make_member(self.company, Role.COMPANY_OFFICER)
        self.coop_manager = make_member(self.coop, Role.ORG_MANAGER)
        self.other_coop_manager = make_member(self.other_coop, Role.ORG_MANAGER)
        self.stranger_manager = make_member(self.stranger, Role.ORG_MANAGER)
        self.caseworker = make_member(self.mines, Role.CASEWORKER)

    def actor(self, membership=None):
        return actor_of(membership or self.manager)

    def set_up(self):
        """The fund at 40 %, its two accounts and its commission of five members from five categories."""
        a = self.actor()
        self.rate = services.set_retrocession_rate(
            actor=actor_of(self.coordinator), valid_from=D(2025, 1, 1), rate_percent=Decimal("40")
        )
        self.fund = services.create_fund(
            actor=a,
            name="Fonds d'appui à l'artisanat minier",
            managed_by=self.mines,
            place=self.place,
            created_on=D(2025, 1, 10),
            target_usd=Decimal(5_000_000),
        )
        self.bank = services.open_account(
            actor=a,
            fund=self.fund,
            kind=AccountKind.BANK,
            bank="Rawbank",
            number="001",
            opened_on=D(2025, 1, 15),
        )
        self.ptf_account = services.open_account(
            actor=a,
            fund=self.fund,
            kind=AccountKind.PARTNER_TRANSACTION,
            bank="Equity BCDC",
            number="PTF-1",
            opened_on=D(2025, 2, 1),
            partners=[self.ptf],
        )
        self.commission = services.establish_commission(
            actor=a, fund=self.fund, name="Commission mixte de gestion", established_on=D(2025, 2, 15)
        )
        self.members = [
            services.add_member(
                actor=a, commission=self.commission, organisation=org, category=cat, joined_on=D(2025, 2, 15)
            )
            for org, cat in (
                (self.mines, MemberCategory.MINES_ADMINISTRATION),
                (self.saesscam, MemberCategory.SAESSCAM),
                (self.company, MemberCategory.COMPANY),
                (self.ngo, MemberCategory.CIVIL_SOCIETY),
                (self.ptf, MemberCategory.PARTNER),
            )
        ]
        return self


@pytest.fixture
def world(lualaba, today):
    return World(lualaba)


@pytest.fixture
def fund_world(world):
    return world.set_up()
