"""Every screen: anonymous → login, other organisation → 404, role without the permission → 403, and the journey."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from kinga.core import clock
from kinga.core.models import AuditEvent
from kinga.core.roles import Role
from kinga.core.testing import client_for, make_member, make_organisation
from kinga.sites.models import Site
from kinga.supply import services
from kinga.supply.models import CooperativeDocument, DocumentType, EvacuationAuthorisation, Lot, LotStatus

pytestmark = pytest.mark.django_db


def _urls(world, lot, authorisation=None):
    pages = [
        "/supply/",
        "/supply/lots/",
        "/supply/lots/nouveau/",
        f"/supply/lots/{lot.uuid}/",
        "/supply/cooperatives/",
        f"/supply/cooperatives/{world.coop.uuid}/",
        f"/supply/cooperatives/{world.coop.uuid}/documents/",
        f"/supply/cooperatives/{world.coop.uuid}/membres/",
        "/supply/production/",
        "/supply/production/saisir/",
        "/supply/documents-requis/",
        "/supply/documents-requis/ajouter/",
        f"/supply/documents-requis/{DocumentType.objects.first().uuid}/",
    ]
    return pages


def test_anonymous_users_are_sent_to_login(world):
    lot = world.lot()
    for url in _urls(world, lot):
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    decide = Client().post(f"/supply/lots/{lot.uuid}/decider/")
    assert decide.status_code == 302 and "/accounts/login/" in decide["Location"]
    assert not EvacuationAuthorisation.objects.filter(lot=lot).exists()


RECORDING = ("nouveau/", "/documents/", "/membres/", "saisir/")
CONFIGURING = ("documents-requis",)


def test_every_page_opens_for_the_roles_that_use_it(world):
    lot = world.lot()
    coordinator, inspector = client_for(world.coordinator), client_for(world.inspector)

    def opens(client, url):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert '<html lang="fr">' in html, url
        if url == f"/supply/lots/{lot.uuid}/":
            assert lot.reference in html and "Kasulo" in html
        return html

    def refused(client, url):
        response = client.get(url)
        assert response.status_code == 403, url
        assert lot.reference not in response.content.decode(), url

    for url in _urls(world, lot):
        if any(part in url for part in RECORDING):
            opens(inspector, url)
            refused(coordinator, url)
        elif any(part in url for part in CONFIGURING):
            opens(coordinator, url)
            refused(inspector, url)
        else:
            opens(coordinator, url)
            opens(inspector, url)
    assert lot.reference in opens(coordinator, "/supply/lots/")


@pytest.mark.parametrize(
    "url,role",
    [
        ("/supply/", Role.CASEWORKER),
        ("/supply/lots/", Role.FOCAL_POINT),
        ("/supply/lots/nouveau/", Role.COMPANY_OFFICER),
        ("/supply/cooperatives/", Role.VIEWER),
        ("/supply/production/saisir/", Role.COORDINATOR),
        ("/supply/documents-requis/", Role.SITE_INSPECTOR),
        ("/supply/documents-requis/ajouter/", Role.DATA_CLERK),
    ],
)
def test_roles_without_the_permission_get_403(world, url, role):
    lot = world.lot()
    response = client_for(make_member(make_organisation(), role)).get(url)
    assert response.status_code == 403
    # Refused before anything is read or offered: no lot, no form field.
    body = response.content.decode()
    assert lot.reference not in body and 'name="weight_kg"' not in body and 'name="code"' not in body


def test_company_officers_see_only_their_own_lots(world):
    mine = world.lot()
    theirs = world.lot(buyer=world.other_buyer)
    client = client_for(world.officer)
    body = client.get("/supply/lots/").content.decode()
    assert mine.reference in body and theirs.reference not in body
    assert client.get(f"/supply/lots/{mine.uuid}/").status_code == 200
    assert client.get(f"/supply/lots/{theirs.uuid}/").status_code == 404


def test_cooperatives_see_only_their_own_records(world):
    mine = world.lot()
    theirs = world.lot(coop=world.other_coop)
    client = client_for(world.coop_manager)
    own_lot = client.get(f"/supply/lots/{mine.uuid}/")
    assert own_lot.status_code == 200 and mine.reference in own_lot.content.decode()
    other_lot = client.get(f"/supply/lots/{theirs.uuid}/")
    assert other_lot.status_code == 404 and theirs.reference not in other_lot.content.decode()
    own_coop = client.get(f"/supply/cooperatives/{world.coop.uuid}/")
    assert own_coop.status_code == 200 and escape(world.coop.name) in own_coop.content.decode()
    other_coop = client.get(f"/supply/cooperatives/{world.other_coop.uuid}/")
    assert other_coop.status_code == 404 and world.other_coop.name not in other_coop.content.decode()
    documents = CooperativeDocument.objects.count()
    assert client.post(f"/supply/cooperatives/{world.other_coop.uuid}/documents/", {}).status_code == 404
    assert CooperativeDocument.objects.count() == documents
    assert theirs.reference not in client.get("/supply/lots/").content.decode()


def test_only_inspectors_can_decide_and_other_orgs_get_404(world, site_statuses):
    lot = world.lot()
    assert client_for(world.coop_manager).post(f"/supply/lots/{lot.uuid}/decider/").status_code == 403
    assert client_for(world.officer).post(f"/supply/lots/{lot.uuid}/decider/").status_code == 403
    # Refused: no decision was taken, the lot may not leave.
    assert not EvacuationAuthorisation.objects.filter(lot=lot).exists()
    lot.refresh_from_db()
    assert not lot.can_leave_site
    other_coop_member = make_member(world.other_coop, Role.ORG_MANAGER)
    hidden = client_for(other_coop_member).get(f"/supply/lots/{lot.uuid}/")
    assert hidden.status_code == 404 and lot.reference not in hidden.content.decode()


def test_recording_a_lot_with_bad_input_shows_french_errors(world):
    client = client_for(world.coop_clerk)
    response = client.post(
        "/supply/lots/nouveau/",
        {
            "site": world.site.pk,
            "cooperative": world.coop.pk,
            "mineral": "cobalt",
            "weight_kg": "0",
            "date": (clock.today() + datetime.timedelta(days=5)).isoformat(),
            "buyer": world.buyer.pk,
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Le poids doit être supérieur à zéro." in body and "Cette date est dans le futur." in body
    assert not Lot.objects.exists()


def test_the_journey_record_refuse_override_on_screens(world, site_statuses):
    world.give_documents()
    response = client_for(world.coop_clerk).post(
        "/supply/lots/nouveau/",
        {
            "site": world.site.pk,
            "cooperative": world.coop.pk,
            "mineral": "cobalt",
            "weight_kg": "950.5",
            "grade_percent": "11",
            "date": clock.today().isoformat(),
            "buyer": world.buyer.pk,
        },
    )
    assert response.status_code == 302
    lot = Lot.objects.get()
    site_statuses(world.site, "red")
    inspector = client_for(world.inspector)
    inspector.post(f"/supply/lots/{lot.uuid}/decider/")
    page = inspector.get(f"/supply/lots/{lot.uuid}/").content.decode()
    assert "Refusé" in page and "ROUGE" in page and lot.authorisations.get().site_status_reason in page
    decision = lot.authorisations.get()
    inspector.post(
        f"/supply/autorisations/{decision.uuid}/derogation/", {"reason": "Lot extrait avant la visite, pesé."}
    )
    # the same person cannot approve, and an inspector lacks the right to
    assert (
        inspector.post(
            f"/supply/autorisations/{decision.uuid}/derogation/decider/",
            {"reason": "Je m'approuve moi-même.", "approve": "1"},
        ).status_code
        == 403
    )
    coordinator = client_for(world.coordinator)
    coordinator.post(
        f"/supply/autorisations/{decision.uuid}/derogation/decider/",
        {"reason": "Vérifié avec la division des mines.", "approve": "1"},
    )
    lot.refresh_from_db()
    assert lot.status == LotStatus.OVERRIDDEN and lot.site_status == "red"
    page = coordinator.get(f"/supply/lots/{lot.uuid}/").content.decode()
    assert "Dérogation accordée" in page and "Vérifié avec la division des mines." in page
    assert AuditEvent.objects.filter(target_id=str(decision.uuid)).count() == 3


def test_cooperative_page_shows_documents_members_and_production(world):
    services.register_miner(
        actor=world.actor(world.coop_manager),
        cooperative=world.coop,
        member_number="M-1",
        sex="F",
        birth_year=clock.today().year - 28,
    )
    client = client_for(world.coop_manager)
    response = client.post(
        f"/supply/cooperatives/{world.coop.uuid}/documents/",
        {
            "document_type": DocumentType.objects.get(code="autorisation-zea").pk,
            "issued_on": "2025-01-10",
            "valid_until": "2025-12-31",
            "reference": "ZEA-42",
        },
    )
    assert response.status_code == 302
    page = client.get(f"/supply/cooperatives/{world.coop.uuid}/").content.decode()
    assert "ZEA-42" in page and "expiré" in page and "manquant" in page
    assert "1 membre actif" in page


def test_document_types_are_configured_by_administrators(world):
    client = client_for(world.admin)
    response = client.post(
        "/supply/documents-requis/ajouter/",
        {
            "code": "plan-securite",
            "name_fr": "Plan de sécurité",
            "name_en": "Safety plan",
            "is_required": "on",
            "order": "60",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert DocumentType.objects.get(code="plan-securite").is_required
    assert AuditEvent.objects.filter(
        target_type="supply.documenttype", action="create", actor=world.admin.user
    ).exists()


def test_production_entry_and_statistics(world):
    client = client_for(world.inspector)
    month = clock.today().replace(day=1)
    response = client.post(
        "/supply/production/saisir/",
        {
            "site": world.site.pk,
            "cooperative": world.coop.pk,
            "mineral": "cobalt",
            "month": month.isoformat(),
            "tonnage": "12.5",
            "grade_percent": "9",
        },
    )
    assert response.status_code == 302
    page = client.get("/supply/production/").content.decode()
    assert "Kasulo" in page and "12.5" in page.replace(",", ".")


def test_the_lots_list_names_the_cooperative_and_the_buyer_in_full(world):
    world.lot()
    body = client_for(world.coordinator).get("/supply/lots/").content.decode()
    for org in (world.coop, world.buyer):
        assert escape(f"{org.acronym} — {org.name}") in body
        assert f"<td>{org.acronym}</td>" not in body


def test_production_statistics_come_a_page_of_sites_at_a_time_after_the_totals(
    world, django_assert_max_num_queries
):
    """The province has thousands of sites: the page must not print them all (1.6 MB at national scale)."""
    month = clock.today().replace(day=1)
    actor = world.actor(world.inspector)
    for i in range(55):
        site = Site.objects.create(code=f"codmine8{i:04d}", name=f"Site {i:02d}", place=world.site.place)
        services.record_production(
            actor=actor, site=site, cooperative=world.coop, mineral="cobalt", month=month, tonnage=100 + i
        )
    client = client_for(world.coordinator)
    client.get("/supply/production/")
    with django_assert_max_num_queries(12):
        response = client.get("/supply/production/")
    stats = response.context["stats"]
    assert len(stats.object_list) == 50 and stats.paginator.num_pages == 2
    assert stats.object_list[0]["site__name"] == "Site 54"  # the largest tonnage first
    totals = response.context["totals"]
    assert [(row["mineral_label"], row["sites"]) for row in totals] == [("Cobalt (hétérogénite)", 55)]
    assert totals[0]["tonnage"] == sum(100 + i for i in range(55))
    second = client.get("/supply/production/", {"sites_page": 2}).context["stats"]
    assert [row["site__name"] for row in second.object_list][-1] == "Site 00"
    assert 'sites_page=1"' in client.get("/supply/production/", {"sites_page": 2}).content.decode()


@pytest.mark.django_db(transaction=True)
def test_production_statistics_are_memoised_until_production_is_recorded(world):
    # A year of the province's production is a pass over every site's months: memoised between two writes.
    month = clock.today().replace(day=1)
    actor = world.actor(world.inspector)
    services.record_production(
        actor=actor, site=world.site, cooperative=world.coop, mineral="cobalt", month=month, tonnage=100
    )
    client = client_for(world.coordinator)

    def total():
        with CaptureQueriesContext(connection) as captured:
            totals = client.get("/supply/production/").context["totals"]
        return totals[0]["tonnage"], sum("SUM(" in q["sql"] for q in captured.captured_queries)

    assert total()[0] == 100
    assert total() == (100, 0)  # from the memo
    services.record_production(
        actor=actor, site=world.site, cooperative=world.coop, mineral="cobalt", month=month, tonnage=50
    )
    assert total()[0] == 50  # the month's figure corrected, not added
