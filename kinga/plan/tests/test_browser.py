"""An implementing organisation's journey in a real browser (chromium, 360 px): the plan tree in French with its
three axes, one of its activities, a progress report; the budget shows the reconciliation gap of axis 1."""

import re

import pytest
from playwright.sync_api import expect

from kinga.core.models import Organisation
from kinga.core.roles import Role
from kinga.core.testing import enrol_totp, make_member
from kinga.plan.models import Activity

pytestmark = pytest.mark.browser


def test_org_manager_reports_progress_and_reads_the_budget(page, login_as, plan):
    member = make_member(Organisation.objects.get(acronym="INPP"), Role.ORG_MANAGER)
    enrol_totp(member.user)
    login_as(member)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto("/plan/")
    expect(page.locator("h2").first).to_contain_text("Axe 1")
    expect(page.locator("main")).to_contain_text("Du devoir de diligence et de la professionnalisation")
    expect(page.locator("main")).to_contain_text("Hypothèse")

    page.goto("/plan/responsabilites/")
    page.click("text=Renforcement des capacités")
    expect(page).to_have_url(re.compile(r"/plan/activites/"))
    page.fill("#id_percent_done", "40")
    page.select_option("#id_status", "ongoing")
    page.fill("#id_comment", "Première session de formation tenue à Kolwezi")
    page.click("main form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("Avancement enregistré")
    expect(page.locator("main")).to_contain_text("Première session de formation")
    activity = Activity.objects.get(action__axis__number=1, action__number=2, position=1)
    assert activity.percent_done == 40

    page.goto("/plan/budget/")
    expect(page.locator("main")).to_contain_text("Rapprochement")
    expect(page.locator("main")).to_contain_text("1.500.00$US")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"budget page scrolls sideways by {overflow} px"
    assert not errors, errors
