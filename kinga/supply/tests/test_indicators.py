import datetime
from decimal import Decimal

import pytest

from kinga.core import clock
from kinga.core.indicators import IndicatorQuery, evaluate
from kinga.core.testing import client_for
from kinga.supply import services

pytestmark = pytest.mark.django_db
TODAY = clock.today()
YEAR = IndicatorQuery(start=TODAY - datetime.timedelta(days=365), end=TODAY)


def test_production_statistics_in_kg_by_territory_and_mineral(world):
    actor = world.actor(world.inspector)
    for mineral, tonnes in (("cobalt", "12.5"), ("copper", "3")):
        services.record_production(
            actor=actor,
            site=world.site,
            cooperative=world.coop,
            mineral=mineral,
            month=TODAY,
            tonnage=Decimal(tonnes),
        )
    [total] = evaluate("SUPPLY_PRODUCTION_STATISTICS", YEAR)
    assert total.value == Decimal("15500")
    by_mineral = {
        v.breakdown["mineral"]: v.value
        for v in evaluate(
            "SUPPLY_PRODUCTION_STATISTICS", IndicatorQuery(YEAR.start, YEAR.end, breakdowns=("mineral",))
        )
    }
    assert by_mineral == {"cobalt": Decimal("12500"), "copper": Decimal("3000")}
    old = IndicatorQuery(start=TODAY - datetime.timedelta(days=900), end=TODAY - datetime.timedelta(days=400))
    assert evaluate("SUPPLY_PRODUCTION_STATISTICS", old)[0].value == 0


def test_cooperatives_with_all_required_documents(world):
    assert evaluate("SUPPLY_COOPERATIVES_WITH_DOCUMENTS", YEAR)[0].value == 0
    world.give_documents()
    assert evaluate("SUPPLY_COOPERATIVES_WITH_DOCUMENTS", YEAR)[0].value == 1
    # on a day after the documents expire, the cooperative no longer counts
    later = IndicatorQuery(start=TODAY, end=TODAY + datetime.timedelta(days=400))
    assert evaluate("SUPPLY_COOPERATIVES_WITH_DOCUMENTS", later)[0].value == 0
    rows = evaluate(
        "SUPPLY_COOPERATIVES_WITH_DOCUMENTS", IndicatorQuery(YEAR.start, YEAR.end, breakdowns=("territory",))
    )
    assert sum(r.value for r in rows) == 1


def test_lots_authorised_and_refused(world, site_statuses):
    world.give_documents()
    site_statuses(world.site, "green")
    services.decide_evacuation(actor=world.actor(world.inspector), lot=world.lot())
    site_statuses(world.other_site, "red")
    refused = services.decide_evacuation(
        actor=world.actor(world.inspector), lot=world.lot(site=world.other_site)
    )
    assert evaluate("SUPPLY_LOTS_AUTHORISED", YEAR)[0].value == 1
    assert evaluate("SUPPLY_LOTS_REFUSED", YEAR)[0].value == 1
    services.request_override(
        actor=world.actor(world.inspector), authorisation=refused, reason="Motif écrit suffisant."
    )
    services.decide_override(
        actor=world.actor(world.coordinator),
        authorisation=refused,
        approve=True,
        reason="Accordé après vérification.",
    )
    assert evaluate("SUPPLY_LOTS_AUTHORISED", YEAR)[0].value == 2
    assert evaluate("SUPPLY_LOTS_REFUSED", YEAR)[0].value == 1


def test_buyers_reporting_counts_companies_that_produced_their_report(world):
    assert evaluate("SUPPLY_BUYERS_REPORTING", YEAR)[0].value == 0
    client_for(world.officer).get("/supply/diligence/", {"format": "xlsx"})
    client_for(world.coordinator).get(
        "/supply/diligence/", {"buyer": str(world.other_buyer.uuid), "format": "xlsx"}
    )
    assert evaluate("SUPPLY_BUYERS_REPORTING", YEAR)[0].value == 1  # the coordinator is not a buyer
