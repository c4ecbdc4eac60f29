"""The due-diligence report: who may read it, for which buyer, in which language and format."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from kinga.core import clock
from kinga.core.roles import Role
from kinga.core.testing import client_for, make_member, make_organisation
from kinga.supply import exports, services, views_report
from kinga.supply.report import due_diligence

pytestmark = pytest.mark.django_db
TODAY = clock.today()


def test_anonymous_and_roles_without_the_permission(world):
    lot = world.lot()
    page = Client().get("/supply/diligence/")
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]
    api = Client().get("/api/v1/supply/due-diligence/")
    assert api.status_code in (401, 403) and set(api.json()) == {"detail"}
    for role in (Role.CASEWORKER, Role.SITE_INSPECTOR, Role.DATA_CLERK, Role.VIEWER):
        client = client_for(make_member(make_organisation(), role))
        page = client.get("/supply/diligence/")
        assert page.status_code == 403, role
        # No lot, no site of the report reaches a refused reader.
        assert lot.reference not in page.content.decode() and "Kasulo" not in page.content.decode(), role
        api = client.get("/api/v1/supply/due-diligence/")
        assert api.status_code == 403, role
        assert set(api.json()) == {"detail"}, role


def test_a_company_sees_only_its_own_supply(world):
    mine = world.lot()
    theirs = world.lot(buyer=world.other_buyer)
    client = client_for(world.officer)
    body = client.get("/supply/diligence/").content.decode()
    assert mine.reference in body  # bought without authorisation: flagged
    assert theirs.reference not in body
    assert world.other_buyer.name not in body
    assert client.get("/supply/diligence/", {"buyer": str(world.other_buyer.uuid)}).status_code == 404
    assert (
        client.get("/api/v1/supply/due-diligence/", {"buyer": str(world.other_buyer.uuid)}).status_code == 404
    )
    api = client.get("/api/v1/supply/due-diligence/", {"start": TODAY.isoformat(), "end": TODAY.isoformat()})
    assert api.status_code == 200
    data = api.json()
    assert data["totals"]["lots"] == 1 and data["flagged_lots"][0]["reference"] == mine.reference
    assert data["flagged_lots"][0]["flag"] == "not_authorised"


def test_a_coordinator_opening_the_report_sees_the_latest_buyer_not_a_form_in_error(world):
    world.lot(buyer=world.other_buyer, date=TODAY - datetime.timedelta(days=2))
    world.lot(date=TODAY - datetime.timedelta(days=3))
    world.lot(buyer=world.other_buyer, date=TODAY - datetime.timedelta(days=1))
    response = client_for(world.coordinator).get("/supply/diligence/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "obligatoire" not in body
    assert response.context["report"].buyer == world.other_buyer
    assert response.context["form"]["buyer"].value() == world.other_buyer.pk


def test_coordinators_choose_the_buyer(world):
    world.lot(buyer=world.other_buyer)
    client = client_for(world.coordinator)
    response = client.get(
        "/supply/diligence/",
        {"buyer": str(world.other_buyer.uuid), "start": TODAY.isoformat(), "end": TODAY.isoformat()},
    )
    assert response.status_code == 200 and "Kasulo" in response.content.decode()
    bad = client.get(
        "/supply/diligence/", {"buyer": str(world.buyer.uuid), "start": "2026-05-01", "end": "2026-01-01"}
    )
    assert bad.status_code == 400 and "La fin de la période précède son début." in bad.content.decode()
    api = client.get("/api/v1/supply/due-diligence/", {"start": "2026-01-01", "end": "2026-02-01"})
    assert api.status_code == 400 and "buyer" in api.json()


def test_the_report_in_english(world):
    world.lot()
    client = client_for(world.officer)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get("/supply/diligence/").content.decode()
    assert "Due-diligence report" in body and "Lot bought without an evacuation authorisation" in body
    pdf = client.get("/supply/diligence/", {"format": "pdf"})
    assert pdf.content.startswith(b"%PDF")


def test_lots_from_red_sites_and_pending_lots_are_flagged_separately(world, site_statuses):
    world.give_documents()
    site_statuses(world.site, "red")
    refused = world.lot()
    services.decide_evacuation(actor=world.actor(world.inspector), lot=refused)
    with translation.override("fr"):
        report = due_diligence(world.actor(world.coordinator), buyer=world.buyer, start=TODAY, end=TODAY)
    [row] = report.sites
    assert row.by_snapshot == {"red": 1} and row.red_at_time == 1 and row.not_authorised == 1
    assert row.children_observed == 2
    # one lot, flagged once per reason
    assert {f.flag for f in report.flagged_lots} == {"red_at_time"}


def test_the_pdf_lists_the_flagged_lots_and_the_page_shows_the_first_ones(world, monkeypatch):
    """The printed report carries every flagged lot (it said « Aucun lot signalé » before: the list was not given
    to it); the page shows the first ones and says how many there are in all."""
    lots = [world.lot() for _ in range(3)]  # bought without an evacuation authorisation: flagged
    printed = {}

    class Capture:
        def __init__(self, string):
            printed["html"] = string

        def write_pdf(self):
            return b"%PDF-1.7 captured"

    monkeypatch.setattr(exports, "HTML", Capture)
    client = client_for(world.coordinator)
    params = {"buyer": str(world.buyer.uuid), "start": TODAY.isoformat(), "end": TODAY.isoformat()}
    assert client.get("/supply/diligence/", {**params, "format": "pdf"}).content.startswith(b"%PDF")
    assert all(lot.reference in printed["html"] for lot in lots)
    assert "Aucun lot signalé" not in printed["html"]

    monkeypatch.setattr(views_report, "PAGE_ROWS", 2)
    page = client.get("/supply/diligence/", params).content.decode()
    assert sum(lot.reference in page for lot in lots) == 2
    assert "2 affichés sur 3" in page


def test_the_figures_are_read_again_only_after_a_write_of_what_they_count(
    transactional_db, world, site_statuses
):
    """A buyer's year is thousands of lots and of cases at its sites: the figures are kept between two writes of
    the records they count (transactional: the memo is used once a write has committed), and the page says when
    they were computed."""
    world.lot()
    coordinator = world.actor(world.coordinator)
    first = due_diligence(coordinator, buyer=world.buyer, start=TODAY, end=TODAY)
    with CaptureQueriesContext(connection) as again:
        second = due_diligence(coordinator, buyer=world.buyer, start=TODAY, end=TODAY)
    assert not any('"supply_lot"' in q["sql"] for q in again.captured_queries)
    assert second.totals == first.totals and second.generated_at == first.generated_at

    world.lot()  # a new lot: the figures are counted again
    assert due_diligence(coordinator, buyer=world.buyer, start=TODAY, end=TODAY).totals["lots"] == 2
    site_statuses(world.site, "red")  # an inspection: the site's children and status change the figures
    assert (
        due_diligence(coordinator, buyer=world.buyer, start=TODAY, end=TODAY).totals["children_observed"] == 2
    )

    # Another reader whose lots differ (the buyer itself) has figures of its own.
    officer = world.actor(make_member(world.buyer, Role.COMPANY_OFFICER))
    assert due_diligence(officer, buyer=world.buyer, start=TODAY, end=TODAY).totals["lots"] == 2
    page = client_for(world.coordinator).get("/supply/diligence/", {"buyer": str(world.buyer.uuid)})
    assert "Chiffres calculés le" in page.content.decode()
