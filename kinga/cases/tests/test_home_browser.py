"""Each role's home page on a 360 × 740 phone: the first screen holds the role's main action and its overdue
count (issue 20's acceptance). One test per role, the least data that gives each one late item."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from kinga.cases.tests.conftest import TODAY, register
from kinga.community import services as community_services
from kinga.community.models import Alert, Channel
from kinga.community.tests.factories import make_network, make_site
from kinga.core import clock
from kinga.core.models import OrganisationType
from kinga.core.roles import Role
from kinga.core.testing import actor_of, assert_fits_phone, make_member, make_organisation
from kinga.sites.models import Site
from kinga.supply import services as supply_services

pytestmark = pytest.mark.browser

D = datetime.timedelta
SCREEN_HEIGHT = 740


def on_first_screen(locator) -> None:
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= SCREEN_HEIGHT, box


def open_home(page, login_as, member, panel: str, action: str, overdue: str) -> None:
    login_as(member)
    page.goto("/")
    on_first_screen(page.locator(f"#panel-{panel} a.button.big", has_text=action))
    on_first_screen(page.locator(f"#panel-{panel} .home-counts li.overdue", has_text=overdue))
    assert_fits_phone(page)


def test_caseworker(page, login_as, team, today):
    register(team, today=TODAY - D(10), identification_date=TODAY - D(11))
    open_home(page, login_as, team.worker, "cases-tasks", "Enregistrer un enfant", "1 en retard")
    # The pages the tiles used to list are in the menu, the last one reachable on the phone.
    page.click("summary")
    on_first_screen(page.locator(".menu nav a", has_text="Mes cas"))
    last = page.locator(".menu nav li").last
    last.scroll_into_view_if_needed()
    on_first_screen(last)


def test_supervisor(page, login_as, team, today):
    register(team, today=TODAY - D(10), identification_date=TODAY - D(11))
    open_home(page, login_as, team.supervisor, "cases-approvals", "Voir mon équipe", "1 tâche en retard")


def test_organisation_manager(page, login_as, team, today):
    register(team, today=TODAY - D(10), identification_date=TODAY - D(11))
    open_home(page, login_as, team.manager, "cases-organisation", "Voir les dossiers", "1 tâche en retard")


def test_community_focal_point(page, login_as, kolwezi):
    org = make_organisation("ONG Mwana Lualaba")
    site = make_site(kolwezi, name="Kasulo")
    make_network(make_member(org, Role.SUPERVISOR), kolwezi, site=site)
    focal_point = make_member(org, Role.FOCAL_POINT)
    alert, _created = community_services.receive_alert(
        actor=actor_of(focal_point), channel=Channel.API, payload={"site": site.code, "boys_12_14": 2}
    )
    Alert.objects.filter(pk=alert.pk).update(due_at=clock.now() - D(hours=2))
    open_home(
        page, login_as, focal_point, "community-network-alerts", "Signaler une alerte", "1 non vérifiée"
    )


def test_site_inspector(page, login_as, kolwezi, today):
    Site.objects.create(
        code="codmine00001", name="Kasulo", place=kolwezi, status="green", status_date=TODAY - D(400)
    )
    inspector = make_member(
        make_organisation(type=OrganisationType.PROVINCIAL_GOVERNMENT), Role.SITE_INSPECTOR
    )
    open_home(page, login_as, inspector, "sites-inspections-due", "Inspecter un site", "1 en retard")


def test_company_officer(page, login_as, kolwezi, today):
    site = Site.objects.create(
        code="codmine00001", name="Kasulo", place=kolwezi, status="red", status_date=TODAY
    )
    buyer = make_organisation(type=OrganisationType.COMPANY)
    inspector = make_member(
        make_organisation(type=OrganisationType.PROVINCIAL_GOVERNMENT), Role.SITE_INSPECTOR
    )
    supply_services.record_lot(
        actor=actor_of(inspector),
        site=site,
        cooperative=make_organisation(type=OrganisationType.COOPERATIVE),
        mineral="cobalt",
        weight_kg=Decimal("1200"),
        date=TODAY,
        buyer=buyer,
    )
    officer = make_member(buyer, Role.COMPANY_OFFICER)
    open_home(
        page, login_as, officer, "supply-buyer-lots", "Rapport de devoir de diligence", "1 site fournisseur"
    )
