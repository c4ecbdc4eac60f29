"""The main journey in a real browser (chromium, 360 px): the fund's manager records a retrocession at 40 %, a
session of the commission and its decision to lend, the loan with its schedule and a repayment; the fund's page
then shows the balance, the chart and the decision with its vote. Screenshots go to test-results/fund/."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from kinga.core.testing import assert_fits_phone

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[3] / "test-results" / "fund"


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_a_receipt_a_decision_a_loan_and_its_repayment(page, login_as, fund_world):
    w = fund_world
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login_as(w.manager)

    page.goto("/fonds/")
    expect(page.locator("h1")).to_contain_text("Fonds d'appui à l'artisanat minier")
    page.click("a[href$='/recettes/']")
    page.select_option("#id_source", "retrocession")
    page.select_option("#id_account", str(w.bank.pk))
    page.fill("#id_received_on", "2025-03-05")
    page.fill("#id_payer", "Trésor public")
    page.fill("#id_reference", "RET-2025-03")
    page.fill("#id_surface_rights_usd", "250000")
    assert_fits_phone(page)
    _shot(page, "1-recette")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".messages")).to_contain_text("RET-2025-03")

    page.click("a[href$='/sessions/']")
    page.fill("#id_date", "2025-04-01")
    for member in w.members:
        page.check(f"input[name=members_present][value='{member.pk}']")
    page.fill("#id_minutes_text", "La commission examine la demande de la coopérative Umoja.")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("h1")).to_contain_text("Décision de la session du 01/04/2025")
    page.fill("#id_number", "D1")
    page.fill("#id_subject", "Prêt pour un concasseur")
    page.select_option("#id_kind", "loan")
    page.select_option("#id_cooperative", str(w.coop.pk))
    page.fill("#id_amount", "12000")
    page.fill("#id_votes_for", "4")
    page.fill("#id_votes_abstaining", "1")
    assert_fits_phone(page)
    _shot(page, "2-decision")
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.locator(".messages")).to_contain_text("adoptée")

    page.click("a[href$='/decaissements/']")
    page.select_option("#id_decision", index=1)
    page.select_option("#id_account", str(w.bank.pk))
    page.fill("#id_amount", "12000")
    page.fill("#id_purpose", "Achat d'un concasseur")
    page.fill("#id_disbursed_on", "2025-04-10")
    page.fill("#id_reference", "DEC-1")
    page.fill("#id_first_due_on", "2025-05-10")
    page.fill("#id_instalment_count", "4")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("h1")).to_contain_text("Décaissement DEC-1")
    page.select_option("#id_account", str(w.bank.pk))
    page.fill("#id_paid_on", "2025-05-10")
    page.fill("#id_amount", "3000")
    page.get_by_role("button", name="Enregistrer le remboursement").click()
    expect(page.locator(".messages")).to_contain_text("Remboursement enregistré")
    expect(page.locator("main")).to_contain_text("Reste dû")
    assert_fits_phone(page)
    _shot(page, "3-decaissement")

    page.click(f"text={w.fund.name}")
    main = page.locator("main")
    expect(main).to_contain_text("Solde")
    expect(main).to_contain_text("Adoptée")
    expect(main).to_contain_text("4 pour, 0 contre, 1 abstention")
    expect(main.locator("figure.chart svg")).to_be_visible()
    assert_fits_phone(page)
    _shot(page, "4-fonds")
    assert not errors, errors
