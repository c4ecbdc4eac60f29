"""The main journey in a real browser on a 360 px phone: anonymous public alert → triage → visit →
three children registered → the network's page and the reporter's follow-up."""

import re

import pytest
from playwright.sync_api import expect

from kinga.community.models import AlertCase
from kinga.core.testing import assert_fits_phone

pytestmark = pytest.mark.browser


def test_public_alert_becomes_three_cases(transactional_db, page, login_as, site, network, caseworker):
    # Anyone, without an account.
    page.goto("/alerte/")
    expect(page.locator("h1")).to_contain_text("Signaler des enfants")
    assert_fits_phone(page)
    page.select_option("#id_territory", label=site.place.territory.name)
    page.fill("#id_site_name", site.name)
    page.fill("#id_location_text", "Près du bassin de lavage")
    page.fill("#id_n_M_12_14", "2")
    page.fill("#id_n_F_5_11", "1")
    page.select_option("#id_urgency", "urgent")
    page.click("main button[type=submit]")
    expect(page.locator("#followup-code")).to_be_visible()
    code = page.locator("#followup-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{10}", code)

    # The social worker triages it.
    login_as(caseworker)
    page.goto("/community/alertes/")
    assert_fits_phone(page)
    page.locator("table.list a").first.click()
    expect(page.locator("main")).to_contain_text("3")
    page.click("#start-verification")
    expect(page.locator("#alert-status")).to_contain_text("Vérification en cours")
    page.fill("#verify-form #id_children_found", "3")
    page.fill("#verify-form #id_note", "Trois enfants au lavage")
    page.locator("#verify-form button[type=submit]").click()
    expect(page.locator("#alert-status")).to_contain_text("Vérifiée")
    page.click("#register-children")
    assert_fits_phone(page)
    children = [
        ("Trésor", "Ilunga", "M", "12"),
        ("Grâce", "Kabwe", "F", "10"),
        ("Exaucé", "Mwamba", "M", "14"),
    ]
    for i, (given, family, sex, age) in enumerate(children):
        page.fill(f"#id_children-{i}-given_name", given)
        page.fill(f"#id_children-{i}-family_name", family)
        page.select_option(f"#id_children-{i}-sex", sex)
        page.fill(f"#id_children-{i}-estimated_age", age)
    page.click("main button[type=submit]")
    expect(page.locator("#alert-status")).to_contain_text("Enfants enregistrés")
    assert AlertCase.objects.count() == 3

    # The network's page says what became of the alert.
    page.goto(f"/community/reseaux/{network.uuid}/")
    expect(page.locator("#network-alerts")).to_contain_text("3 enfants enregistrés")
    assert_fits_phone(page)

    # The reporter's follow-up: the outcome, no identity.
    page.goto("/alerte/suivi/")
    page.fill("#code", code)
    page.click("main button[type=submit]")
    expect(page.locator("#feedback")).to_contain_text("3 enfants")
    text = page.locator("main").inner_text()
    for given, family, _sex, _age in children:
        assert given not in text and family not in text


def test_a_community_member_sends_an_alert_in_kiswahili_and_follows_it(transactional_db, page, site):
    """At 360 px: the form opens in French, the member chooses Kiswahili in the chooser, sends an alert,
    reads the follow-up code and the tracking page in Kiswahili."""
    page.goto("/alerte/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    with page.expect_navigation():
        page.select_option("#lang-select", "sw")  # the chooser sends itself on change
    expect(page.locator("html")).to_have_attribute("lang", "sw")
    expect(page.locator("h1")).to_have_text("Ripoti watoto kwenye machimbo")
    assert_fits_phone(page)

    # A first try without the children: refused, in Kiswahili, what was written kept.
    page.select_option("#id_territory", label=site.place.territory.name)
    page.fill("#id_site_name", site.name)
    page.fill("#id_location_text", "Karibu na bwawa la kuoshea")
    page.click("main button[type=submit]")
    expect(page.locator("main .errors")).to_contain_text("Sema watoto wangapi walionekana")
    assert_fits_phone(page)
    expect(page.locator("#id_location_text")).to_have_value("Karibu na bwawa la kuoshea")

    page.fill("#id_n_M_12_14", "2")
    page.select_option("#id_urgency", "urgent")
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_have_text("Asante, ripoti yako imepokelewa")
    code = page.locator("#followup-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{10}", code)
    assert_fits_phone(page)

    page.click("text=Fuatilia ripoti yako")
    expect(page.locator("h1")).to_have_text("Fuatilia ripoti")
    page.fill("#code", code)
    page.click("main button[type=submit]")
    expect(page.locator("#feedback")).to_contain_text("Asante. Ripoti yako imepokelewa na itachunguzwa.")
    expect(page.locator("#feedback")).to_contain_text("Mpya")
    assert_fits_phone(page)
