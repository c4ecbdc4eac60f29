import pytest
from django.core.management import call_command

from kinga.cases.models import Case, CaseStatus, Child, ChildNameIndex, FollowUp, Referral, Relapse
from kinga.core.testing import assert_not_stored_in_clear

pytestmark = pytest.mark.django_db


def test_demo_synth_makes_cases_in_every_state(reference_places):
    call_command("synth", "--scale", "demo", "--seed", "7")
    assert Child.objects.count() == 300
    assert Case.objects.count() == 300
    assert set(Case.objects.values_list("status", flat=True)) >= {
        CaseStatus.IDENTIFIED,
        CaseStatus.REGISTERED,
        CaseStatus.UNDER_FOLLOW_UP,
        CaseStatus.CLOSED,
    }
    assert FollowUp.objects.exists() and Referral.objects.exists()
    assert ChildNameIndex.objects.count() >= 300 * 2
    assert Case.objects.values("number").distinct().count() == 300
    assert_not_stored_in_clear("Tshibangu")
    assert Relapse.objects.count() == Case.objects.filter(relapse_count__gt=0).count()
