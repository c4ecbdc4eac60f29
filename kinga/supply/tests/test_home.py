"""The home panels of the supply chain: a company's lots awaiting a decision and its suppliers' status (its own
purchases only), an inspector's lots to decide."""

import datetime

import pytest

from kinga.core import clock
from kinga.core.testing import client_for

pytestmark = pytest.mark.django_db


def home(member) -> str:
    response = client_for(member).get("/")
    assert response.status_code == 200
    return response.content.decode()


def panel(body: str, key: str) -> str:
    start = body.index(f'id="panel-{key}"')
    return body[start : body.index("</section>", start)]


def count_of(section: str, label: str) -> int:
    head = section.split(f"</strong> {label}<", 1)[0]
    return int(head.rsplit(">", 1)[1])


def test_company_officer_sees_its_lots_waiting_and_its_suppliers_status_and_nothing_of_another_buyer(
    world, site_statuses
):
    site_statuses(world.site, "red")
    site_statuses(world.other_site, "green")
    mine = world.lot(date=clock.today() - datetime.timedelta(days=2))
    theirs = world.lot(site=world.other_site, coop=world.other_coop, buyer=world.other_buyer)

    body = home(world.officer)
    lots = panel(body, "supply-buyer-lots")
    assert lots.index("Rapport de devoir de diligence") < lots.index("site fournisseur rouge ou expiré")
    assert count_of(lots, "site fournisseur rouge ou expiré") == 1
    assert count_of(lots, "lot en attente de décision") == 1
    assert mine.reference in lots and theirs.reference not in body
    suppliers = panel(body, "supply-supplying-sites")
    assert "Kasulo" in suppliers and "Rouge" in suppliers and "1 lot" in suppliers
    assert "Mutoshi" not in suppliers and world.other_coop.name not in suppliers
    assert world.coop.name in suppliers and "0 refusés, 1 en attente" in suppliers


def test_company_officer_with_no_purchase_reads_what_would_fill_the_lists(world):
    body = home(world.officer)
    assert "Aucun lot en attente de décision" in panel(body, "supply-buyer-lots")
    assert "Aucun fournisseur pour l’instant" in panel(body, "supply-supplying-sites")


def test_inspector_sees_every_lot_awaiting_a_decision(world):
    first = world.lot(buyer=world.other_buyer)
    body = home(world.inspector)
    lots = panel(body, "supply-lots-to-decide")
    assert count_of(lots, "lot en attente de décision") == 1 and first.reference in lots


def test_the_buyers_home_issues_the_same_queries_whatever_the_number_of_lots(
    world, site_statuses, django_assert_max_num_queries
):
    site_statuses(world.site, "red")
    client = client_for(world.officer)
    world.lot()
    client.get("/")
    for _n in range(15):
        world.lot(site=world.other_site, coop=world.other_coop)
    with django_assert_max_num_queries(25):
        assert client.get("/").status_code == 200
