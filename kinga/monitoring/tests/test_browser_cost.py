"""The cost per result page in a real browser at 360 px: from the plan's budget page to the table and its sentence."""

import pytest
from playwright.sync_api import expect

from kinga.core.testing import assert_fits_phone

from .test_cost import costs  # noqa: F401 (the fixture)

pytestmark = pytest.mark.browser


def test_coordinator_reads_the_cost_per_result_from_the_budget_page(page, login_as, province, costs):  # noqa: F811
    login_as(province.coordinator)
    page.goto("/plan/budget/")
    page.click("text=Ce que les dépenses ont produit : coût par résultat")
    expect(page.locator("h1")).to_have_text("Coût par résultat")
    page.select_option("#id_period", "2026Q3")
    page.click("button:has-text('Afficher')")
    expect(page.locator("#rattachement")).to_contain_text(
        "60 % des dépenses de l'axe 1 sont rattachées à un résultat."
    )
    assert_fits_phone(page)
