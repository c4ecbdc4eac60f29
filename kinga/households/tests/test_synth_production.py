"""`kinga synth`'s production and nutrition: groups whose funds hold together (never lent beyond the capital and
repayments, no loan repaid beyond what it owes, members of the group's organisation), harvests and MUAC statuses
consistent with their rules, and the plan's two rates computed from them."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import F, Sum

from kinga.core import tallies
from kinga.core.indicators import IndicatorQuery, evaluate
from kinga.core.models import OrganisationType
from kinga.core.synth import SynthContext
from kinga.core.testing import make_organisation
from kinga.households import selectors_production as selectors
from kinga.households import synth, synth_production
from kinga.households.models import FinanceGroup, GroupMember, Harvest, Loan, MuacMeasurement
from kinga.households.nutrition import muac_status

pytestmark = pytest.mark.django_db


def test_demo_scale_makes_consistent_groups_harvests_and_visits(lualaba, today):
    for i in range(4):
        make_organisation(f"ONG {i}", type=OrganisationType.NGO)
    ctx = SynthContext(scale="demo", seed=7)
    synth.generate_households(ctx)
    tallies.rebuild()  # as `kinga synth` does after its bulk writes
    synth_production.generate_production(ctx)
    synth_production.generate_production(ctx)  # a second run adds nothing
    groups = list(FinanceGroup.objects.all())
    assert groups and ctx.counts["households_financegroup"] == len(groups)
    for group, totals in selectors.totals_of(groups).items():
        assert totals.available >= 0 and totals.repaid <= totals.due
    assert not GroupMember.objects.exclude(household__organisation=F("group__organisation")).exists()
    for loan in selectors.loans_with_repaid():
        assert loan.repaid <= loan.amount_due
    assert Loan.objects.aggregate(s=Sum("amount_usd"))["s"] > 0
    assert Harvest.objects.filter(kind="crop", area_ha__isnull=True).count() == 0
    measured = list(MuacMeasurement.objects.all())
    assert measured and all(m.status == muac_status(m.muac_mm, m.oedema) for m in measured)
    two_years = IndicatorQuery(today() - datetime.timedelta(days=730), today())
    production = evaluate("HOUSEHOLDS_PRODUCTION_RATE", two_years)[0].value
    malnutrition = evaluate("HOUSEHOLDS_MALNUTRITION_RATE", two_years)[0].value
    assert Decimal(30) < production <= 100 and Decimal(0) < malnutrition < 40
