"""The caseworker's journey in a real browser (chromium, 360 px): a household recorded, a member added, a
survey entered; the household page shows its vulnerability index explained item by item."""

import re

import pytest
from playwright.sync_api import expect

from kinga.core import clock
from kinga.core.roles import Role
from kinga.core.testing import assert_fits_phone, enrol_totp, make_member, make_organisation
from kinga.households.tests.factories import make_round

pytestmark = pytest.mark.browser


def test_caseworker_records_a_household_and_sees_its_index(page, login_as, kolwezi):
    make_round(1)
    member = make_member(make_organisation("ONG Tujenge"), Role.CASEWORKER)
    enrol_totp(member.user)
    login_as(member)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto("/households/")
    page.click("text=Nouveau ménage")
    page.fill("#id_survey_id", "KZI-0042")
    # The place through its search box (kinga.core.pickers): two hundred places, found by typing.
    place = page.locator(".picker", has=page.locator("select#id_place"))
    place.locator(".picker-search").press_sequentially("kolw", delay=50)
    place.locator(".picker-option", has_text="Kolwezi, Lualaba").click()
    expect(page.locator("#id_place")).to_have_value(str(kolwezi.uuid))
    page.fill("#id_head_name", "Mujinga Kabeya")
    page.fill("#id_size", "300")
    page.click("button:has-text('Enregistrer')")
    expect(page.locator(".error")).to_contain_text("pas possible")
    page.fill("#id_size", "5")
    page.click("button:has-text('Enregistrer')")
    expect(page).to_have_url(re.compile(r"/households/[0-9a-f-]{36}/$"))
    expect(page.locator("h1")).to_contain_text("KZI-0042")

    page.click("text=Ajouter un membre")
    page.fill("#id_full_name", "Neema Kabeya")
    page.select_option("#id_relationship", "child")
    page.select_option("#id_sex", "F")
    page.fill("#id_age", "13")
    page.check("#id_works_at_mine_site")
    page.click("button:has-text('Enregistrer')")
    expect(page.locator("main")).to_contain_text("Neema Kabeya")

    page.click("text=Saisir une enquête")
    expect(page.locator("#id_surveyed_on")).to_have_value(clock.today().isoformat())  # today offered
    page.select_option("#id_round", index=1)
    page.fill("#id_surveyed_on", "2024-03-01")
    page.fill("#id_household_size", "5")
    page.select_option("#id_head_sex", "F")
    page.fill("#id_head_age", "38")
    page.fill("#id_hunger_scale", "3")
    page.select_option("#id_housing", "precarious")
    page.fill("#id_children_working", "1")
    page.fill("#id_children_working_at_mine", "1")
    page.fill("#id_income_trade", "60")
    page.click("button:has-text('Enregistrer')")
    expect(page.locator("#index")).to_be_visible()
    expect(page.locator("main")).to_contain_text("/ 100")
    expect(page.locator("main")).to_contain_text("Un enfant de 5 à 17 ans travaille dans une mine")
    assert_fits_phone(page)
    assert not errors, errors
