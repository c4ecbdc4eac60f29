"""Journeys in a real browser (chromium, 360 px). An implementing organisation: the plan tree in French with its
three axes, one of its activities, a progress report; the budget shows the reconciliation gap of axis 1.
A coordinator: a target by date added to an indicator, a bad one refused first."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from kinga.core.models import Organisation
from kinga.core.roles import Role
from kinga.core.testing import assert_fits_phone, enrol_totp, make_member, make_organisation
from kinga.plan.models import Activity, IndicatorTarget
from kinga.plan.tests.conftest import hand_entered

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
    assert_fits_phone(page)
    assert not errors, errors


def test_coordinator_adds_a_target_by_date_to_an_indicator(page, login_as, plan):
    coordinator = make_member(make_organisation("IDAK navigateur"), Role.COORDINATOR)
    indicator = hand_entered(plan)
    login_as(coordinator)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto("/plan/indicateurs/")
    page.click(f"a[href^='/plan/indicateurs/{indicator.uuid}/']")
    expect(page.locator("h1")).to_contain_text("infrastructures sociales")
    expect(page.locator("#period-targets")).to_contain_text("Aucune cible par échéance")

    form = page.locator("#add-target")
    form.locator("#id_period_end").fill("2019-12-31")
    form.locator("#id_value").fill("-3")
    form.locator("#id_reason").fill("Revue à mi-parcours")
    form.locator("button[type=submit]").click()
    expect(page.locator("#add-target .error")).to_contain_text("Saisissez un nombre entier (0 ou plus)")

    page.locator("#add-target #id_value").fill("12")
    page.locator("#add-target button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("Cible ajoutée")
    expect(page.locator("#period-targets")).to_contain_text("31/12/2019")
    target = IndicatorTarget.objects.get(indicator=indicator)
    assert (target.period_end, target.value) == (datetime.date(2019, 12, 31), 12)
    assert_fits_phone(page)

    page.goto("/plan/revisions/")
    expect(page.locator("main")).to_contain_text("Revue à mi-parcours")
    assert not errors, errors


def test_a_funder_reads_an_indicator_by_quarter_and_territory_at_360_px(page, login_as, plan):
    funder = make_member(make_organisation("Bailleur navigateur"), Role.VIEWER)
    login_as(funder)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto("/plan/indicateurs/")
    page.select_option("#id_territoire", "CD7201")
    page.locator("#period-chooser button").click()
    expect(page.locator("main")).to_contain_text("Territoire : Kolwezi")
    expect(page.locator("#indicator-table")).to_contain_text("calculé à partir des fiches de formation")
    assert_fits_phone(page)
    page.click("text=Nombre des prestataires remis à niveau et formés")
    expect(page.locator("h1")).to_contain_text("prestataires remis à niveau")
    expect(page.locator("#trend svg")).to_be_visible()
    expect(page.locator("#trend table")).to_contain_text("Réalisé")
    expect(page.locator("main")).to_contain_text("Par sexe")
    assert not re.search(r"\b[A-Z]+_[A-Z_]+\b", page.content())
    assert_fits_phone(page)
    page.goto("/plan/niveaux/")
    expect(page.locator("main")).to_contain_text("Rétention des enfants")
    assert_fits_phone(page)
    assert not errors, errors


def test_the_timeline_is_a_list_of_activities_with_their_bars_on_a_phone(page, login_as, plan):
    login_as(make_member(make_organisation("IDAK calendrier"), Role.COORDINATOR))
    page.goto("/plan/axe/1/calendrier/")
    expect(page.locator(".gantt-wide")).to_be_hidden()
    items = page.locator(".gantt-list li")
    expect(items.first.locator("svg.gantt-bar")).to_be_visible()
    expect(items.first.locator(".gantt-label")).to_contain_text("1.1 Enquête")
    assert items.count() == Activity.objects.filter(action__axis__number=1).count()
    assert_fits_phone(page)
