import io
import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from kinga.core.models import AuditEvent, Place
from kinga.core.roles import Role
from kinga.core.testing import actor_of, client_for, make_member, make_organisation
from kinga.sites import services
from kinga.sites.models import INSPECTION_FIELDS, Inspection, InspectionPhoto, Site, StatusChange, Zone
from kinga.sites.status import CONDITIONS, add_months
from kinga.sites.tests.factories import make_site, months_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(reference_places):
    return make_site(name="Kasulo")


@pytest.fixture
def inspection(site):
    inspector = actor_of(make_member(make_organisation(), Role.SITE_INSPECTOR))
    return services.record_inspection(actor=inspector, site=site, date=months_ago(1))


@pytest.fixture
def zone(reference_places):
    admin = actor_of(make_member(make_organisation(), Role.ADMIN))

    return services.create_zone(
        actor=admin, code="ZEA-1", name="ZEA Kapata", place=Place.objects.get(pcode="CD7201")
    )


def read_pages(site, inspection, zone):
    return [
        "/sites/",
        "/sites/carte/",
        "/sites/carte/donnees.json",
        f"/sites/{site.uuid}/",
        f"/sites/inspections/{inspection.uuid}/",
        "/sites/regles/",
        "/sites/zea/",
        f"/sites/zea/{zone.uuid}/",
        "/api/v1/sites/",
        f"/api/v1/sites/{site.uuid}/",
        f"/api/v1/sites/{site.uuid}/status/",
        f"/api/v1/sites/{site.uuid}/timeline/",
        "/api/v1/sites/map/",
        "/api/v1/site-inspections/",
        "/api/v1/zones/",
        "/api/v1/zones/progress/",
    ]


def test_anonymous_users_cannot_read_anything(site, inspection, zone):
    for url in read_pages(site, inspection, zone):
        response = Client().get(url)
        assert response.status_code in (302, 401, 403), url
        if response.status_code == 302:
            assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", [Role.VIEWER, Role.COMPANY_OFFICER, Role.FOCAL_POINT, Role.SITE_INSPECTOR])
def test_every_role_reads_sites(role, site, inspection, zone):
    client = client_for(make_member(make_organisation(), role))
    # What each page must show: the site, or the zone, by name.
    shows = {
        "/sites/": "Kasulo",
        "/sites/carte/donnees.json": "Kasulo",
        f"/sites/{site.uuid}/": "Kasulo",
        f"/sites/inspections/{inspection.uuid}/": "Kasulo",
        "/sites/zea/": "ZEA Kapata",
        f"/sites/zea/{zone.uuid}/": "ZEA Kapata",
        "/api/v1/sites/": "Kasulo",
        f"/api/v1/sites/{site.uuid}/": "Kasulo",
        "/api/v1/site-inspections/": str(inspection.uuid),
        "/api/v1/zones/": "ZEA Kapata",
    }
    for url in read_pages(site, inspection, zone):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        if url in shows:
            assert shows[url] in body, url
        if response["Content-Type"].startswith("text/html"):
            assert '<html lang="fr">' in body, url


@pytest.mark.parametrize(
    "url",
    ["/sites/ajouter/", "/sites/zea/ajouter/", "SITE/modifier/", "SITE/inspecter/", "ZONE/modifier/"],
)
def test_write_pages_need_their_permission(url, site, zone):
    url = url.replace("SITE", f"/sites/{site.uuid}").replace("ZONE", f"/sites/zea/{zone.uuid}")
    viewer = client_for(make_member(make_organisation(), Role.VIEWER))
    before = (
        Site.objects.count(),
        Zone.objects.count(),
        Inspection.objects.count(),
        AuditEvent.objects.count(),
    )
    page = viewer.get(url)
    assert page.status_code == 403
    # Refused before the form: none of its fields is shown.
    assert 'name="name"' not in page.content.decode() and 'name="date"' not in page.content.decode()
    assert viewer.post(url, {"name": "Changé", "code": "X1"}).status_code == 403
    # Nothing written, nothing audited.
    after = (
        Site.objects.count(),
        Zone.objects.count(),
        Inspection.objects.count(),
        AuditEvent.objects.count(),
    )
    assert after == before
    assert not Site.objects.filter(name="Changé").exists() and not Zone.objects.filter(name="Changé").exists()


