"""The register's main journey in a real browser (chromium, 360 px): a provider's manager registers its CRS from
the directory, records its rehabilitation and puts it into operation; the facility's page shows the works, the
status and the occupancy by month computed from an accepted referral. Screenshots go to test-results/facilities/."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from kinga.cases import services
from kinga.core.roles import Role
from kinga.core.testing import actor_of, assert_fits_phone, make_member

from .conftest import TODAY, give_consents, register

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[3] / "test-results" / "facilities"


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_register_a_crs_record_its_works_and_read_its_occupancy(
    transactional_db, page, login_as, team, today
):
    manager = make_member(team.provider_org, Role.ORG_MANAGER)
    service = services.save_service(
        actor=actor_of(manager),
        organisation=team.provider_org,
        name="CRS Kasulo",
        service_type="crs",
        place=team.kolwezi,
        capacity=40,
    )
    case = register(team)
    give_consents(team, case, TODAY)
    referral = services.make_referral(
        actor=actor_of(team.worker), case=case, service=service, reason="Rattrapage", date=TODAY, today=TODAY
    )
    services.answer_referral(
        actor=actor_of(team.provider), referral=referral, accept=True, date=TODAY, today=TODAY
    )
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login_as(manager)

    page.goto("/cases/structures/")
    expect(page.locator("h1")).to_contain_text("Registre des structures de prise en charge")
    page.click("text=Inscrire une structure")
    picker = page.locator(".picker", has=page.locator("select#id_service"))
    picker.locator(".picker-search").press_sequentially("Kasu", delay=50)
    picker.locator(".picker-option", has_text="CRS Kasulo").click()
    page.select_option("#id_status", "works")
    page.fill("#id_since", "2025-06-01")
    assert_fits_phone(page)
    _shot(page, "1-inscrire")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page).to_have_url(re.compile(r"/cases/structures/[0-9a-f-]{36}/$"))
    expect(page.locator(".messages")).to_contain_text("Structure inscrite au registre")

    page.click("text=Enregistrer des travaux")
    page.select_option("#id_kind", "rehabilitation")
    page.fill("#id_description", "Toiture et latrines")
    page.fill("#id_started_on", "2025-06-10")
    page.fill("#id_cost_usd", "0")
    page.select_option("#id_funded_by", str(team.provider_org.pk))
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".error").first).to_be_visible()  # a cost of zero is refused, nothing typed lost
    expect(page.locator("#id_description")).to_have_value("Toiture et latrines")
    page.fill("#id_cost_usd", "18500")
    assert_fits_phone(page)
    _shot(page, "2-travaux")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".messages")).to_contain_text("Travaux enregistrés")

    page.click("text=Changer l'état")
    page.select_option("#id_status", "operating")
    page.fill("#id_since", "2025-10-01")
    page.get_by_role("button", name="Enregistrer").click()
    main = page.locator("main")
    expect(main).to_contain_text("En fonctionnement")
    expect(main).to_contain_text("Toiture et latrines")
    expect(main).to_contain_text("18\u202f500,00")
    expect(main.locator("figure.chart svg")).to_be_visible()
    expect(main.locator("table.list").first).to_contain_text("1 (2,5 %)")  # 1 child of a capacity of 40
    assert_fits_phone(page)
    _shot(page, "3-structure")
    assert not errors, errors
