"""The caseworker's main journey in a real browser (chromium, 360 px phone): register a child found at a
site, assess, plan, submit; the supervisor approves; a follow-up visit; the caseload shows the case."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from kinga.cases.models import Case
from kinga.core import clock
from kinga.core.roles import Role
from kinga.core.testing import assert_fits_phone, enrol_totp, make_member, make_organisation
from kinga.sites.models import Site

pytestmark = pytest.mark.browser


def test_caseworker_registers_assesses_plans_and_the_supervisor_approves(page, login_as, kolwezi):
    site = Site.objects.create(code="codmine09999", name="Kasulo", place=kolwezi)
    org = make_organisation("ONG Mwana Lualaba")
    supervisor = make_member(org, Role.SUPERVISOR)
    worker = make_member(org, Role.CASEWORKER, supervisor=supervisor)
    enrol_totp(worker.user)
    enrol_totp(supervisor.user)
    today = clock.today()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    login_as(worker)
    page.goto("/cases/register/")
    assert_fits_phone(page)
    page.fill("#id_given_name", "Trésor")
    page.fill("#id_family_name", "Ilunga")
    page.select_option("#id_sex", "M")
    page.fill("#id_estimated_age", "13")
    page.fill("#id_caregiver_name", "Mama Ngalula")
    page.select_option("#id_identification_method", "site_inspection")
    page.fill("#id_identification_date", today.isoformat())
    page.select_option("#id_identification_site", str(site.pk))
    page.check("input[name=work_activities][value=digging]")
    page.click("button:has-text('Enregistrer')")
    expect(page.locator(".messages")).to_contain_text("LUA-KZI-")
    case = Case.objects.get()
    expect(page).to_have_url(re.compile(rf"/cases/{case.uuid}/$"))
    expect(page.locator("h1")).to_contain_text(case.number)
    assert_fits_phone(page)

    page.click("text=Évaluer")
    for domain, score in (
        ("safety", 3),
        ("health", 2),
        ("education", 3),
        ("family_care", 2),
        ("household_economy", 2),
        ("psychosocial", 1),
    ):
        page.check(f"input[name={domain}][value='{score}']")
    page.click("button:has-text('Enregistrer')")
    expect(page.locator("h1")).to_contain_text("Élevé")

    page.click("a:has-text('Plan de prise en charge')")
    page.fill("#id_need", "Retour à l'école")
    page.fill("#id_goal", "Inscrit au CRS")
    page.fill("#id_planned_support", "Kit scolaire")
    page.select_option("#id_responsible_organisation", str(org.pk))
    page.fill("#id_due_date", (today + datetime.timedelta(days=30)).isoformat())
    page.click("button:has-text('Ajouter')")
    expect(page.locator("table.list")).to_contain_text("Kit scolaire")
    assert_fits_phone(page)
    page.click("text=Soumettre le plan de prise en charge au superviseur")
    expect(page.locator("h1")).to_contain_text("attente d’approbation")

    page.context.clear_cookies()
    login_as(supervisor)
    page.goto("/cases/team/")
    assert_fits_phone(page)
    page.click(f"a:has-text('{case.number}')")
    page.check("input[name=decision][value=approve]")
    page.click("button:has-text('Enregistrer')")
    expect(page.locator("h1")).to_contain_text("en cours")

    page.click("a:has-text('Visite de suivi')")  # the step's link, not the next task named above it
    page.fill("#id_visit_date", today.isoformat())
    page.check("input[name=child_seen][value='1']")
    page.select_option("#id_in_school_or_training", "1")
    page.select_option("#id_attending", "1")
    page.click("button:has-text('Enregistrer')")
    expect(page.locator(".timeline")).to_contain_text("Visite de suivi : enfant vu")

    page.goto("/cases/")
    page.fill("#q", "ilounga")  # phonetic variant of a whole name token; the search is posted
    page.click("form.search button[type=submit]")
    expect(page.locator("#case-rows")).to_contain_text(case.number)
    assert "ilounga" not in page.url
    page.fill("#q", "ilu")  # never a piece of a word
    page.click("form.search button[type=submit]")
    expect(page.locator("#case-rows")).not_to_contain_text(case.number)
    assert_fits_phone(page)
    assert not errors, errors
