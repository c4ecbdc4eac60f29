"""One journey per role in a real browser at 360 px, on the demo data (`kinga synth --scale demo` then `kinga
demo-accounts`, as after `make run`): from the login form (second factor included) to the role's main task. Each
step is saved as a screenshot under test-results/journeys/ (a test artefact, not committed); the French guide
uses copies of some of them (docs/guide/images/). The demo data is built once per test process and written back
before each journey (conftest.py: demo_database): a journey that closes a case does not change the next one's."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from kinga.cases.models import Case, CaseStatus
from kinga.cases.services import evaluate_exit_rule
from kinga.core.models import Membership
from kinga.core.testing import SOURCE_ROOT, TEST_PASSWORD, assert_fits_phone

pytestmark = pytest.mark.browser

SHOTS = Path(SOURCE_ROOT) / "test-results" / "journeys"


class Journey:
    """Walks pages as one account; each step checks the page fits the phone and saves its screenshot."""

    def __init__(self, page, slug: str):
        self.page, self.slug, self.steps = page, slug, 0
        SHOTS.mkdir(parents=True, exist_ok=True)

    def shot(self, name: str) -> None:
        assert_fits_phone(self.page)
        self.steps += 1
        self.page.screenshot(path=str(SHOTS / f"{self.slug}-{self.steps}-{name}.png"), full_page=True)

    def go(self, url: str, name: str, heading: str | re.Pattern) -> None:
        response = self.page.goto(url)
        assert response.status == 200, f"{url}: {response.status}"
        expect(self.page.locator("h1")).to_contain_text(heading)
        self.shot(name)


@pytest.fixture
def journey(demo_database, page, login_as):
    """Each journey starts from the demo data as built (conftest.py: demo_database), whatever the one before did."""

    def start(slug: str) -> Journey:
        member = demo_database(slug)
        member.user.set_password(TEST_PASSWORD)
        member.user.save(update_fields=["password"])
        login_as(member)
        walk = Journey(page, slug)
        expect(page.locator("h1")).to_contain_text("Bonjour")
        walk.shot("accueil")
        return walk

    return start


def test_caseworker_proposes_closing_a_case_that_meets_the_exit_rule(journey, page):
    walk = journey("travailleur")
    walk.go("/cases/", "dossiers", "cas")
    worker = Membership.objects.get(user__email="travailleur@demo.kinga.cd")
    case = next(
        c
        for c in Case.objects.filter(caseworker=worker.user, status=CaseStatus.UNDER_FOLLOW_UP).order_by("pk")
        if evaluate_exit_rule(c).met
    )
    walk.go(f"/cases/{case.uuid}/", "dossier", case.number)
    page.click("text=Proposer la clôture")
    expect(page.locator("main")).to_contain_text("Remplie")  # the exit rule, met, shown with the form
    page.select_option("#id_reason", "exit_achieved")
    walk.shot("cloture")
    page.locator("main form button[type=submit]").last.click()
    expect(page.locator(".messages")).to_contain_text("Clôture proposée au superviseur")
    walk.shot("cloture-proposee")
    case.refresh_from_db()
    assert case.status == CaseStatus.READY_TO_CLOSE


def test_supervisor_approves_a_proposed_closure(journey, page):
    walk = journey("superviseur")
    supervisor = Membership.objects.get(user__email="superviseur@demo.kinga.cd")
    case = (
        Case.objects.filter(supervisor=supervisor.user, status=CaseStatus.READY_TO_CLOSE)
        .order_by("pk")
        .first()
    )
    walk.go(f"/cases/{case.uuid}/", "dossier", case.number)
    walk.go(f"/cases/{case.uuid}/close/decide/", "decision", "clôture")
    page.check("input[name=decision][value=approve]")
    if not evaluate_exit_rule(case).met:
        page.fill("#id_override_reason", "Visites de suivi concordantes ; l'enfant est scolarisé.")
    page.locator("main form button[type=submit]").last.click()
    expect(page.locator(".messages")).to_contain_text("Décision enregistrée")
    walk.shot("decision-enregistree")
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED


def test_organisation_manager_opens_a_household_the_organisation_follows(journey, page):
    walk = journey("responsable")
    walk.go("/households/", "menages", "Ménages")
    page.locator("main table a[href^='/households/']").first.click()
    expect(page).to_have_url(re.compile(r"/households/[0-9a-f-]{36}/$"))
    walk.shot("menage")


def test_focal_point_opens_the_alert_form(journey, page):
    walk = journey("pointfocal")
    expect(page.locator("main")).to_contain_text("Les alertes de mon réseau")
    page.click("text=Signaler une alerte")
    expect(page.locator("main form")).to_be_visible()
    walk.shot("nouvelle-alerte")


def test_site_inspector_finds_a_site_on_the_map(journey, page):
    walk = journey("inspecteur")
    walk.go("/sites/carte/", "carte", "Carte des sites")
    expect(page.locator("#map-count")).to_contain_text("sites affichés")
    expect(page.locator(".town-label", has_text="Kolwezi")).to_be_attached()
    # the graticule's labels follow the view once it has settled on the sites
    expect(page.locator(".grid-label", has_text="25° E")).to_be_in_viewport()
    walk.shot("carte-chargee")
    walk.go("/sites/", "sites", "ites")


def test_data_clerk_opens_the_survey_import(journey, page):
    walk = journey("saisie")
    walk.go("/households/importer/", "import", "mport")
    expect(page.locator("main input[type=file]")).to_be_attached()


def test_funder_reads_the_dashboard(journey, page):
    walk = journey("bailleur")
    walk.go("/suivi/", "tableau-de-bord", re.compile(r"\w"))


def test_company_officer_reads_its_lots_and_due_diligence_report(journey, page):
    walk = journey("entreprise")
    walk.go("/supply/lots/", "lots", "Lots")
    walk.go("/supply/diligence/", "diligence", "diligence")
    expect(page.locator("main")).not_to_contain_text("obligatoire")


def test_coordinator_opens_the_due_diligence_report_and_the_plan(journey, page):
    walk = journey("coordinateur")
    walk.go("/supply/diligence/", "diligence", "diligence")
    expect(page.locator("main")).not_to_contain_text("obligatoire")
    walk.go("/plan/", "plan", re.compile(r"\w"))


def test_administrator_reviews_the_status_rules(journey, page):
    walk = journey("admin")
    walk.go("/sites/regles/", "regles", "statut")
    walk.go("/organisations/", "organisations", "rganisations")
