"""Tables on a phone, in a real browser at 360 px: rows that htmx swaps in keep their columns' labels. Every page of
every role (tables included) is checked at 360 px for sideways scrolling and stacked cells without a label by the
accessibility crawl (test_accessibility_browser: one rendering of each page serves both)."""

import pytest

from kinga.core.roles import Role
from kinga.core.testing import (
    assert_fits_phone,
    make_member,
    make_organisation,
)
from kinga.core.tests.table_cells import UNLABELLED_STACKED_CELLS

pytestmark = pytest.mark.browser


def test_rows_a_search_swaps_in_keep_their_column_labels(page, login_as, kolwezi):
    login_as(make_member(make_organisation(), Role.CASEWORKER))
    page.goto("/lieux/")
    page.fill("#q", "Kolwezi")
    # htmx replaces the rows (the provinces go); the new cells get their labels once htmx has settled them
    page.wait_for_function("() => document.querySelectorAll('#place-rows tr').length === 1")
    page.wait_for_function("() => document.querySelector('#place-rows td').hasAttribute('data-label')")
    assert page.locator("#place-rows td").first.get_attribute("data-label") == "Nom"
    assert page.locator("#place-rows td").first.inner_text() == "Kolwezi"
    assert page.evaluate(UNLABELLED_STACKED_CELLS) == []
    assert_fits_phone(page)
