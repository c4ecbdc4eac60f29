"""The communication plan's journey in a real browser (chromium, 360 px): the implementer's manager files the
document on the activity's page; a coordinator finds it awaiting validation, validates it, and the plan's tree
shows the activity delivered. Screenshots go to test-results/deliverables/."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from kinga.core.actors import system_actor
from kinga.core.models import OrganisationType
from kinga.core.reference import load_organisations
from kinga.core.roles import Role
from kinga.core.testing import SOURCE_ROOT, assert_fits_phone, enrol_totp, make_member, make_organisation
from kinga.plan.models import Activity, Party, PartyRole
from kinga.plan.services.loading import load_plan
from kinga.plan.synth_deliverables import PDF

pytestmark = pytest.mark.browser
SHOTS = Path(SOURCE_ROOT) / "test-results" / "deliverables"


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_the_communication_plan_is_filed_validated_and_shown_delivered(
    page, login_as, reference_places, tmp_path, settings
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    load_organisations()
    load_plan(actor=system_actor())
    activity = Activity.objects.get(action__axis__number=1, action__number=4, position=1)
    ngo = make_organisation("ONG Communication", type=OrganisationType.NGO)
    Party.objects.create(role=PartyRole.IMPLEMENTER, activity=activity, organisation=ngo)
    manager = make_member(ngo, Role.ORG_MANAGER)
    coordinator = make_member(make_organisation("IDAK test", type=OrganisationType.IDAK), Role.COORDINATOR)
    for m in (manager, coordinator):
        enrol_totp(m.user)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    document = tmp_path / "plan-de-communication.pdf"
    document.write_bytes(PDF)

    login_as(manager)
    page.goto(f"/plan/activites/{activity.uuid}/")
    page.click("text=Déposer un livrable")
    page.select_option("#id_kind", "communication_plan")
    page.fill("#id_title", "Plan de communication 2026")
    page.set_input_files("#id_file", str(document))
    assert_fits_phone(page)
    _shot(page, "1-depot")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".messages")).to_contain_text("attend la validation")
    expect(page.locator("main")).to_contain_text("En attente de validation")

    page.context.clear_cookies()
    login_as(coordinator)
    page.goto("/plan/livrables/")
    page.click("text=Plan de communication 2026")
    page.check("input[name=validated][value='1']")
    assert_fits_phone(page)
    _shot(page, "2-validation")
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.locator(".messages")).to_contain_text("Décision enregistrée")
    page.goto("/plan/")
    expect(page.locator("main")).to_contain_text("1 document livré")
    _shot(page, "3-arbre")
    assert not errors, errors
