"""The community network's journey in a real browser (chromium, 360 px): from a site's page, the focal point
records the families and children who arrived and left this month; the movements page then shows them by
territory and month, and on the site's page. Screenshots go to test-results/movements/."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from kinga.core import clock
from kinga.core.models import OrganisationType
from kinga.core.roles import Role
from kinga.core.testing import SOURCE_ROOT, assert_fits_phone, enrol_totp, make_member, make_organisation
from kinga.sites.models import MovementObservation
from kinga.sites.tests.factories import make_site

pytestmark = pytest.mark.browser
SHOTS = Path(SOURCE_ROOT) / "test-results" / "movements"


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_a_focal_point_counts_arrivals_and_sees_them_by_territory(page, login_as, reference_places):
    site = make_site(name="Kasulo Mupanja")
    member = make_member(make_organisation("Réseau de Kasulo", type=OrganisationType.NGO), Role.FOCAL_POINT)
    enrol_totp(member.user)
    login_as(member)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(f"/sites/{site.uuid}/")
    page.click("text=Enregistrer des mouvements sur ce site")
    expect(page.locator("h1")).to_contain_text("Mouvements observés sur un site")
    expect(page.locator("#id_month")).to_have_value(clock.today().strftime("%Y-%m"))
    page.select_option("#id_source", "community_network")
    page.fill("#id_families_arrived", "0")
    page.fill("#id_children_arrived", "3")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("main")).to_contain_text("au moins une famille")  # refused, nothing lost
    expect(page.locator("#id_children_arrived")).to_have_value("3")
    page.fill("#id_families_arrived", "2")
    page.fill("#id_families_departed", "1")
    assert_fits_phone(page)
    _shot(page, "1-comptage")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".messages")).to_contain_text("Comptages enregistrés")
    expect(page.locator("h1")).to_contain_text("Mouvements de personnes autour des sites")
    main = page.locator("main")
    expect(main).to_contain_text("Kolwezi")
    expect(main).to_contain_text("Kasulo Mupanja")
    expect(main.locator("figure.chart svg")).to_be_visible()
    assert_fits_phone(page)
    _shot(page, "2-mouvements")
    assert MovementObservation.objects.get(site=site).children_arrived == 3

    page.goto(f"/sites/{site.uuid}/")
    expect(page.locator("main")).to_contain_text(clock.today().strftime("%m/%Y"))
    assert_fits_phone(page)
    assert not errors, errors
