"""The main journey in a real browser (chromium, 360 px): an inspector decides a lot from a red site — refused,
with the reason — and asks for an override; the buyer's officer sees the lot flagged in its due-diligence report."""

import pytest
from playwright.sync_api import expect

from kinga.core import clock
from kinga.core.testing import assert_fits_phone
from kinga.supply.tests.conftest import World, inspect

pytestmark = pytest.mark.browser


def test_a_lot_from_a_red_site_is_refused_and_flagged_to_its_buyer(page, login_as, kolwezi):
    world = World(kolwezi)
    world.give_documents()
    inspect(world, world.site, clock.today(), boys_under_15=1, girls_under_15=1, children_tasks="lavage")
    lot = world.lot()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    login_as(world.inspector)
    page.goto("/supply/lots/")
    page.click(f"text={lot.reference}")
    page.click("text=Décider l'autorisation d'évacuation")
    expect(page.locator(".messages")).to_contain_text("Évacuation refusée")
    expect(page.locator("section.decision")).to_contain_text("ROUGE")
    expect(page.locator("section.decision")).to_contain_text("Kasulo")
    assert_fits_phone(page)
    page.fill("#id_reason", "Lot extrait avant la visite, pesé devant témoins.")
    page.get_by_role("button", name="Demander une dérogation").click()
    expect(page.locator("section.decision")).to_contain_text("Dérogation demandée")
    expect(page.locator("section.decision")).to_contain_text("Lot extrait avant la visite")

    page.context.clear_cookies()
    login_as(world.officer)
    page.goto("/supply/diligence/")
    expect(page.locator("main")).to_contain_text(lot.reference)
    expect(page.locator("main")).to_contain_text("Site rouge lors de l'autorisation du lot")
    expect(page.locator("main")).to_contain_text("effectifs")
    assert_fits_phone(page)
    assert not errors, errors
