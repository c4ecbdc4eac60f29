"""`kinga synth`'s fund: a ledger that holds together (never paid out more than held, only adopted decisions paid,
40 % applied, repayments within the loans) and the plan's four indicators computed from it."""

import datetime

import pytest
from django.db.models import Sum

from kinga.core.indicators import IndicatorQuery, evaluate
from kinga.core.models import OrganisationType
from kinga.core.synth import SynthContext
from kinga.core.testing import make_organisation
from kinga.fund import selectors, synth
from kinga.fund.models import Disbursement, Fund, Receipt, Repayment

pytestmark = pytest.mark.django_db


def test_demo_scale_makes_a_consistent_ledger(lualaba, today):
    for i in range(8):
        make_organisation(f"Coopérative minière {i}", type=OrganisationType.COOPERATIVE)
    ctx = SynthContext(scale="demo", seed=7)
    synth.generate(ctx)
    synth.generate(ctx)  # a second run of the same seed adds nothing
    fund = Fund.objects.get()
    assert Receipt.objects.filter(source="retrocession").exclude(rate_percent=40).count() == 0
    assert Receipt.objects.count() == ctx.counts["fund_receipt"] > 30
    payouts = list(Disbursement.objects.select_related("decision").order_by("disbursed_on"))
    assert payouts and all(d.decision.outcome == "adopted" for d in payouts)
    for d in payouts:
        assert selectors.balance(fund, on=d.disbursed_on) >= 0
        repaid = Repayment.objects.filter(disbursement=d).aggregate(t=Sum("amount"))["t"] or 0
        assert repaid <= d.amount
    assert selectors.balance(fund) == selectors.totals(fund).balance >= 0
    year = IndicatorQuery(today() - datetime.timedelta(days=365), today())
    assert evaluate("FUND_BANK_ACCOUNT", year)[0].value == 1
    assert evaluate("FUND_PTF_TRANSACTION_ACCOUNT", year)[0].value == 1
    assert evaluate("FUND_JOINT_COMMISSION", year)[0].value == 1
    assert evaluate("FUND_RETROCESSION_RATE", year)[0].value == 40
    assert "(" not in fund.managed_by.acronym
