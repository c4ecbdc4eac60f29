"""The buyer's journey in a real browser (chromium, 360 px): the company's officer records an agreement with its
child-labour clauses and a breach that suspends purchases; an inspector records the visit that found children;
the company's due-diligence report shows the agreement, the breach and what followed. Screenshots go to
test-results/partners/."""

import datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect

from kinga.core import clock
from kinga.core.testing import SOURCE_ROOT, assert_fits_phone
from kinga.supply.tests.conftest import World

pytestmark = pytest.mark.browser
SHOTS = Path(SOURCE_ROOT) / "test-results" / "partners"


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_an_agreement_a_visit_a_breach_and_the_report(page, login_as, kolwezi):
    world = World(kolwezi)
    world.lot()
    day = (clock.today() - datetime.timedelta(days=20)).isoformat()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    login_as(world.officer)
    page.goto("/supply/")
    page.click("text=Accords avec clauses sur le travail des enfants")
    page.click("text=Enregistrer un accord")
    page.select_option("#id_buyer", str(world.buyer.pk))
    page.fill("#id_reference", "ACC-KASULO-1")
    page.select_option("#id_cooperative", str(world.coop.pk))
    page.fill("#id_signed_on", day)
    page.fill("#id_starts_on", day)
    page.check("input[name=clauses][value=no_child_labour]")
    page.check("input[name=clauses][value=suspension]")
    assert_fits_phone(page)
    _shot(page, "1-accord")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("h1")).to_contain_text("Accord ACC-KASULO-1")
    page.click("text=Enregistrer un manquement")
    page.select_option("#id_clause", "no_child_labour")
    page.fill("#id_description", "Deux enfants au lavage des minerais")
    page.fill("#id_children_involved", "2")
    page.select_option("#id_response", "purchases_suspended")
    page.fill("#id_response_on", clock.today().isoformat())
    page.get_by_role("button", name="Enregistrer le manquement").click()
    expect(page.locator(".messages")).to_contain_text("Manquement enregistré")
    expect(page.locator("main")).to_contain_text("Suspendu")
    assert_fits_phone(page)
    _shot(page, "2-manquement")

    page.goto("/supply/diligence/")
    main = page.locator("main")
    expect(main).to_contain_text("ACC-KASULO-1")
    expect(main).to_contain_text("Achats suspendus")
    assert_fits_phone(page)
    _shot(page, "3-rapport")
    assert not errors, errors
