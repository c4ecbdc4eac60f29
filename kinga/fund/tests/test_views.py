"""The fund's screens through the browser's requests: record a receipt, a session and its decision, a loan and
its repayment; each refused input answers in French on its field and writes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kinga.core.testing import client_for
from kinga.fund import selectors
from kinga.fund.models import Decision, Disbursement, Receipt, Session

pytestmark = pytest.mark.django_db
D = datetime.date


def test_the_whole_journey_through_the_pages(fund_world):
    w = fund_world
    manager = client_for(w.manager)
    fund_url = f"/fonds/{w.fund.uuid}/"
    assert manager.get("/fonds/").status_code == 302  # one fund: straight to its page
    r = manager.post(
        f"{fund_url}recettes/",
        {
            "source": "retrocession",
            "account": w.bank.pk,
            "received_on": "2025-03-05",
            "payer": "Trésor public",
            "reference": "RET-1",
            "surface_rights_usd": "200000",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    assert Receipt.objects.get(reference="RET-1").amount == Decimal("80000.00")
    member_ids = [m.pk for m in w.members]
    r = manager.post(
        f"/fonds/commissions/{w.commission.uuid}/sessions/",
        {"date": "2025-04-01", "members_present": member_ids, "minutes_text": "PV"},
    )
    session = Session.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/fonds/sessions/{session.uuid}/decisions/"
    r = manager.post(
        f"/fonds/sessions/{session.uuid}/decisions/",
        {
            "number": "D1",
            "subject": "Prêt",
            "kind": "loan",
            "cooperative": w.coop.pk,
            "amount": "12000",
            "votes_for": "4",
            "votes_against": "1",
            "votes_abstaining": "0",
        },
    )
    assert r.status_code == 302
    decision = Decision.objects.get()
    r = manager.post(
        f"{fund_url}decaissements/",
        {
            "decision": decision.pk,
            "account": w.bank.pk,
            "amount": "12000",
            "purpose": "Concasseur",
            "disbursed_on": "2025-04-10",
            "reference": "DEC-1",
            "first_due_on": "2025-05-10",
            "instalment_count": "4",
        },
    )
    disbursement = Disbursement.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/fonds/decaissements/{disbursement.uuid}/"
    assert [i.amount for i in disbursement.instalments.all()] == [Decimal("3000.00")] * 4
    r = manager.post(
        f"/fonds/decaissements/{disbursement.uuid}/remboursements/",
        {"account": w.bank.pk, "paid_on": "2025-05-10", "amount": "3000"},
    )
    assert r.status_code == 302
    pdf = SimpleUploadedFile("contrat.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    manager.post(
        f"/fonds/decaissements/{disbursement.uuid}/documents/", {"title": "Contrat de prêt", "file": pdf}
    )
    page = manager.get(f"/fonds/decaissements/{disbursement.uuid}/").content.decode()
    assert "Contrat de prêt" in page and "Reste dû" in page
    assert selectors.loan_status(disbursement)["outstanding"] == Decimal("9000.00")
    assert selectors.balance(w.fund) == Decimal("71000.00")
    page = manager.get(fund_url).content.decode()
    assert "<svg" in page and "Commission mixte de gestion" in page and "Adoptée" in page


def test_refused_input_is_shown_in_french_and_nothing_is_written(fund_world):
    w = fund_world
    manager = client_for(w.manager)
    r = manager.post(
        f"/fonds/{w.fund.uuid}/recettes/",
        {
            "source": "retrocession",
            "account": w.bank.pk,
            "received_on": "2025-03-05",
            "payer": "Trésor public",
            "reference": "RET-1",
        },
    )
    assert r.status_code == 400
    assert "Indiquez un montant supérieur à zéro." in r.content.decode()
    assert not Receipt.objects.exists()
