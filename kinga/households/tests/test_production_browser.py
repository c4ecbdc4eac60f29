"""The main journey of household production and nutrition in a real browser (chromium, 360 px): a supervisor adds
a household to its micro-finance group through the picker, lends to it (the loan is late), records the household's
nutrition visit (the child's MUAC: moderate malnutrition, computed) and its harvest; the group's list shows the
arrears. Screenshots go to test-results/production/."""

import datetime
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from kinga.core import clock
from kinga.core.roles import Role
from kinga.core.testing import actor_of, assert_fits_phone, enrol_totp, make_member, make_organisation
from kinga.households import services
from kinga.households.tests.factories import make_household

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[3] / "test-results" / "production"


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_a_group_lends_and_a_household_is_visited_and_harvests(page, login_as, kolwezi):
    today = clock.today()
    org = make_organisation("ONG Tujenge")
    supervisor = make_member(org, Role.SUPERVISOR)
    manager = actor_of(make_member(org, Role.ORG_MANAGER))
    household = make_household(actor_of(supervisor), kolwezi, survey_id="KZI-0777")
    services.add_member(
        actor=actor_of(supervisor),
        household=household,
        full_name="Neema Kabeya",
        relationship="child",
        sex="F",
        birth_date=today - datetime.timedelta(days=700),
    )
    services.create_group(
        actor=manager,
        name="AVEC Tujenge",
        kind="savings",
        place=kolwezi,
        formed_on=today - datetime.timedelta(days=400),
        capital_usd="400",
    )
    enrol_totp(supervisor.user)
    login_as(supervisor)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto("/households/micro-finance/")
    expect(page.locator("h1")).to_contain_text("Groupes de micro-finance")
    page.click("text=AVEC Tujenge")
    picker = page.locator(".picker", has=page.locator("select#id_household"))
    picker.locator(".picker-search").press_sequentially("KZI-07", delay=50)
    picker.locator(".picker-option", has_text="KZI-0777").click()
    page.fill("#id_joined_on", (today - datetime.timedelta(days=300)).isoformat())
    page.locator("form[action$='/membres/'] button[type=submit]:not([name=picker-search])").click()
    expect(page.locator(".messages")).to_contain_text("Ménage membre ajouté")

    page.select_option("#id_household", label="KZI-0777")
    page.select_option("#id_purpose", "inputs")
    page.fill("#id_amount_usd", "300")
    page.fill("#id_interest_percent", "10")
    page.fill("#id_issued_on", (today - datetime.timedelta(days=200)).isoformat())
    page.fill("#id_due_on", (today - datetime.timedelta(days=20)).isoformat())
    page.locator("form[action$='/prets/'] button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("Prêt enregistré")
    page.click("table.list >> text=KZI-0777 >> nth=1")  # the loan (the first is the member)
    expect(page.locator("h1")).to_contain_text("Prêt")
    page.fill("#id_paid_on", (today - datetime.timedelta(days=100)).isoformat())
    page.fill("#id_amount_usd", "100")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("main")).to_contain_text("230,00 USD")
    expect(page.locator("main")).to_contain_text("en retard")
    assert_fits_phone(page)
    _shot(page, "1-pret")

    page.click("h1 >> text=KZI-0777")
    expect(page).to_have_url(re.compile(r"/households/[0-9a-f-]{36}/$"))
    page.click("text=Enregistrer une visite nutritionnelle")
    page.fill("#id_days_staples", "7")
    page.fill("#id_days_vegetables", "5")
    page.fill("#id_days_oil", "6")
    page.locator("input[name^=muac_]").fill("118")
    assert_fits_phone(page)
    _shot(page, "2-visite")
    page.get_by_role("button", name="Enregistrer").click()
    nutrition = page.locator("#nutrition + p + .scroll")
    expect(nutrition).to_contain_text("Malnutrition aiguë modérée")
    expect(nutrition).to_contain_text("Limite (22)")  # 7 × 2 + 5 × 1 + 6 × 0,5

    page.click("text=Enregistrer une récolte")
    page.select_option("#id_kind", "crop")
    page.select_option("#id_product", "cassava")
    page.fill("#id_quantity", "350")
    page.select_option("#id_unit", "kg")
    page.fill("#id_area_ha", "0.5")
    page.select_option("#id_season", "A")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#production + p + .scroll")).to_contain_text("Manioc")
    assert_fits_phone(page)
    _shot(page, "3-menage")

    page.goto("/households/micro-finance/")
    row = page.locator("table.list tbody tr", has_text="AVEC Tujenge")
    expect(row).to_contain_text("230,00")
    expect(row).to_contain_text("1 prêt en retard")
    assert_fits_phone(page)
    _shot(page, "4-groupes")
    assert not errors, errors