def test_unknown_objects_are_404(reference_places):
    client = client_for(make_member(make_organisation(), Role.SITE_INSPECTOR))
    for url in (
        f"/sites/{uuid.uuid4()}/",
        f"/sites/inspections/{uuid.uuid4()}/",
        f"/sites/zea/{uuid.uuid4()}/",
        f"/api/v1/sites/{uuid.uuid4()}/",
        f"/sites/photos/{uuid.uuid4()}/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        # Nothing found, nothing shown: no form to fill, no record's fields.
        body = response.content.decode()
        assert 'name="latitude"' not in body and '"latitude"' not in body and '"uuid"' not in body, url


def test_photos_need_their_permission(inspection):
    viewer = client_for(make_member(make_organisation(), Role.VIEWER))
    assert viewer.get(f"/sites/photos/{uuid.uuid4()}/").status_code == 403
    assert viewer.post(f"/sites/inspections/{inspection.uuid}/photos/").status_code == 403
    # The inspection page shows a viewer no photo and no way to add one.
    page = viewer.get(f"/sites/inspections/{inspection.uuid}/").content.decode()
    assert "/sites/photos/" not in page and f"/sites/inspections/{inspection.uuid}/photos/" not in page
    assert not InspectionPhoto.objects.exists()


def test_rules_are_read_by_all_but_changed_by_admins_only(site):
    coordinator = client_for(make_member(make_organisation(), Role.COORDINATOR))
    assert coordinator.post("/sites/regles/", {"expiry_months": 6}).status_code == 403
    admin = client_for(make_member(make_organisation(), Role.ADMIN))
    page = admin.get("/sites/regles/")
    assert page.status_code == 200

    data = {f"rule_{c}": d for c, (d, _l) in CONDITIONS.items()}
    data.update(correction_months=3, red_clearance_months=6, expiry_months=24)
    assert admin.post("/sites/regles/", data).status_code == 302
    assert AuditEvent.objects.filter(target_type="sites.statuspolicy").exists()


def test_acceptance_two_children_red_then_green_on_timeline_and_map(site):
    inspector_member = make_member(make_organisation(), Role.SITE_INSPECTOR)
    client = client_for(inspector_member)
    base = {"safety": "none", "boys_under_15": 0, "girls_under_15": 0, "boys_15_17": 0, "girls_15_17": 0}
    first = add_months(months_ago(0), -8)
    assert (
        client.post(f"/sites/{site.uuid}/inspecter/", {**base, "date": first.isoformat()}).status_code == 302
    )
    site.refresh_from_db()
    assert site.status == "green"
    finding = months_ago(7)
    response = client.post(
        f"/sites/{site.uuid}/inspecter/",
        {
            **base,
            "date": finding.isoformat(),
            "boys_under_15": 1,
            "girls_15_17": 1,
            "children_tasks": "lavage",
            "action_1": "Retirer les enfants des puits",
            "deadline_1": months_ago(6).isoformat(),
        },
    )
    assert response.status_code == 302
    page = client.get(f"/sites/{site.uuid}/").content.decode()
    assert 'id="site-status">Rouge' in page and "2 enfants" in page
    features = json.loads(client.get("/sites/carte/donnees.json").content)["sites"]
    assert [f[3] for f in features if f[0] == str(site.uuid)] == ["red"]
    assert [f[4] for f in features if f[0] == str(site.uuid)] == [1]
    response = client.post(
        f"/sites/{site.uuid}/inspecter/", {**base, "date": add_months(finding, 6).isoformat()}
    )
    assert response.status_code == 302
    page = client.get(f"/sites/{site.uuid}/").content.decode()
    assert 'id="site-status">Vert' in page
    assert "rouge levé" in page and "2 enfants" in page  # both changes stay on the timeline
    features = json.loads(client.get("/sites/carte/donnees.json?status=green").content)["sites"]
    assert str(site.uuid) in [f[0] for f in features]
    assert StatusChange.objects.filter(site=site).count() == 3  # blue→green, green→red, red→green
    assert AuditEvent.objects.filter(target_type="sites.inspection").count() == 3


def test_inspection_form_errors_are_shown_in_french(site):
    client = client_for(make_member(make_organisation(), Role.SITE_INSPECTOR))
    response = client.post(
        f"/sites/{site.uuid}/inspecter/",
        {
            "date": "2999-01-01",
            "safety": "none",
            "boys_under_15": 0,
            "girls_under_15": 0,
            "boys_15_17": 0,
            "girls_15_17": 0,
        },
    )
    assert response.status_code == 400
    assert "futur" in response.content.decode()
    assert not Inspection.objects.filter(site=site).exists()


def test_site_place_can_be_corrected_and_is_audited(site):
    client = client_for(make_member(make_organisation(), Role.COORDINATOR))
    lubudi = Place.objects.get(pcode="CD7203")
    response = client.post(
        f"/sites/{site.uuid}/modifier/",
        {"name": site.name, "place": lubudi.pk, "site_type": "informal", "minerals": "Cobalt"},
    )
    assert response.status_code == 302
    site.refresh_from_db()
    assert site.territory == lubudi and site.minerals == ["Cobalt"]
    assert AuditEvent.objects.filter(target_type="sites.site", action="update").exists()


def test_zone_lifecycle_through_the_screens(zone):
    client = client_for(make_member(make_organisation(), Role.SITE_INSPECTOR))
    url = f"/sites/zea/{zone.uuid}/"
    response = client.post(url, {"stage-stage": "located", "stage-on": months_ago(3).isoformat()})
    assert response.status_code == 400 and "superficie" in response.content.decode()
    edit = {
        "name": zone.name,
        "place": zone.place_id,
        "area_ha": "120",
        "latitude": "-10.7",
        "longitude": "25.4",
    }
    assert client.post(f"/sites/zea/{zone.uuid}/modifier/", edit).status_code == 302
    assert (
        client.post(url, {"stage-stage": "located", "stage-on": months_ago(3).isoformat()}).status_code == 302
    )
    assert (
        client.post(
            url,
            {
                "study-title": "Étude",
                "study-kind": "mineralisation",
                "study-url": "https://example.org/e.pdf",
                "study-published_on": months_ago(2).isoformat(),
            },
        ).status_code
        == 302
    )
    assert (
        client.post(url, {"stage-stage": "viable", "stage-on": months_ago(1).isoformat()}).status_code == 302
    )
    assert (
        client.post(
            url,
            {"stage-stage": "equipped", "stage-on": months_ago(0).isoformat(), "stage-processing_units": 2},
        ).status_code
        == 302
    )
    zone.refresh_from_db()
    assert zone.stage == "equipped" and zone.processing_units == 2
    progress = client.get("/api/v1/zones/progress/").json()
    assert {p["key"]: p["value"] for p in progress} == {"located": 1, "viable": 1, "equipped": 1}
    assert AuditEvent.objects.filter(target_type="sites.zone", action="update").count() >= 3


def test_api_inspection_create_needs_permission_and_gives_field_errors(site):
    viewer = client_for(make_member(make_organisation(), Role.VIEWER))
    payload = {"site": str(site.uuid), "date": months_ago(1).isoformat(), "boys_under_15": 2}
    assert (
        viewer.post("/api/v1/site-inspections/", payload, content_type="application/json").status_code == 403
    )
    inspector = client_for(make_member(make_organisation(), Role.SITE_INSPECTOR))
    bad = inspector.post(
        "/api/v1/site-inspections/", {**payload, "date": "2999-01-01"}, content_type="application/json"
    )
    assert bad.status_code == 400 and "date" in bad.json()
    ok = inspector.post("/api/v1/site-inspections/", payload, content_type="application/json")
    assert ok.status_code == 201, ok.content
    status = inspector.get(f"/api/v1/sites/{site.uuid}/status/").json()
    assert status["status"] == "red" and status["authorisations_suspended"] is True
    assert Site.objects.get(pk=site.pk).status == "red"


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "brown").save(buffer, "PNG")
    return buffer.getvalue()


