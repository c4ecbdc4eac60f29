"""The searchable picker in a real browser at 360 px (kinga.core.pickers, picker.js): an inspector types part of an
organisation's name into the team, taps it, removes their own organisation's chip and records the inspection,
dated today without typing a date; a coordinator moves a site to another territory by typing two letters."""

import re
from pathlib import Path

import pytest
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from playwright.sync_api import expect

from kinga.core import clock
from kinga.core.models import OrganisationType, Place, PlaceLevel
from kinga.core.roles import Role
from kinga.core.testing import SOURCE_ROOT, assert_fits_phone, enrol_totp, make_member, make_organisation
from kinga.sites.models import Inspection
from kinga.sites.tests.factories import make_site

pytestmark = pytest.mark.browser

SHOTS = Path(SOURCE_ROOT) / "test-results" / "pickers"  # test artefacts, not committed


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def test_an_inspector_picks_the_team_by_typing(page, login_as, reference_places):
    site = make_site(name="Kasulo Mupanja")
    mines = make_organisation("Division provinciale des Mines", acronym="DIVMINES")
    partner = make_organisation(
        "Bureau pour le volontariat au service de l'enfance", acronym="BVES", type=OrganisationType.NGO
    )
    for n in range(30):  # a list too long to scroll through
        make_organisation(f"Organisation témoin {n}")
    member = make_member(mines, Role.SITE_INSPECTOR)
    enrol_totp(member.user)
    login_as(member)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(f"/sites/{site.uuid}/inspecter/")
    expect(page.locator("#id_date")).to_have_value(clock.today().isoformat())
    team = page.locator(".picker-multiple")
    expect(team.locator("select")).to_be_hidden()  # the native multi-select gives way to chips and a search
    expect(team.locator(".picker-chip")).to_have_count(1)
    expect(team.locator(".picker-chip")).to_contain_text("DIVMINES — Division provinciale des Mines")

    team.locator(".picker-search").press_sequentially("volont", delay=50)
    option = team.locator(".picker-option", has_text="BVES — Bureau pour le volontariat")
    expect(option).to_be_visible()
    expect(team.locator(".picker-option")).to_have_count(1)
    _shot(page, "equipe-recherche")
    option.click()
    expect(team.locator(".picker-chip")).to_have_count(2)
    team.locator(".picker-chip", has_text="DIVMINES").click()  # a tap removes a chosen one
    expect(team.locator(".picker-chip")).to_have_count(1)
    assert_fits_phone(page)

    page.click("text=Enregistrer l'inspection")
    expect(page.locator(".messages")).to_be_visible()
    inspection = Inspection.objects.get(site=site)
    assert inspection.date == clock.today()
    assert list(inspection.organisations.all()) == [partner]
    assert not errors, errors


def test_a_coordinator_moves_a_site_by_typing_the_place(page, login_as, reference_places):
    site = make_site(name="Kasulo Mupanja")
    member = make_member(make_organisation("IDAK", type=OrganisationType.IDAK), Role.COORDINATOR)
    enrol_totp(member.user)
    login_as(member)
    page.goto(f"/sites/{site.uuid}/modifier/")
    picker = page.locator(".picker", has=page.locator("select#id_place"))
    picker.locator(".picker-search").press_sequentially("lubud", delay=50)
    option = picker.locator(".picker-option", has_text="Lubudi, Lualaba")
    expect(option).to_be_visible()
    _shot(page, "lieu-recherche")
    option.click()
    expect(page.locator("#id_place")).to_have_value(str(Place.objects.get(pcode="CD7203").pk))
    expect(picker.locator(".picker-results")).to_be_hidden()
    assert_fits_phone(page)
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(rf"/sites/{site.uuid}/$"))
    site.refresh_from_db()
    assert site.place.pcode == "CD7203"


def test_a_place_beyond_the_rendered_ones_is_found_typed_and_saved(page, login_as, reference_places):
    """The <select> holds only the first places (kinga.core.pickers.MAX_RESULTS): a village typed and tapped
    is added to it by picker.js and saved."""
    site = make_site(name="Kasulo Mupanja")
    territory = Place.objects.get(pcode="CD7201")
    Place.objects.bulk_create(
        Place(name=f"Hameau {n:03d}", level=PlaceLevel.VILLAGE, parent=territory) for n in range(80)
    )
    Place.objects.filter(parent=territory, level=PlaceLevel.VILLAGE).update(
        path=Concat(Value(territory.path), Cast("id", CharField()), Value("/"))
    )
    far = Place.objects.get(name="Hameau 077")
    member = make_member(make_organisation("IDAK", type=OrganisationType.IDAK), Role.COORDINATOR)
    enrol_totp(member.user)
    login_as(member)
    page.goto(f"/sites/{site.uuid}/modifier/")
    picker = page.locator(".picker", has=page.locator("select#id_place"))
    expect(picker.locator(f"option[value='{far.pk}']")).to_have_count(0)
    expect(picker.locator(".picker-nojs")).to_have_count(0)  # the search without JavaScript gives way
    picker.locator(".picker-search").press_sequentially("hameau 077", delay=30)
    picker.locator(".picker-option", has_text="Hameau 077").click()
    expect(page.locator("#id_place")).to_have_value(str(far.pk))
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(rf"/sites/{site.uuid}/$"))
    site.refresh_from_db()
    assert site.place == far
