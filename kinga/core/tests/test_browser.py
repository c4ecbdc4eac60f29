"""The UI shell in a real browser (chromium) on a 360 px phone: login with MFA enrolment, home, language."""

import re

import pytest
from playwright.sync_api import expect

from kinga.core.models import Membership
from kinga.core.roles import Role
from kinga.core.testing import (
    TEST_PASSWORD,
    assert_fits_phone,
    enrol_totp,
    make_member,
    make_organisation,
    totp_code,
    totp_secret_of,
)

pytestmark = pytest.mark.browser


def test_caseworker_logs_in_enrols_a_second_factor_and_switches_language(page):
    member = make_member(make_organisation("ONG Mwana Lualaba"), Role.CASEWORKER, email="tw@demo.kinga.cd")

    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("h1")).to_have_text("Connexion")
    assert_fits_phone(page)
    page.fill("#id_login", member.user.email)
    page.fill("#id_password", TEST_PASSWORD)
    page.press("#id_password", "Enter")

    # A caseworker sees identities: the app sends them to enrol an authenticator app first.
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
    expect(page.locator("h1")).to_contain_text("second facteur")
    expect(page.locator("img.qr")).to_be_visible()
    assert_fits_phone(page)
    secret = page.input_value("#authenticator_secret")
    page.fill("#id_code", totp_code(secret))
    page.press("#id_code", "Enter")

    expect(page.locator("#recovery_codes")).to_be_visible()
    page.click("#continue")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("h1")).to_have_text("Bonjour, Test")
    expect(page.locator("main")).to_contain_text("Travailleur social")
    assert_fits_phone(page)

    page.select_option("#lang-select", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Hello, Test")
    expect(page.locator("main")).to_contain_text("Caseworker")


def test_enrolled_member_logs_in_with_a_code_and_a_wrong_code_is_refused(page):
    member = make_member(make_organisation(), Role.SUPERVISOR)
    enrol_totp(member.user)
    page.goto("/accounts/login/")
    page.fill("#id_login", member.user.email)
    page.fill("#id_password", TEST_PASSWORD)
    page.press("#id_password", "Enter")
    expect(page.locator("#id_code")).to_be_visible()
    assert_fits_phone(page)
    page.fill("#id_code", "000000")
    page.press("#id_code", "Enter")
    expect(page.locator("main")).to_contain_text("Code incorrect")
    page.fill("#id_code", totp_code(totp_secret_of(member.user)))
    page.press("#id_code", "Enter")
    expect(page.locator("h1")).to_contain_text("Bonjour")


def test_login_as_helper_logs_in_an_enrolled_member_in_the_chosen_membership(page, login_as):
    first = make_member(make_organisation(), Role.CASEWORKER)
    enrol_totp(first.user)
    other_org = make_organisation("ONG Tumaini")
    second = Membership.objects.create(user=first.user, organisation=other_org, role=Role.ORG_MANAGER)
    login_as(second)
    expect(page.locator(".context")).to_contain_text(str(other_org))
    expect(page.locator(".context")).to_contain_text("Responsable d'organisation")


def test_menu_opens_and_lists_the_pages_of_the_role(page, login_as):
    login_as(make_member(make_organisation(), Role.VIEWER))
    page.click("summary")
    nav = page.locator("nav[aria-label='Navigation principale']")
    expect(nav).to_be_visible()
    expect(nav).to_contain_text("Organisations")
    expect(nav).not_to_contain_text("Journal d'audit")
    assert_fits_phone(page)
