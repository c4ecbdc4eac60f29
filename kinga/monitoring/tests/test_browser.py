"""The coordinator's journey in a real browser (chromium, 360 px): from the home page to the province dashboard,
then one territory and one quarter; every section fits the phone, charts included. A funder's report of one
territory, and the administrator's deletion of old reports, on the same phone."""

import datetime
import os

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kinga.core.testing import assert_fits_phone
from kinga.monitoring.models import Report, ReportStatus

pytestmark = pytest.mark.browser


def test_coordinator_opens_the_dashboard_for_a_territory_and_a_quarter(page, login_as, province, plan):
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login_as(province.coordinator)
    page.goto("/")
    page.click("text=Ouvrir le tableau de bord de la province")
    expect(page.locator("h1")).to_have_text("Tableau de bord de la province")
    assert_fits_phone(page)

    page.select_option("#id_period", "2026Q3")
    page.select_option("#id_territory", label="Kolwezi")
    page.click("button:has-text('Afficher')")
    expect(page.locator(".lead")).to_contain_text("Kolwezi")
    expect(page.locator('[data-figure="children_identified"]')).to_have_text("4")
    expect(page.locator('[data-figure="alerts_in_time_percent"]')).to_have_text("50 %")
    assert page.locator("figure.chart svg").count() >= 4  # children, their trend, sites by quarter, budget
    expect(page.locator("#indicateurs ~ table")).to_contain_text("sans cible")
    for svg in page.locator("figure.chart svg").all():  # each chart is drawn within the phone's width
        assert svg.bounding_box()["width"] <= 360
    assert_fits_phone(page)
    if os.environ.get("KINGA_GUIDE_SCREENSHOTS"):  # docs/guide/img: the guide's picture of the page
        page.screenshot(
            path=os.path.join(os.environ["KINGA_GUIDE_SCREENSHOTS"], "tableau-de-bord.png"),
            full_page=True,
            clip={"x": 0, "y": 0, "width": 360, "height": 1400},
        )

    page.click("text=Voir ces sites sur la carte")
    expect(page).to_have_url(f"{page.url.split('/sites/')[0]}/sites/carte/?territory={province.kolwezi.uuid}")
    assert errors == []


def test_a_funder_requests_a_report_and_downloads_it_on_a_phone(page, login_as, province, plan):
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login_as(province.viewer)
    page.goto("/suivi/rapports/")
    expect(page.locator("h1")).to_have_text("Rapports du plan")
    assert_fits_phone(page)
    page.click("text=Demander un rapport")
    page.select_option("#id_period", "2026Q3")
    page.select_option("#id_fmt", "xlsx")
    page.select_option("#id_territory", label="Kolwezi")
    assert_fits_phone(page)
    page.click("button:has-text('Demander le rapport')")
    expect(page.locator("[data-status]").first).to_have_text(
        "prêt"
    )  # the immediate backend builds it at once
    assert_fits_phone(page)
    with page.expect_download() as download:
        page.click("text=Télécharger")
    assert download.value.suggested_filename == "kinga-rapport-2026Q3-CD7201-fr.xlsx"
    expect(page.locator("[data-territory]").first).to_have_text("Kolwezi")
    assert errors == []


def test_the_administrator_deletes_old_reports_on_a_phone(page, login_as, province):
    for days_ago in (400, 300):  # two of the same period: the older is deleted, the newest kept
        report = Report.objects.create(
            kind="annual",
            period="2025",
            language="fr",
            format="pdf",
            status=ReportStatus.DONE,
            content=b"%PDF",
            finished_at=timezone.now(),
        )
        Report.objects.filter(pk=report.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=days_ago)
        )
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login_as(province.admin)
    page.goto("/suivi/rapports/")
    page.click("text=Supprimer les anciens rapports")
    expect(page.locator("h1")).to_have_text("Supprimer les anciens rapports")
    assert_fits_phone(page)
    page.fill("#id_older_than", "180")
    page.click("button:has-text('Supprimer')")
    expect(page.locator("body")).to_contain_text("1 rapport supprimé.")
    expect(page.locator("[data-report]")).to_have_count(1)
    assert_fits_phone(page)
    assert errors == []
