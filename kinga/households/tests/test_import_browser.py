"""The survey import in a real browser at 360 px: a data clerk sends a file, lands on the import's own page with
its result (the task ran) and the quarantined row with its reason; reloading that page imports nothing again.
The household dashboard's charts keep their labels inside the drawing at phone width."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from kinga.core.roles import Role
from kinga.core.testing import SOURCE_ROOT, assert_fits_phone, enrol_totp, make_member, make_organisation
from kinga.households.models import Household, ImportBatch
from kinga.households.tests.factories import make_round
from kinga.households.tests.test_imports import BAD, GOOD, csv_bytes

pytestmark = pytest.mark.browser

SHOTS = Path(SOURCE_ROOT) / "test-results" / "households"  # test artefacts, not committed


def test_a_data_clerk_imports_a_round_and_reloads_its_result_page(page, login_as, kolwezi, tmp_path):
    make_round(1)
    member = make_member(make_organisation("ONG Tujenge"), Role.DATA_CLERK)
    enrol_totp(member.user)
    login_as(member)
    upload = tmp_path / "passage.csv"
    upload.write_bytes(csv_bytes([*GOOD, BAD[0]]))
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto("/households/importer/")
    page.select_option("#id_round", index=1)
    page.set_input_files("#id_file", str(upload))
    page.uncheck("#id_dry_run")
    page.check("#id_accept_rejections")
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(r"/households/importer/[0-9a-f-]{36}/$"))
    expect(page.locator("#import-status")).to_contain_text("Fait.")
    expect(page.locator("main")).to_contain_text("300 n'est pas possible")  # the quarantined row's reason
    assert_fits_phone(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "import-resultat.png"), full_page=True)

    page.reload()  # a refresh shows the result again, it does not send the file again
    expect(page.locator("#import-status")).to_contain_text("Fait.")
    assert ImportBatch.objects.count() == 1 and Household.objects.count() == 2
    assert not errors, errors
