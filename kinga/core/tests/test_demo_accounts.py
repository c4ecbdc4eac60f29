"""`kinga demo-accounts` after `kinga synth`: each demo account gets some synthetic work (the apps' demo
handovers), so the demo home pages show what a real one would; run again, it moves nothing more."""

import io

import pytest
from django.core.management import call_command

from kinga.cases.models import Case, CaseStatus
from kinga.cases.services import evaluate_exit_rule
from kinga.community.models import Alert, Meeting, NetworkMember
from kinga.core.models import User
from kinga.core.testing import client_for
from kinga.households.models import Household
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


def test_every_demo_account_has_something_to_do(reference_places, today):
    call_command("synth", "--scale", "demo", "--seed", "3", stdout=io.StringIO())
    call_command("demo-accounts", stdout=io.StringIO())
    worker = User.objects.get(email="travailleur@demo.kinga.cd")
    cases = Case.objects.filter(caseworker=worker)
    # the caseworker: a case at every step, and one the exit rule lets close without a supervisor's override
    assert set(cases.values_list("status", flat=True)) == set(CaseStatus.values)
    assert any(evaluate_exit_rule(case).met for case in cases.filter(status=CaseStatus.UNDER_FOLLOW_UP))
    # the manager's organisation follows households, and sees them
    manager = User.objects.get(email="responsable@demo.kinga.cd").memberships.get()
    assert Household.objects.filter(organisation=manager.organisation).count() >= 10
    # the company bought lots, some with a signal for its due diligence
    officer = User.objects.get(email="entreprise@demo.kinga.cd").memberships.get()
    assert Lot.objects.filter(buyer=officer.organisation).exists()
    # the coordinator opens the due-diligence report before choosing anything: the busiest buyer's report
    coordinator = User.objects.get(email="coordinateur@demo.kinga.cd").memberships.get()
    response = client_for(coordinator).get("/supply/diligence/")
    assert response.status_code == 200 and response.context["report"] is not None
    assert response.context["report"].flagged_lots
    # the coordination meetings are numbered in the order they were held (the support fund's commission
    # sessions are meetings too, named by their month)
    numbered = Meeting.objects.filter(fund_session__isnull=True)
    titles = list(numbered.order_by("date", "pk").values_list("title", flat=True))
    numbers = [int(title.rsplit(" ", 1)[1]) for title in titles]
    assert numbers == list(range(1, len(titles) + 1))
