"""At 360 px in a real browser: an urgent alert's page lists the children as « fille / garçon » by age band,
without a time nobody gave, and fits a phone; the triage list shows it first."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from kinga.community import services
from kinga.community.models import Channel
from kinga.core.access import ANONYMOUS
from kinga.core.testing import SOURCE_ROOT, assert_fits_phone

pytestmark = pytest.mark.browser
SHOTS = Path(SOURCE_ROOT) / "test-results" / "community"  # test artefacts, not committed


def test_an_urgent_alert_on_a_phone(transactional_db, page, login_as, site, network, caseworker):
    payload = {"site": site.code, "girls_5_11": 1, "boys_12_14": 2, "boys_5_11": 1, "urgency": "urgent"}
    alert, _created = services.receive_alert(
        actor=ANONYMOUS, channel=Channel.PUBLIC_WEB, payload={**payload, "observed_at": "2026-03-01"}
    )
    login_as(caseworker)
    page.goto("/community/alertes/")
    expect(page.locator("main")).to_contain_text(alert.reference)
    assert_fits_phone(page)
    page.goto(f"/community/alertes/{alert.uuid}/")
    children = page.locator(".alert-children li")
    expect(children).to_have_text(["1 fille, 5–11 ans", "1 garçon, 5–11 ans", "2 garçons, 12–14 ans"])
    expect(page.locator("main")).to_contain_text("01/03/2026")
    expect(page.locator("main")).not_to_contain_text("01/03/2026 00:00")
    expect(page.locator("main")).not_to_contain_text("01/03/2026 12:00")
    assert_fits_phone(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "alerte-urgente-360.png"), full_page=True)
