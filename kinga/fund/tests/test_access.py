"""Who reads and who writes the fund: pages and API, 403 without the permission, 404 outside the scope."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from kinga.core.testing import client_for
from kinga.fund import services
from kinga.fund.models import DecisionKind, ReceiptSource

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def ledger(fund_world):
    w = fund_world
    services.record_receipt(
        actor=w.actor(),
        fund=w.fund,
        account=w.bank,
        source=ReceiptSource.RETROCESSION,
        received_on=D(2025, 3, 5),
        payer="Trésor public",
        reference="RET-1",
        surface_rights_usd=Decimal("100000"),
    )
    session = services.record_session(
        actor=w.actor(), commission=w.commission, date=D(2025, 4, 1), members_present=w.members
    )
    decision = services.record_decision(
        actor=w.actor(),
        session=session,
        number="D1",
        subject="Subvention",
        kind=DecisionKind.GRANT,
        cooperative=w.coop,
        amount=Decimal("1000"),
        votes_for=5,
    )
    w.disbursement = services.record_disbursement(
        actor=w.actor(),
        decision=decision,
        account=w.bank,
        amount=Decimal("1000"),
        purpose="Outils",
        disbursed_on=D(2025, 4, 10),
        reference="DEC-1",
    )
    w.session = session
    return w


def _get(member, url):
    return client_for(member).get(url)


def test_the_fund_page_is_read_by_its_organisations_and_the_province_only(ledger):
    w = ledger
    url = f"/fonds/{w.fund.uuid}/"
    for member in (w.manager, w.clerk, w.coordinator, w.funder, w.company_officer):
        assert _get(member, url).status_code == 200, member.role
    assert _get(w.stranger_manager, url).status_code == 404  # another organisation's fund
    assert _get(w.coop_manager, url).status_code == 404  # a cooperative sees its disbursements only
    assert _get(w.caseworker, url).status_code == 403  # no fund permission


def test_a_disbursement_is_seen_by_its_cooperative_not_by_another(ledger):
    w = ledger
    url = f"/fonds/decaissements/{w.disbursement.uuid}/"
    assert _get(w.coop_manager, url).status_code == 200
    assert _get(w.other_coop_manager, url).status_code == 404
    assert _get(w.stranger_manager, url).status_code == 404
    assert _get(w.caseworker, url).status_code == 403


def test_only_the_managing_organisation_records(ledger):
    w = ledger
    url = f"/fonds/{w.fund.uuid}/recettes/"
    assert _get(w.clerk, url).status_code == 200
    assert _get(w.funder, url).status_code == 403  # reads, never records
    assert _get(w.stranger_manager, url).status_code == 404
    # A commission member's manager has the permission but not the fund: the service refuses.
    with pytest.raises(PermissionDenied):
        services.record_receipt(
            actor=w.actor(w.company_officer),
            fund=w.fund,
            account=w.bank,
            source=ReceiptSource.PARTNER,
            received_on=D(2025, 5, 1),
            payer="x",
            reference="X",
            amount=Decimal("1"),
        )
    assert _get(w.clerk, f"/fonds/commissions/{w.commission.uuid}/sessions/").status_code == 403
    assert _get(w.manager, f"/fonds/commissions/{w.commission.uuid}/sessions/").status_code == 200
    assert _get(w.manager, f"/fonds/sessions/{w.session.uuid}/decisions/").status_code == 200
    assert _get(w.stranger_manager, f"/fonds/sessions/{w.session.uuid}/decisions/").status_code == 404


def test_the_api_lists_what_the_actor_may_see(ledger):
    w = ledger
    for path in ("funds", "receipts", "decisions", "disbursements"):
        mine = client_for(w.manager).get(f"/api/v1/fund/{path}/")
        assert mine.status_code == 200 and mine.json()["count"] == 1, path
        assert client_for(w.stranger_manager).get(f"/api/v1/fund/{path}/").json()["count"] == 0, path
        assert client_for(w.caseworker).get(f"/api/v1/fund/{path}/").status_code == 403, path
    coop = client_for(w.coop_manager)
    assert coop.get("/api/v1/fund/disbursements/").json()["count"] == 1
    assert coop.get("/api/v1/fund/funds/").json()["count"] == 0
    detail = client_for(w.funder).get(f"/api/v1/fund/disbursements/{w.disbursement.uuid}/")
    assert detail.status_code == 200 and detail.json()["amount"] == "1000.00"
    assert (
        client_for(w.other_coop_manager).get(f"/api/v1/fund/disbursements/{w.disbursement.uuid}/").status_code
        == 404
    )
    totals = client_for(w.manager).get(f"/api/v1/fund/funds/{w.fund.uuid}/totals/").json()
    assert totals["balance"] == "39000.00"


def test_a_cooperative_finds_what_it_received_on_the_fund_menu(ledger):
    w = ledger
    page = _get(w.coop_manager, "/fonds/").content.decode()
    assert (
        f"/fonds/decaissements/{w.disbursement.uuid}/" in page and "Ce que votre coopérative a reçu" in page
    )
    assert (
        f"/fonds/decaissements/{w.disbursement.uuid}/"
        not in _get(w.other_coop_manager, "/fonds/").content.decode()
    )
