"""Issue 18, acceptance: receipts at 40 % of the surface rights, a commission decision, a disbursement to a
cooperative and its repayment give the expected balance and the plan's four indicators of the fund."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kinga.core.indicators import IndicatorQuery, evaluate
from kinga.core.models import AuditEvent
from kinga.fund import selectors, services
from kinga.fund.models import DecisionKind, ReceiptSource
from kinga.plan.planfile import default_plan_path, read_plan_file

pytestmark = pytest.mark.django_db
D = datetime.date
FUND_CODES = (
    "FUND_BANK_ACCOUNT",
    "FUND_RETROCESSION_RATE",
    "FUND_JOINT_COMMISSION",
    "FUND_PTF_TRANSACTION_ACCOUNT",
)


def _year(code, year, area=None):
    return [
        (v.value, v.breakdown) for v in evaluate(code, IndicatorQuery(D(year, 1, 1), D(year, 12, 31), area))
    ]


def _ledger(w):
    a = w.actor(w.clerk)
    first = services.record_receipt(
        actor=a,
        fund=w.fund,
        account=w.bank,
        source=ReceiptSource.RETROCESSION,
        received_on=D(2025, 3, 5),
        payer="Trésor public",
        reference="RET-2025-03",
        surface_rights_usd=Decimal("250000"),
    )
    second = services.record_receipt(
        actor=a,
        fund=w.fund,
        account=w.bank,
        source=ReceiptSource.RETROCESSION,
        received_on=D(2025, 6, 5),
        payer="Trésor public",
        reference="RET-2025-06",
        surface_rights_usd=Decimal("125000.50"),
    )
    services.record_receipt(
        actor=a,
        fund=w.fund,
        account=w.ptf_account,
        source=ReceiptSource.PARTNER,
        received_on=D(2025, 7, 1),
        payer="Bailleur",
        reference="PTF-2025-07",
        amount=Decimal("30000"),
    )
    session = services.record_session(
        actor=w.actor(), commission=w.commission, date=D(2025, 7, 10), members_present=w.members
    )
    loan = services.record_decision(
        actor=w.actor(),
        session=session,
        number="D1",
        subject="Prêt pour une unité de lavage",
        kind=DecisionKind.LOAN,
        cooperative=w.coop,
        amount=Decimal("60000"),
        votes_for=4,
        votes_abstaining=1,
    )
    refused = services.record_decision(
        actor=w.actor(),
        session=session,
        number="D2",
        subject="Subvention",
        kind=DecisionKind.GRANT,
        cooperative=w.other_coop,
        amount=Decimal("20000"),
        votes_for=2,
        votes_against=2,
        votes_abstaining=1,
    )
    disbursement = services.record_disbursement(
        actor=a,
        decision=loan,
        account=w.bank,
        amount=Decimal("60000"),
        purpose="Unité de lavage",
        disbursed_on=D(2025, 7, 20),
        reference="DEC-1",
        instalments=[(D(2025, m, 20), Decimal("10000")) for m in range(8, 13)]
        + [(D(2026, 1, 20), Decimal("10000"))],
    )
    for paid_on in (D(2025, 8, 20), D(2025, 9, 25)):
        services.record_repayment(
            actor=a, disbursement=disbursement, account=w.bank, paid_on=paid_on, amount=Decimal("10000")
        )
    return first, second, session, loan, refused, disbursement


def test_the_ledger_gives_the_balance_and_the_four_indicators(fund_world):
    w = fund_world
    first, second, session, loan, refused, disbursement = _ledger(w)

    # Receipts at 40 % of the surface rights, the rate kept on each receipt.
    assert (first.rate_percent, first.amount) == (Decimal("40.00"), Decimal("100000.00"))
    assert (second.rate_percent, second.amount) == (Decimal("40.00"), Decimal("50000.20"))
    # The vote decides: 4 for, 0 against is adopted; 2 against 2 is not.
    assert (loan.outcome, refused.outcome) == ("adopted", "rejected")
    # The session is a coordination meeting convened by the managing organisation, the members its participants.
    assert session.meeting.convening_organisation == w.mines
    assert set(session.meeting.participant_organisations.all()) == {m.organisation for m in w.members}

    # 100 000 + 50 000,20 + 30 000 in, 60 000 out, 20 000 repaid.
    assert selectors.balance(w.fund) == Decimal("140000.20")
    assert selectors.balance(w.fund, on=D(2025, 7, 31)) == Decimal("120000.20")
    totals = selectors.totals(w.fund)
    assert (totals.received, totals.disbursed, totals.repaid) == (
        Decimal("180000.20"),
        Decimal("60000.00"),
        Decimal("20000.00"),
    )
    # Instalments due by 2 March 2026: six of 10 000; 20 000 repaid.
    assert totals.overdue == Decimal("40000.00")
    assert selectors.loan_status(disbursement)["outstanding"] == Decimal("40000.00")

    assert _year("FUND_BANK_ACCOUNT", 2025) == [(1, {})]
    assert _year("FUND_PTF_TRANSACTION_ACCOUNT", 2025) == [(1, {})]
    assert _year("FUND_RETROCESSION_RATE", 2025) == [(Decimal("40.00"), {})]
    assert _year("FUND_JOINT_COMMISSION", 2025) == [(1, {})]
    # Before the fund: no account, no commission, no retrocession (no value rather than a made-up 0 %).
    assert _year("FUND_BANK_ACCOUNT", 2024) == [(0, {})]
    assert _year("FUND_PTF_TRANSACTION_ACCOUNT", 2024) == [(0, {})]
    assert _year("FUND_RETROCESSION_RATE", 2024) == []
    assert _year("FUND_JOINT_COMMISSION", 2024) == [(0, {})]
    assert AuditEvent.objects.filter(target_id=str(disbursement.uuid), action="create").exists()


def test_the_four_indicators_are_the_plans_rows_computed_by_the_fund():
    spec, _ = read_plan_file(default_plan_path())
    for code in FUND_CODES:
        assert spec["indicators"][code]["source"] == "computed", code
        assert spec["indicators"][code]["module"] == "fund", code


def test_a_closed_account_and_a_commission_of_one_category_do_not_count(fund_world):
    w = fund_world
    services.close_account(actor=w.actor(), account=w.bank, closed_on=D(2025, 12, 1))
    for member in w.members[1:]:
        services.end_membership(actor=w.actor(), member=member, left_on=D(2025, 11, 1))
    assert _year("FUND_BANK_ACCOUNT", 2025) == [(0, {})]
    assert _year("FUND_JOINT_COMMISSION", 2025) == [(0, {})]
    assert evaluate("FUND_JOINT_COMMISSION", IndicatorQuery(D(2025, 1, 1), D(2025, 6, 30)))[0].value == 1


def test_a_new_rate_applies_from_its_date_and_receipts_keep_theirs(fund_world):
    w = fund_world
    services.set_retrocession_rate(
        actor=w.actor(w.coordinator), valid_from=D(2026, 1, 1), rate_percent=Decimal("45")
    )
    before = services.record_receipt(
        actor=w.actor(),
        fund=w.fund,
        account=w.bank,
        source=ReceiptSource.RETROCESSION,
        received_on=D(2025, 12, 30),
        payer="Trésor public",
        reference="R1",
        surface_rights_usd=Decimal("1000"),
    )
    after = services.record_receipt(
        actor=w.actor(),
        fund=w.fund,
        account=w.bank,
        source=ReceiptSource.RETROCESSION,
        received_on=D(2026, 1, 2),
        payer="Trésor public",
        reference="R2",
        surface_rights_usd=Decimal("1000"),
    )
    assert (before.amount, after.amount) == (Decimal("400.00"), Decimal("450.00"))
    # A partial transfer: 300 of the 450 due, the indicator shows what was actually retroceded.
    services.record_receipt(
        actor=w.actor(),
        fund=w.fund,
        account=w.bank,
        source=ReceiptSource.RETROCESSION,
        received_on=D(2026, 2, 2),
        payer="Trésor public",
        reference="R3",
        surface_rights_usd=Decimal("1000"),
        amount=Decimal("300"),
    )
    assert _year("FUND_RETROCESSION_RATE", 2026) == [(Decimal("37.50"), {})]


def test_the_ledger_refuses_what_would_make_it_wrong(fund_world):
    w = fund_world
    _first, _second, session, loan, refused, disbursement = _ledger(w)
    a = w.actor()

    def refused_with(field, **kwargs):
        with pytest.raises(ValidationError) as exc:
            services.record_disbursement(actor=a, **kwargs)
        assert field in exc.value.message_dict, exc.value.message_dict

    base = {
        "account": w.bank,
        "purpose": "x",
        "disbursed_on": D(2025, 8, 1),
        "reference": "DEC-X",
    }
    refused_with("decision", decision=refused, amount=Decimal("10"), **base)
    refused_with("amount", decision=loan, amount=Decimal("1"), **base)  # already paid out in full
    big = services.record_decision(
        actor=a,
        session=session,
        number="D3",
        subject="Subvention",
        kind=DecisionKind.GRANT,
        cooperative=w.coop,
        amount=Decimal("500000"),
        votes_for=5,
    )
    refused_with("amount", decision=big, amount=Decimal("500000"), **base)  # more than the fund holds
    with pytest.raises(ValidationError) as exc:
        services.record_repayment(
            actor=a,
            disbursement=disbursement,
            account=w.bank,
            paid_on=D(2025, 10, 1),
            amount=Decimal("50000"),
        )
    assert "amount" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.record_decision(
            actor=a,
            session=session,
            number="D4",
            subject="x",
            kind=DecisionKind.GRANT,
            cooperative=w.coop,
            amount=Decimal("1"),
            votes_for=6,
        )
    assert "votes_for" in exc.value.message_dict  # five members present
    with pytest.raises(ValidationError) as exc:
        services.record_receipt(
            actor=a,
            fund=w.fund,
            account=w.bank,
            source=ReceiptSource.RETROCESSION,
            received_on=D(2024, 12, 1),
            payer="x",
            reference="R-early",
            surface_rights_usd=Decimal("10"),
        )
    assert "account" in exc.value.message_dict  # the account was not open yet
    assert selectors.balance(w.fund) == Decimal("140000.20")  # nothing of the refusals written
