"""`kinga demo-accounts` after `kinga synth`: each demo account gets some synthetic work (the apps' demo
handovers), so the demo home pages show what a real one would; run again, it moves nothing more."""

import io

import pytest
from django.core.management import call_command

from kinga.cases.models import Case
from kinga.community.models import Alert, NetworkMember
from kinga.core.models import User
from kinga.supply.models import Lot

pytestmark = pytest.mark.django_db


def test_demo_accounts_take_over_some_synthetic_work_once(reference_places):
    call_command("synth", "--scale", "demo", "--seed", "7", stdout=io.StringIO())
    call_command("demo-accounts", stdout=io.StringIO())
    worker = User.objects.get(email="travailleur@demo.kinga.cd")
    focal = User.objects.get(email="pointfocal@demo.kinga.cd")
    officer = User.objects.get(email="entreprise@demo.kinga.cd")
    cases = Case.objects.filter(caseworker=worker)
    assert cases.exists() and set(cases.values_list("organisation", flat=True)) == {
        worker.memberships.get().organisation_id
    }
    network = NetworkMember.objects.get(user=focal).network
    assert network.organisation_id == focal.memberships.get().organisation_id
    assert Alert.objects.filter(network=network, organisation=network.organisation).exists()
    lots = Lot.objects.filter(buyer=officer.memberships.get().organisation).count()
    assert lots > 0

    before = (cases.count(), lots)
    call_command("demo-accounts", stdout=io.StringIO())
    assert (cases.count(), Lot.objects.filter(buyer=officer.memberships.get().organisation).count()) == before
    assert NetworkMember.objects.filter(user=focal).count() == 1
