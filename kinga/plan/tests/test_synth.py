import pytest

from kinga.core.synth import SCALES, SynthContext
from kinga.plan.models import Activity, Commitment, FundingTransaction, ProgressReport
from kinga.plan.synth import generate_plan

pytestmark = pytest.mark.django_db


def test_synth_makes_the_scale_s_budget_transactions_and_progress_reports(reference_places):
    ctx = SynthContext(scale="demo", seed=3)
    generate_plan(ctx)
    sizes = SCALES["demo"]
    assert Commitment.objects.count() + FundingTransaction.objects.count() == sizes["budget_transactions"]
    assert ProgressReport.objects.count() == sizes["progress_reports"]
    assert Activity.objects.exclude(progress_updated_at=None).exists()
