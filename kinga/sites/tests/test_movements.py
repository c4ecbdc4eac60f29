"""Movements of people around sites: counts per site and month by organisation, relocations away from mining
titles, the year's summary (the highest count per site and month, never the sum), scoping, API, synth."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kinga.core.models import AuditEvent, OrganisationType, Place
from kinga.core.roles import Role
from kinga.core.synth import SynthContext
from kinga.core.testing import actor_of, client_for, make_member, make_organisation
from kinga.sites import selectors_movements, services, synth, synth_movements
from kinga.sites.models import MovementObservation, Relocation
from kinga.sites.tests.factories import make_site

pytestmark = pytest.mark.django_db
D = datetime.date


class World:
    def __init__(self):
        self.kolwezi = Place.objects.get(pcode="CD7201")
        self.mutshatsha = Place.objects.get(pcode="CD7202")
        self.site = make_site(self.kolwezi, name="Kasulo")
        self.other_site = make_site(self.mutshatsha, name="Luilu")
        self.ngo = make_organisation("Réseau communautaire", type=OrganisationType.NGO)
        self.other_ngo = make_organisation("Autre ONG", type=OrganisationType.NGO)
        self.focal = make_member(self.ngo, Role.FOCAL_POINT)
        self.ngo_manager = make_member(self.ngo, Role.ORG_MANAGER)
        self.other_manager = make_member(self.other_ngo, Role.ORG_MANAGER)
        self.inspector = make_member(make_organisation("Division des mines"), Role.SITE_INSPECTOR)
        self.coordinator = make_member(make_organisation(type=OrganisationType.IDAK), Role.COORDINATOR)
        self.officer = make_member(make_organisation(type=OrganisationType.COMPANY), Role.COMPANY_OFFICER)
        self.viewer = make_member(self.ngo, Role.VIEWER)

    def observe(self, member, site=None, month=D(2026, 1, 1), **counts):
        counts = counts or {"families_arrived": 3, "children_arrived": 5}
        return services.record_observation(
            actor=actor_of(member), site=site or self.site, month=month, source="community_network", **counts
        )


@pytest.fixture
def w(reference_places, today):
    return World()


def test_counts_are_kept_per_site_month_and_organisation_and_audited(w):
    obs = w.observe(
        w.focal, month=D(2026, 1, 17), families_arrived=4, children_arrived=6, families_departed=0
    )
    assert obs.month == D(2026, 1, 1) and obs.territory == w.kolwezi and obs.organisation == w.ngo
    assert obs.children_departed is None  # not counted, not zero
    assert AuditEvent.objects.filter(target_id=str(obs.uuid), action="create").exists()
    with pytest.raises(ValidationError) as refused:
        w.observe(w.ngo_manager, month=D(2026, 1, 30))
    assert "month" in refused.value.message_dict
    # Another organisation counts the same site in the same month.
    w.observe(w.inspector, month=D(2026, 1, 1), families_arrived=2, children_arrived=9)


@pytest.mark.parametrize(
    "counts,field",
    [
        ({}, "families_arrived"),
        ({"families_arrived": -1}, "families_arrived"),
        ({"families_arrived": 0, "children_arrived": 2}, "children_arrived"),
    ],
)
def test_refused_counts_name_their_field(w, counts, field):
    with pytest.raises(ValidationError) as refused:
        services.record_observation(
            actor=actor_of(w.focal), site=w.site, month=D(2026, 1, 1), source="inspection", **counts
        )
    assert field in refused.value.message_dict
    assert not MovementObservation.objects.exists()


def test_a_future_month_and_a_role_without_the_permission_are_refused(w):
    with pytest.raises(ValidationError):
        w.observe(w.focal, month=D(2026, 4, 1))  # today is 2 March 2026
    with pytest.raises(PermissionDenied):
        w.observe(w.viewer)


def test_only_the_organisation_that_counted_corrects(w):
    obs = w.observe(w.focal)
    with pytest.raises(PermissionDenied):
        services.correct_observation(
            actor=actor_of(w.other_manager), observation=obs, source="inspection", families_arrived=1
        )
    services.correct_observation(
        actor=actor_of(w.ngo_manager), observation=obs, source="inspection", families_arrived=7
    )
    obs.refresh_from_db()
    assert obs.families_arrived == 7 and obs.children_arrived is None
    assert AuditEvent.objects.filter(target_id=str(obs.uuid), action="update").exists()


def test_the_summary_keeps_the_highest_count_of_a_site_and_month_never_the_sum(w):
    w.observe(w.focal, families_arrived=3, children_arrived=5)
    w.observe(w.inspector, families_arrived=2, children_arrived=9, families_departed=1)
    w.observe(w.focal, month=D(2026, 2, 1), families_arrived=1, children_arrived=1)
    w.observe(w.focal, site=w.other_site, families_arrived=10, children_arrived=4)
    services.record_relocation(
        actor=actor_of(w.inspector),
        mining_title="PE 1234",
        from_place=w.kolwezi,
        month=D(2026, 2, 1),
        households=12,
        people=60,
        children=25,
    )
    s = selectors_movements.summary(actor_of(w.coordinator), year=2026)
    # Kasulo: January max(3, 2) + February 1 families arrived; Luilu 10.
    assert s.total.families_arrived == 14 and s.total.children_arrived == 9 + 1 + 4
    assert s.total.families_departed == 1 and s.total.households_relocated == 12
    by_territory = {row.label: row.figures for row in s.territories}
    assert (
        by_territory["Kolwezi"].children_arrived == 10 and by_territory["Kolwezi"].households_relocated == 12
    )
    assert by_territory["Mutshatsha"].families_arrived == 10
    assert [row.figures.children_arrived for row in s.months][:3] == [13, 1, 0]
    assert s.sites[0].label.startswith("Kasulo") and s.sites_observed == 2
    only_kolwezi = selectors_movements.summary(actor_of(w.coordinator), year=2026, territory=w.kolwezi)
    assert only_kolwezi.total.families_arrived == 4
    # An organisation outside the province-wide roles reads its own counts only.
    mine = selectors_movements.summary(actor_of(w.ngo_manager), year=2026)
    assert mine.total.children_arrived == 5 + 1 + 4 and mine.total.households_relocated == 0


def test_a_relocation_checks_its_counts(w):
    actor = actor_of(w.inspector)
    base = {"actor": actor, "mining_title": "PE 77", "from_place": w.kolwezi, "month": D(2026, 1, 1)}
    for extra, field in (
        ({"households": 0}, "households"),
        ({"households": 10, "people": 5}, "people"),
        ({"households": 2, "people": 8, "children": 9}, "children"),
        ({"households": 2, "destination": w.kolwezi}, "destination"),
    ):
        with pytest.raises(ValidationError) as refused:
            services.record_relocation(**base, **extra)
        assert field in refused.value.message_dict
    r = services.record_relocation(**base, households=3, destination=w.mutshatsha, site=w.site)
    assert r.territory == w.kolwezi and Relocation.objects.count() == 1


# --- pages and API: 403 without the permission, 404 outside the scope ------------------------------------------


def test_pages_by_role(w):
    obs = w.observe(w.focal)
    assert client_for(w.officer).get("/sites/mouvements/").status_code == 403
    page = client_for(w.coordinator).get("/sites/mouvements/")
    assert page.status_code == 200 and "Kasulo" in page.content.decode()
    assert client_for(w.viewer).get("/sites/mouvements/observer/").status_code == 403
    assert client_for(w.focal).get("/sites/mouvements/observer/").status_code == 200
    url = f"/sites/mouvements/{obs.uuid}/corriger/"
    assert client_for(w.other_manager).get(url).status_code == 404  # another organisation's counts
    assert client_for(w.inspector).get(url).status_code == 404  # reads them, but they are not its own
    assert client_for(w.viewer).get(url).status_code == 403
    assert client_for(w.ngo_manager).get(url).status_code == 200
    site_page = client_for(w.focal).get(f"/sites/{w.site.uuid}/").content.decode()
    assert "Mouvements de personnes" in site_page and "01/2026" in site_page


def test_recording_through_the_form_and_errors_in_french(w):
    client = client_for(w.focal)
    bad = client.post(
        "/sites/mouvements/observer/",
        {"site": w.site.pk, "month": "2026-02", "source": "community_network"},
    )
    assert bad.status_code == 400 and "Donnez au moins un comptage" in bad.content.decode()
    good = client.post(
        "/sites/mouvements/observer/",
        {"site": w.site.pk, "month": "2026-02", "source": "community_network", "families_arrived": "2"},
    )
    assert good.status_code == 302
    assert MovementObservation.objects.get().month == D(2026, 2, 1)
    relocation = client_for(w.inspector).post(
        "/sites/mouvements/relocalisations/ajouter/",
        {"mining_title": "PE 330", "from_place": w.kolwezi.pk, "month": "2026-01", "households": "8"},
    )
    assert relocation.status_code == 302 and Relocation.objects.get().households == 8


def test_the_api_scopes_lists_records_and_answers_field_errors(w):
    obs = w.observe(w.focal)
    assert client_for(w.coordinator).get("/api/v1/sites/movements/").json()["count"] == 1
    assert client_for(w.other_manager).get("/api/v1/sites/movements/").json()["count"] == 0
    assert client_for(w.other_manager).get(f"/api/v1/sites/movements/{obs.uuid}/").status_code == 404
    assert client_for(w.officer).get("/api/v1/sites/movements/").status_code == 403
    assert client_for(w.officer).get("/api/v1/sites/relocations/").status_code == 403
    body = {
        "site": str(w.other_site.uuid),
        "month": "2026-02-01",
        "source": "inspection",
        "children_arrived": 3,
    }
    created = client_for(w.inspector).post("/api/v1/sites/movements/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["territory"] == str(w.mutshatsha.uuid)
    refused = client_for(w.inspector).post(
        "/api/v1/sites/movements/",
        {**body, "month": "2026-03-01", "children_arrived": -2},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "children_arrived" in refused.json()
    assert (
        client_for(w.viewer)
        .post("/api/v1/sites/movements/", body, content_type="application/json")
        .status_code
        == 403
    )
    summary = client_for(w.coordinator).get("/api/v1/sites/movements/summary/?year=2026").json()
    assert summary["total"]["children_arrived"] == 5 + 3


def test_synth_demo_scale(reference_places, today):
    for i in range(4):
        make_organisation(f"ONG {i}", type=OrganisationType.NGO)
    ctx = SynthContext(scale="demo", seed=3)
    synth.generate_sites(ctx)
    synth_movements.generate(ctx)
    synth_movements.generate(ctx)  # a second run of the same seed adds nothing
    n = MovementObservation.objects.count()
    assert n == ctx.counts["sites_movementobservation"] > 100
    assert Relocation.objects.count() == ctx.counts["sites_relocation"] >= 3
    assert not MovementObservation.objects.filter(families_arrived=0, children_arrived__gt=0).exists()
    s = selectors_movements.summary(actor_of(make_member(make_organisation(), Role.ADMIN)), year=2026)
    assert s.total.children_arrived > 0
