"""Photos and documents are accepted by their content, not their name; what serves them is never cached."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from kinga.core.models import Place
from kinga.core.roles import Role
from kinga.core.testing import actor_of, client_for, make_member, make_organisation
from kinga.sites import services
from kinga.sites.tests.factories import make_site, months_ago

pytestmark = pytest.mark.django_db
PAGE = b"<html><script>fetch('/cases/export/')</script></html>"


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "brown").save(buffer, "PNG")
    return buffer.getvalue()


def _broken_png() -> bytes:
    """A PNG whose header Pillow opens but whose image data is damaged: only verify() finds it out."""
    data = bytearray(_png())
    data[data.index(b"IDAT") + 6] ^= 0xFF
    return bytes(data)


@pytest.fixture
def inspection(reference_places, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    member = make_member(make_organisation(), Role.SITE_INSPECTOR)
    site = make_site(Place.objects.get(pcode="CD7201"))
    inspection = services.record_inspection(actor=actor_of(member), site=site, date=months_ago(1))
    return member, inspection


@pytest.mark.parametrize(
    "content",
    [PAGE, b"\xff\xd8\xff\xe0 not really a jpeg", b"%PDF-1.4 a document", _broken_png()],
    ids=["html", "jpeg-header", "pdf", "damaged-png"],
)
def test_a_photo_is_checked_by_its_content_with_a_french_error(inspection, content):
    member, inspection = inspection
    client = client_for(member)
    upload = SimpleUploadedFile("puits.jpg", content, content_type="image/jpeg")
    response = client.post(f"/sites/inspections/{inspection.uuid}/photos/", {"image": upload}, follow=True)
    assert not inspection.photos.exists()
    assert "pas une photo" in response.content.decode()


def test_a_real_photo_is_kept_and_served_private_and_uncached(inspection):
    member, inspection = inspection
    client = client_for(member)
    upload = SimpleUploadedFile("puits.jpg", _png(), content_type="image/jpeg")
    client.post(f"/sites/inspections/{inspection.uuid}/photos/", {"image": upload})
    photo = inspection.photos.get()
    response = client.get(f"/sites/photos/{photo.uuid}/")
    assert response.status_code == 200
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    page = client.get(f"/sites/inspections/{inspection.uuid}/")
    assert "no-store" in page["Cache-Control"]  # every signed-in page, not only the files


def test_a_study_document_is_checked_by_its_content(reference_places):
    admin = actor_of(make_member(make_organisation(), Role.ADMIN))
    zone = services.create_zone(
        actor=admin, code="ZEA-7", name="ZEA Musonoie", place=Place.objects.get(pcode="CD7201")
    )
    inspector = actor_of(make_member(make_organisation(), Role.SITE_INSPECTOR))
    with pytest.raises(ValidationError) as refused:
        services.add_study(
            actor=inspector,
            zone=zone,
            title="Étude",
            document=SimpleUploadedFile("etude.pdf", PAGE, content_type="application/pdf"),
        )
    assert "document" in refused.value.message_dict
    study = services.add_study(
        actor=inspector,
        zone=zone,
        title="Étude",
        document=SimpleUploadedFile("etude.pdf", b"%PDF-1.4 etude", content_type="application/pdf"),
    )
    assert study.document
