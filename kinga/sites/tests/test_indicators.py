import pytest

from kinga.core import clock
from kinga.core.indicators import IndicatorQuery, evaluate
from kinga.core.models import Place
from kinga.core.roles import Role
from kinga.core.synth import SynthContext
from kinga.core.testing import actor_of, make_member, make_organisation
from kinga.sites import services
from kinga.sites.models import Inspection, Site, Zone
from kinga.sites.synth import generate_sites
from kinga.sites.tests.factories import make_site, months_ago

pytestmark = pytest.mark.django_db

YEAR = IndicatorQuery(start=months_ago(12), end=clock.today(), breakdowns=("territory",))


def test_zea_indicators_count_the_lifecycle_by_territory(reference_places):
    kolwezi, lubudi = Place.objects.get(pcode="CD7201"), Place.objects.get(pcode="CD7203")
    for i, (place, stage) in enumerate(
        [(kolwezi, "located"), (kolwezi, "viable"), (lubudi, "equipped"), (lubudi, "candidate")]
    ):
        Zone.objects.create(
            code=f"Z{i}",
            name=f"Z{i}",
            place=place,
            territory=place,
            stage=stage,
            area_ha=10,
            located_on=months_ago(10),
            viability_decided_on=months_ago(8) if stage in ("viable", "equipped") else None,
            equipped_on=months_ago(2) if stage == "equipped" else None,
            processing_units=1 if stage == "equipped" else 0,
        )
    located = {v.breakdown["territory"]: v.value for v in evaluate("SITES_ZEA_LOCATED", YEAR)}
    assert located == {"CD7201": 2, "CD7203": 1}
    assert sum(v.value for v in evaluate("SITES_ZEA_VIABLE", YEAR)) == 2
    assert [v.value for v in evaluate("SITES_EQUIPPED", IndicatorQuery(start=YEAR.start, end=YEAR.end))] == [
        1
    ]
    lubudi_only = IndicatorQuery(start=YEAR.start, end=YEAR.end, area=lubudi)
    assert [v.value for v in evaluate("SITES_ZEA_LOCATED", lubudi_only)] == [1]


def test_sites_by_status_and_children_seen(reference_places):
    inspector = actor_of(make_member(make_organisation(), Role.SITE_INSPECTOR))
    red, green, _blue = make_site(), make_site(), make_site()
    services.record_inspection(actor=inspector, site=red, date=months_ago(1), girls_under_15=1)
    services.record_inspection(actor=inspector, site=green, date=months_ago(1))
    by_status = {
        v.breakdown["status"]: v.value
        for v in evaluate(
            "SITES_BY_STATUS", IndicatorQuery(start=YEAR.start, end=YEAR.end, breakdowns=("status",))
        )
    }
    assert by_status == {"red": 1, "green": 1, "blue": 1}
    seen = evaluate("SITES_CHILDREN_SEEN", IndicatorQuery(start=YEAR.start, end=YEAR.end))
    assert [v.value for v in seen] == [1]
    before = evaluate("SITES_CHILDREN_SEEN", IndicatorQuery(start=months_ago(30), end=months_ago(20)))
    assert [v.value for v in before] == [0]


def test_synth_generates_sites_inspections_and_statuses(reference_places):
    ctx = SynthContext(scale="demo", seed=3)
    generate_sites(ctx)
    assert Site.objects.count() == ctx.size("sites")
    assert Inspection.objects.count() == ctx.size("inspections")
    assert Site.objects.exclude(status="blue").exists() and Zone.objects.exists()
