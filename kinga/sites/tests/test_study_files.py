"""ZEA study documents are served only through the app, after the access check of the study."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import Resolver404, resolve

from kinga.core.models import Place
from kinga.core.roles import Role
from kinga.core.testing import actor_of, client_for, make_member, make_organisation
from kinga.sites import services

pytestmark = pytest.mark.django_db

CONTENT = b"%PDF-1.4 etude de mineralisation Kapata"


@pytest.fixture
def zone(reference_places):
    admin = actor_of(make_member(make_organisation(), Role.ADMIN))
    return services.create_zone(
        actor=admin, code="ZEA-9", name="ZEA Kapata", place=Place.objects.get(pcode="CD7201")
    )


@pytest.fixture
def study(zone):
    inspector = actor_of(make_member(make_organisation(), Role.SITE_INSPECTOR))
    return services.add_study(
        actor=inspector,
        zone=zone,
        title="Étude de minéralisation",
        document=SimpleUploadedFile("etude-kapata.pdf", CONTENT, content_type="application/pdf"),
    )


def download_url(study) -> str:
    return f"/sites/zea/etudes/{study.uuid}/document/"


@pytest.mark.parametrize("role", [Role.VIEWER, Role.SITE_INSPECTOR, Role.FOCAL_POINT])
def test_whoever_reads_the_zone_downloads_its_study_as_an_attachment(role, study):
    client = client_for(make_member(make_organisation(), role))
    page = client.get(f"/sites/zea/{study.zone.uuid}/").content.decode()
    assert download_url(study) in page
    assert settings.MEDIA_URL not in page  # the zone page never links to the stored file itself

    response = client.get(download_url(study))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == CONTENT
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and "etude-kapata" in disposition
    assert "no-store" in response["Cache-Control"]


def test_anonymous_users_are_sent_to_the_login_page(study):
    response = Client().get(download_url(study))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    # The file itself never reaches an anonymous visitor.
    assert CONTENT not in response.content and "Content-Disposition" not in response


def test_a_person_without_an_active_membership_is_refused(study):
    membership = make_member(make_organisation(), Role.SITE_INSPECTOR)
    client = client_for(membership)
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    response = client.get(download_url(study))
    assert response.status_code == 403
    assert CONTENT not in response.content


def test_an_unknown_study_or_a_study_without_file_is_404(zone):
    inspector = make_member(make_organisation(), Role.SITE_INSPECTOR)
    link_only = services.add_study(
        actor=actor_of(inspector), zone=zone, title="Étude en ligne", url="https://example.org/etude.pdf"
    )
    client = client_for(inspector)
    for response in (
        client.get(f"/sites/zea/etudes/{uuid.uuid4()}/document/"),
        client.get(download_url(link_only)),
    ):
        assert response.status_code == 404
        # No file is offered in place of the missing one.
        assert "Content-Disposition" not in response and CONTENT not in response.content


def test_the_stored_file_is_not_served_under_media_url(study):
    assert study.document.url.startswith(settings.MEDIA_URL)
    with pytest.raises(Resolver404):
        resolve(study.document.url)
    client = client_for(make_member(make_organisation(), Role.ADMIN))
    response = client.get(study.document.url)
    assert response.status_code == 404
    assert CONTENT not in response.content


PRODUCTION_CHECK = """
import django
django.setup()
from django.conf import settings
from django.urls import Resolver404, resolve
assert not settings.DEBUG
for path in (settings.MEDIA_URL + "sites/studies/etude.pdf", settings.MEDIA_URL + "sites/photos/2026/01/p.jpg"):
    try:
        match = resolve(path)
    except Resolver404:
        continue
    raise SystemExit(f"{path} is served by {match.func!r}")
print("MEDIA NOT ROUTED")
"""


def test_production_settings_route_nothing_under_media_url(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kinga.settings.production",
        "SECRET_KEY": "production-check-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "kinga.example.cd",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        "KINGA_ENCRYPTION_KEYS": "z1ZxPq8D3aOEXtmHgsPUyk8bw8C3L0y_9oB6z2b8gXY=",
        "KINGA_BLIND_INDEX_KEY": "production-check-blind-index-key",
        "KINGA_VAR_DIR": str(tmp_path / "var"),
    }
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_CHECK],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).resolve().parents[3],
    )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "MEDIA NOT ROUTED" in result.stdout
