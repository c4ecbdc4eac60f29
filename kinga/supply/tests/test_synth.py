import pytest

from kinga.core.models import Organisation, OrganisationType
from kinga.core.synth import SynthContext
from kinga.core.testing import client_for, make_organisation
from kinga.households.models import Cooperative as CooperativeProfile
from kinga.supply import synth
from kinga.supply.models import EvacuationAuthorisation, Lot, LotStatus

pytestmark = pytest.mark.django_db


def test_demo_scale_makes_consistent_lots_and_decisions(world, site_statuses):
    site_statuses(world.site, "green")
    site_statuses(world.other_site, "red")
    ctx = SynthContext(scale="demo", seed=7)
    synth.generate(ctx)
    assert Lot.objects.filter(reference__startswith="LOT-S7-").count() == 500
    coops = Organisation.objects.filter(name__endswith="(7)", type="cooperative")
    assert coops.count() == 10
    # each generated organisation is shown by its own acronym and name, never by the run's tag "(7)"
    generated = Organisation.objects.filter(name__endswith="(7)")
    assert generated.count() == 15
    assert not generated.filter(acronym__contains="(").exists()
    assert all(o.label == f"{o.acronym} — {o.name}" for o in generated)
    assert len({o.acronym for o in coops}) == 10
    assert CooperativeProfile.objects.filter(organisation__in=coops, kind="mining").count() == 10
    # a lot from the red site is never simply authorised; a green site's lot never refused
    assert not Lot.objects.filter(site=world.other_site, status=LotStatus.AUTHORISED).exists()
    assert not Lot.objects.filter(site=world.site, status=LotStatus.REFUSED).exists()
    overridden = EvacuationAuthorisation.objects.filter(override_state="approved")
    assert all(a.override_decided_by_id != a.override_requested_by_id for a in overridden)
    assert ctx.counts["supply_lot"] == 500


def test_agro_pastoral_cooperatives_stay_out_of_the_supply_chain(world):
    farm = make_organisation("Coopérative agropastorale Tujenge", type=OrganisationType.COOPERATIVE)
    CooperativeProfile.objects.create(organisation=farm, kind="agro_pastoral", place=world.place)
    body = client_for(world.coordinator).get("/supply/cooperatives/").content.decode()
    assert world.coop.name in body and "Tujenge" not in body
