"""The inspector's journey in a real browser (chromium, 360 px): a site on the map, an inspection finding two
children turns it red with that reason on its timeline; the map shows it red."""

import re

import pytest
from playwright.sync_api import expect

from kinga.core.roles import Role
from kinga.core.testing import assert_fits_phone, enrol_totp, make_member, make_organisation
from kinga.sites.tests.factories import make_site, months_ago

pytestmark = pytest.mark.browser


def test_inspector_records_two_children_and_the_site_turns_red(page, login_as, reference_places):
    site = make_site(name="Kasulo Mupanja")
    member = make_member(make_organisation("Division des Mines"), Role.SITE_INSPECTOR)
    enrol_totp(member.user)
    login_as(member)

    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto("/sites/carte/")
    expect(page.locator("#map-count")).to_contain_text("1 sites affichés")
    expect(page.locator(".legend")).to_contain_text("Non inspecté")
    expect(page.locator(".leaflet-control-scale")).to_be_visible()

    page.goto(f"/sites/{site.uuid}/")
    expect(page.locator("#site-status")).to_have_text("Non inspecté")
    page.click("text=Enregistrer une inspection")
    expect(page).to_have_url(re.compile(r"/inspecter/$"))
    page.fill("#id_date", months_ago(1).isoformat())
    page.fill("#id_boys_under_15", "1")
    page.fill("#id_girls_15_17", "1")
    page.fill("#id_children_tasks", "lavage")
    page.click("text=Enregistrer l'inspection")
    expect(page.locator(".messages")).to_contain_text("Rouge")

    page.click("text=Retour au site")
    expect(page.locator("#site-status")).to_have_text("Rouge")
    expect(page.locator("#status-reason")).to_contain_text("2 enfants")
    expect(page.locator("#timeline")).to_contain_text("2 enfants observés")
    assert_fits_phone(page)

    page.goto("/sites/carte/?status=red")
    expect(page.locator("#map-count")).to_contain_text("1 sites affichés")
    expect(page.locator("#f-status")).to_have_value("red")
    expect(page.locator(".leaflet-overlay-pane canvas")).to_have_count(1)
    assert not errors, errors