def test_api_inspection_takes_and_shows_every_field_an_inspector_records(site):
    # The API's inspection fields are the one list in kinga.sites.models: the women's fields included.
    inspector = client_for(make_member(make_organisation(), Role.SITE_INSPECTOR))
    payload = {
        "site": str(site.uuid),
        "date": months_ago(1).isoformat(),
        "women_seen": True,
        "women_tasks": "Lavage du minerai",
        "pregnant_women_working": True,
        "children_tasks": "Transport des sacs",
    }
    created = inspector.post("/api/v1/site-inspections/", payload, content_type="application/json")
    assert created.status_code == 201, created.content
    inspection = Inspection.objects.get(uuid=created.json()["uuid"])
    assert inspection.women_seen is True and inspection.women_tasks == "Lavage du minerai"
    shown = inspector.get(f"/api/v1/site-inspections/{inspection.uuid}/").json()
    assert set(INSPECTION_FIELDS) <= set(shown)
    assert shown["women_seen"] is True and shown["women_tasks"] == "Lavage du minerai"
    assert shown["children_tasks"] == "Transport des sacs"


def test_photos_and_corrective_actions_are_recorded_and_audited(site, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    member = make_member(make_organisation(), Role.SITE_INSPECTOR)
    inspection = services.record_inspection(
        actor=actor_of(member), site=site, date=months_ago(1), actions=[("Clôturer les puits", months_ago(0))]
    )
    client = client_for(member)
    bad = SimpleUploadedFile("note.txt", b"x", content_type="text/plain")
    client.post(f"/sites/inspections/{inspection.uuid}/photos/", {"image": bad})
    assert not inspection.photos.exists()
    photo = SimpleUploadedFile("puits.jpg", _png(), content_type="image/jpeg")
    client.post(f"/sites/inspections/{inspection.uuid}/photos/", {"image": photo, "caption": "Puits"})
    stored = inspection.photos.get()
    assert client.get(f"/sites/photos/{stored.uuid}/").status_code == 200
    viewer = client_for(make_member(make_organisation(), Role.VIEWER))
    assert viewer.get(f"/sites/photos/{stored.uuid}/").status_code == 403
    assert "Puits" not in viewer.get(f"/sites/inspections/{inspection.uuid}/").content.decode()
    action = inspection.actions.get()
    response = client.post(f"/sites/mesures/{action.uuid}/fait/", {"done_on": months_ago(0).isoformat()})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.done_on == months_ago(0)
    assert (
        viewer.post(f"/sites/mesures/{action.uuid}/fait/", {"done_on": months_ago(0).isoformat()}).status_code
        == 403
    )
    assert AuditEvent.objects.filter(target_type="sites.inspectionphoto", action="create").exists()
    assert AuditEvent.objects.filter(target_type="sites.correctiveaction", action="update").exists()


def test_a_refused_corrective_action_comes_back_to_the_inspection_with_its_french_error(site):
    member = make_member(make_organisation(), Role.SITE_INSPECTOR)
    inspection = services.record_inspection(
        actor=actor_of(member), site=site, date=months_ago(1), actions=[("Clôturer les puits", months_ago(0))]
    )
    action = inspection.actions.get()
    client = client_for(member)
    next_month = add_months(months_ago(0), 1)
    response = client.post(
        f"/sites/mesures/{action.uuid}/fait/", {"done_on": next_month.isoformat()}, follow=True
    )
    assert response.redirect_chain == [(f"/sites/inspections/{inspection.uuid}/", 302)]
    page = response.content.decode()
    assert "Cette date est dans le futur." in page and "Mesure corrective marquée comme réalisée" not in page
    response = client.post(f"/sites/mesures/{action.uuid}/fait/", {"done_on": ""}, follow=True)
    assert "Indiquez la date de réalisation de la mesure." in response.content.decode()
    action.refresh_from_db()
    assert action.done_on is None
