"""The main journey in a real browser (chromium, 360 px): a partner records motorcycles given to the mines police
and a school it restored, puts the school in service; the coalition follows the children's court advocacy with a
step and its outcome; the governance page shows them. Screenshots go to test-results/governance/."""

import datetime
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from kinga.core.testing import actor_of, assert_fits_phone
from kinga.governance import services

pytestmark = pytest.mark.browser
D = datetime.date
SHOTS = Path(__file__).resolve().parents[3] / "test-results" / "governance"


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _place(page, field, text, label):
    picker = page.locator(".picker", has=page.locator(f"select#{field}"))
    picker.locator(".picker-search").press_sequentially(text, delay=50)
    picker.locator(".picker-option", has_text=label).first.click()


def test_donation_infrastructure_and_the_childrens_court(page, login_as, world):
    w = world
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login_as(w.partner_manager)

    page.goto("/gouvernance/")
    expect(page.locator("h1")).to_contain_text("Gouvernance autour des sites miniers")
    page.click("text=Enregistrer une dotation")
    page.fill("#id_description", "Motos tout-terrain")
    page.select_option("#id_category", "vehicle")
    page.fill("#id_quantity", "4")
    page.select_option("#id_recipient", str(w.police.pk))
    page.fill("#id_recipient_unit", "Poste de Kasulo")
    _place(page, "id_place", "kolw", "Kolwezi")
    page.fill("#id_given_on", "2025-05-02")
    page.fill("#id_cost_usd", "12000")
    assert_fits_phone(page)
    _shot(page, "1-dotation")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".messages")).to_contain_text("Dotation enregistrée")
    expect(page.locator("main")).to_contain_text("Poste de Kasulo")

    page.goto("/gouvernance/infrastructures/nouvelle/")
    page.fill("#id_name", "École primaire de Kasulo")
    page.select_option("#id_kind", "school")
    page.select_option("#id_work", "restored")
    _place(page, "id_place", "kolw", "Kolwezi")
    page.select_option("#id_funded_by", str(w.partner.pk))
    page.fill("#id_cost_usd", "45000")
    page.fill("#id_works_started_on", "2025-02-01")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".messages")).to_contain_text("Infrastructure enregistrée")
    page.click("text=mettre en service")
    page.fill("#id_in_service_on", "2025-01-01")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".error").first).to_contain_text("avant le début des travaux")
    page.fill("#id_in_service_on", "2025-09-01")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("main")).to_contain_text("01/09/2025")
    assert_fits_phone(page)
    _shot(page, "2-infrastructures")

    page.context.clear_cookies()
    login_as(w.coalition_clerk)
    page.goto("/gouvernance/plaidoyers/nouveau/")
    page.fill("#id_title", "Tribunal pour enfants à Kolwezi")
    page.fill("#id_goal", "Installer une juridiction pour enfants")
    _place(page, "id_place", "kolw", "Kolwezi")
    page.fill("#id_started_on", "2025-01-10")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page).to_have_url(re.compile(r"/gouvernance/plaidoyers/[0-9a-f-]{36}/$"))
    page.click("text=Enregistrer une étape")
    page.fill("#id_date", "2025-02-03")
    page.select_option("#id_milestone", "letter")
    page.select_option("#id_target", "government")
    page.fill("#id_subject", "Mémorandum au Gouverneur")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("main")).to_contain_text("Lettre ou mémorandum")
    page.click("text=Enregistrer l'issue")
    page.select_option("#id_outcome", "achieved")
    page.fill("#id_outcome_on", "2025-07-01")
    page.fill("#id_outcome_note", "Juges pour enfants installés")
    page.get_by_role("button", name="Enregistrer").click()
    main = page.locator("main")
    expect(main).to_contain_text("Obtenu")
    expect(main).to_contain_text("Juges pour enfants installés")
    assert_fits_phone(page)
    _shot(page, "3-plaidoyer")

    page.goto("/gouvernance/implication/")
    expect(page.locator("main figure.chart svg")).to_be_visible()
    assert_fits_phone(page)
    _shot(page, "4-implication")
    assert not errors, errors


def test_the_coordinator_names_an_outside_donor_and_records_a_step_of_the_coalitions_track(
    page, login_as, world
):
    w = world
    track = services.start_track(
        actor=actor_of(w.coalition_clerk),
        title="Tribunal pour enfants à Kolwezi",
        goal="Installer une juridiction pour enfants",
        place=w.kolwezi,
        started_on=D(2025, 1, 10),
    )
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login_as(w.coordinator)
    page.goto("/gouvernance/dotations/nouvelle/")
    page.fill("#id_description", "Radios portatives")
    page.select_option("#id_category", "communication")
    page.fill("#id_quantity", "12")
    page.select_option("#id_recipient", str(w.police.pk))
    _place(page, "id_place", "kolw", "Kolwezi")
    page.fill("#id_given_on", "2025-05-02")
    page.fill("#id_cost_usd", "3600")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".error").first).to_contain_text("Dites qui l'a donné")
    page.fill("#id_donor_name", "Ambassade du Canada")
    assert_fits_phone(page)
    _shot(page, "5-dotation-donateur")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".messages")).to_contain_text("Dotation enregistrée")
    expect(page.locator("main")).to_contain_text("donné par Ambassade du Canada")
    assert_fits_phone(page)
    _shot(page, "6-dotations")

    page.goto(f"/gouvernance/plaidoyers/{track.uuid}/")
    page.click("text=Enregistrer une étape")
    page.fill("#id_date", "2025-03-04")
    page.select_option("#id_milestone", "meeting")
    page.select_option("#id_target", "justice")
    page.fill("#id_subject", "Rencontre au parquet")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("main")).to_contain_text("Rencontre au parquet")
    assert_fits_phone(page)
    _shot(page, "7-etape-coordination")
    assert not errors, errors
