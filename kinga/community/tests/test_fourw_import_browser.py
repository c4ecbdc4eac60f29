"""The 4W import in a real browser at 360 px: a data clerk sends a file, lands on the import's own page, which
shows its progress while the task waits for a worker and turns into the result by itself once the worker has run
it (htmx polling); reloading the result imports nothing again."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from kinga.community import services
from kinga.community.models import FourW, FourWImport
from kinga.core.roles import Role
from kinga.core.testing import (
    SOURCE_ROOT,
    assert_fits_phone,
    enrol_totp,
    make_member,
    make_organisation,
)

from .test_fourw_import import GOOD, csv_of, rows_of

pytestmark = pytest.mark.browser

SHOTS = Path(SOURCE_ROOT) / "test-results" / "community"  # test artefacts, not committed
BAD = ["ONG Inconnue", "Gestion de cas", "CD7201", "", "2026-03-01", "", "", "", ""]


@pytest.fixture
def clerk(kolwezi):
    make_organisation("UNICEF RDC", type="un_agency")
    member = make_member(make_organisation("ONG Mwana Lualaba"), Role.DATA_CLERK)
    enrol_totp(member.user)
    return member


def test_a_data_clerk_imports_a_4w_file_and_watches_it_run(page, login_as, clerk, settings, tmp_path):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}
    }  # a worker not there yet
    upload = tmp_path / "4w-avril.csv"
    upload.write_bytes(csv_of(rows_of(*GOOD, BAD), delimiter=";", encoding="cp1252"))
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    SHOTS.mkdir(parents=True, exist_ok=True)
    login_as(clerk)

    page.goto("/community/4w/")
    page.locator("main a", has_text="Importer").first.click()
    expect(page.locator("h1")).to_have_text("Importer un fichier 4W")
    page.set_input_files("#id_file", str(upload))
    page.check("#id_accept_rejections")
    assert_fits_phone(page)
    page.screenshot(path=str(SHOTS / "import-4w-formulaire.png"), full_page=True)
    page.click("main button[type=submit]")

    expect(page).to_have_url(re.compile(r"/community/4w/importer/[0-9a-f-]{36}/$"))
    status = page.locator("#import-status")
    expect(status).to_contain_text("En attente")
    expect(status.locator("progress")).to_be_visible()
    expect(status.get_by_role("link", name="Rafraîchir")).to_be_visible()
    assert_fits_phone(page)
    page.screenshot(path=str(SHOTS / "import-4w-avancement.png"), full_page=True)

    services.run_fourw_import(batch_id=FourWImport.objects.get().pk)  # the worker takes it
    expect(status).to_contain_text("Fait.", timeout=15_000)  # htmx asked again, then reloaded the page
    main = page.locator("main")
    expect(main).to_contain_text("2 fiches 4W créées")
    expect(main).to_contain_text("Organisation « ONG Inconnue » inconnue")  # the rejected row's reason
    expect(main.locator("progress")).to_have_count(0)
    assert_fits_phone(page)
    page.screenshot(path=str(SHOTS / "import-4w-resultat.png"), full_page=True)

    page.reload()  # a refresh shows the result again, it does not send the file again
    expect(status).to_contain_text("Fait.")
    assert FourWImport.objects.count() == 1 and FourW.objects.count() == 2
    assert not errors, errors
