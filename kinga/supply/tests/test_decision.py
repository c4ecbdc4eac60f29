"""The evacuation rule read directly: which document counts, and what the decision costs in queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kinga.core import clock
from kinga.supply import decision, services
from kinga.supply.models import DocumentType

pytestmark = pytest.mark.django_db
TODAY = clock.today()


def test_the_longest_valid_document_counts_and_other_cooperatives_documents_do_not(world, site_statuses):
    site_statuses(world.site, "green")
    world.give_documents()
    zea = DocumentType.objects.get(code="autorisation-zea")
    inspector = world.actor(world.inspector)
    for reference, issued, until in (
        ("ZEA-OLD", 400, -30),
        ("ZEA-NEW", 10, 700),
        ("ZEA-SHORT", 5, 300),
    ):
        services.record_document(
            actor=inspector,
            cooperative=world.other_coop,
            document_type=zea,
            issued_on=TODAY - datetime.timedelta(days=issued),
            valid_until=TODAY + datetime.timedelta(days=until),
            reference=reference,
        )
    states = {d["type"]: d for d in decision.documents_state(world.other_coop.pk, TODAY)}
    assert list(states) == [d["type"] for d in decision.documents_state(world.coop.pk, TODAY)]
    assert (
        states["autorisation-zea"]["state"] == "valid"
        and states["autorisation-zea"]["reference"] == "ZEA-NEW"
    )
    assert states["autorisation-zea"]["valid_until"] == (TODAY + datetime.timedelta(days=700)).isoformat()
    assert {d["state"] for t, d in states.items() if t != "autorisation-zea"} == {"missing"} and len(
        states
    ) == 5
    mine = {d["type"]: d for d in decision.documents_state(world.coop.pk, TODAY)}
    assert not mine["autorisation-zea"]["reference"].startswith("ZEA-")
    # Twenty days ago the new documents were not issued yet: only the old one, already expired, was held.
    before = TODAY - datetime.timedelta(days=20)
    [state] = [
        d for d in decision.documents_state(world.other_coop.pk, before) if d["type"] == "autorisation-zea"
    ]
    assert state["state"] == "expired" and state["reference"] == "ZEA-OLD"


def test_a_decision_costs_five_queries(world, site_statuses):
    site_statuses(world.site, "green")
    world.give_documents()
    lot = world.lot(date=TODAY - datetime.timedelta(days=3))
    decision.evaluate(lot, TODAY)
    with CaptureQueriesContext(connection) as queries:
        result = decision.evaluate(lot, TODAY)
    assert result.outcome == "authorised"
    # Evidence (2), rules with policy (1), status on record (1), documents with their types (1).
    assert len(queries) == 5
