"""`kinga synth`'s governance records: donations to state services, infrastructures (most in service), the
children's court advocacy whose steps are advocacy actions; the plan's two counts computed from them."""

import datetime

import pytest

from kinga.community.models import AdvocacyAction
from kinga.core.indicators import IndicatorQuery, evaluate
from kinga.core.synth import SynthContext
from kinga.governance import synth
from kinga.governance.models import AdvocacyStep, AdvocacyTrack, EquipmentDonation, SocialInfrastructure

pytestmark = pytest.mark.django_db


def test_demo_scale(kolwezi, today):
    ctx = SynthContext(scale="demo", seed=5)
    synth.generate(ctx)
    synth.generate(ctx)  # a second run adds nothing
    assert EquipmentDonation.objects.count() == ctx.counts["governance_equipmentdonation"] == 40
    assert SocialInfrastructure.objects.count() == 25
    assert not EquipmentDonation.objects.filter(territory__isnull=True).exists()
    track = AdvocacyTrack.objects.get()
    assert track.title == "Tribunal pour enfants à Kolwezi" and track.territory == kolwezi
    assert AdvocacyStep.objects.count() == AdvocacyAction.objects.count() >= 3
    assert not AdvocacyAction.objects.filter(territory__isnull=True).exists()
    since = IndicatorQuery(datetime.date(2020, 1, 1), today())
    assert evaluate("GOVERNANCE_INFRASTRUCTURE_EQUIPMENT", since)[0].value >= 40
    in_service = SocialInfrastructure.objects.filter(in_service_on__isnull=False).count()
    assert evaluate("GOVERNANCE_SOCIAL_INFRASTRUCTURES", since)[0].value == in_service > 0
