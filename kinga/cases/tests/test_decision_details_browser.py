"""At 360 px in a real browser: the supervisor's closure decision (the caseworker's proposal above the form, no
override box for a move) and the case file with the provider's report fit a phone."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from kinga.cases import services
from kinga.core.testing import SOURCE_ROOT, actor_of, assert_fits_phone, enrol_totp

from .conftest import TODAY, bring_to_follow_up, register

pytestmark = pytest.mark.browser
SHOTS = Path(SOURCE_ROOT) / "test-results" / "cases"  # test artefacts, not committed


def test_the_closure_decision_page_on_a_phone(page, login_as, team, today):
    case = register(team)
    bring_to_follow_up(team, case, TODAY)
    services.request_closure(
        actor=actor_of(team.worker),
        case=case,
        reason="moved_away",
        date=TODAY,
        note="Partie à Likasi",
        today=TODAY,
    )
    enrol_totp(team.supervisor.user)
    login_as(team.supervisor)
    page.goto(f"/cases/{case.uuid}/close/decide/")
    expect(page.locator("#closure-proposal")).to_contain_text("Partie à Likasi")
    expect(page.locator("textarea[name=override_reason]")).to_have_count(0)
    assert_fits_phone(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "decision-cloture-360.png"), full_page=True)
    page.check("input[name=decision][value=approve]")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("h1")).to_contain_text(case.number)
    assert_fits_phone(page)
