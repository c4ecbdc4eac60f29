"""The searchable picker with JavaScript off, in a real browser at 360 px (kinga.core.pickers): the place list
holds only the first places (the caseworker's own area), and a village of another province is found by typing a
few letters and pressing « Rechercher »: the form comes back with everything typed kept and the matches in the
list; the village chosen, the household is saved."""

from pathlib import Path

import pytest
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from playwright.sync_api import expect

from kinga.core.models import Place, PlaceLevel
from kinga.core.roles import Role
from kinga.core.testing import SOURCE_ROOT, assert_fits_phone, enrol_totp, make_member, make_organisation
from kinga.households.models import Household

pytestmark = pytest.mark.browser

SHOTS = Path(SOURCE_ROOT) / "test-results" / "pickers"  # test artefacts, not committed


@pytest.fixture
def page_options():
    return {"java_script_enabled": False}


def test_without_javascript_a_far_village_is_found_by_searching_and_saved(page, login_as, lualaba):
    territory = Place.objects.filter(pcode__startswith="CD91", level=PlaceLevel.TERRITORY).first()
    Place.objects.bulk_create(
        Place(name=f"Village lointain {n:04d}", level=PlaceLevel.VILLAGE, parent=territory)
        for n in range(300)
    )
    Place.objects.filter(parent=territory, level=PlaceLevel.VILLAGE).update(
        path=Concat(Value(territory.path), Cast("id", CharField()), Value("/"))
    )
    organisation = make_organisation()
    organisation.areas.add(lualaba)
    member = make_member(organisation, Role.CASEWORKER)
    enrol_totp(member.user)
    login_as(member)

    page.goto("/households/nouveau/")
    assert page.evaluate("typeof window.htmx") == "undefined"  # JavaScript is really off
    place = page.locator("select#id_place")
    assert place.locator("option").count() <= 31
    expect(place.locator("option", has_text="Village lointain")).to_have_count(0)
    page.fill("#id_survey_id", "KZI-77")
    page.fill("#id_head_name", "Mujinga Kasongo")
    page.fill("#id_size", "5")
    page.fill("#id_place__chercher", "lointain 0123")
    page.click("button[name=picker-search][value=place]")
    expect(page.locator("main")).to_contain_text("Recherche « lointain 0123 » : 1 résultat dans la liste")
    expect(page.locator("#id_head_name")).to_have_value("Mujinga Kasongo")  # nothing typed is lost
    expect(page.locator("#id_size")).to_have_value("5")
    assert not Household.objects.exists()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "sans-javascript-recherche.png"), full_page=True)
    assert_fits_phone(page)
    far = Place.objects.get(name="Village lointain 0123")
    page.select_option("select#id_place", value=str(far.uuid))
    page.locator("main form button[type=submit]:not([name=picker-search])").last.click()
    page.wait_for_load_state()
    household = Household.objects.get()
    assert household.place == far and household.head_name == "Mujinga Kasongo"
