"""The field forms page at /terrain/formulaires/: who may see it, the XLSX and CSV downloads, 360 px."""

import pytest
from django.utils.html import escape
from playwright.sync_api import expect

from kinga.core.roles import Role
from kinga.core.testing import assert_fits_phone, client_for, make_member, make_organisation
from kinga.field.xlsforms import builder
from kinga.field.xlsforms.catalogue import FORMS
from kinga.sites.models import Site

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator():
    return make_member(make_organisation("IDAK"), Role.COORDINATOR)


def test_the_page_lists_every_form_with_its_downloads(client, coordinator):
    page = client_for(coordinator, client).get("/terrain/formulaires/")
    assert page.status_code == 200
    text = page.content.decode()
    for form_id, form in FORMS.items():
        assert f"/terrain/formulaires/{form_id}.xlsx" in text and escape(form.title.fr) in text
    assert "Télécharger le formulaire (XLSX)" in text and "/terrain/formulaires/listes/sites.csv" in text


def test_the_xlsx_download_converts_with_pyxform(client, coordinator):
    response = client_for(coordinator, client).get("/terrain/formulaires/kinga_follow_up.xlsx")
    assert (
        response.status_code == 200 and 'filename="kinga_follow_up.xlsx"' in response["Content-Disposition"]
    )
    xform = builder.to_xform(b"".join(response.streaming_content) if response.streaming else response.content)
    assert 'id="kinga_follow_up"' in xform


def test_the_csv_download_is_the_reference_data(client, coordinator, kolwezi):
    Site.objects.create(code="codmine00001", name="Kasulo", place=kolwezi)
    response = client_for(coordinator, client).get("/terrain/formulaires/listes/sites.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert (
        response.content.decode().splitlines()[1] == "codmine00001,Kasulo (codmine00001),codmine00001,CD7201"
    )


def test_the_lists_of_one_territory(client, coordinator, kolwezi):
    Site.objects.create(code="codmine00001", name="Kasulo", place=kolwezi)
    member = client_for(coordinator, client)
    page = member.get("/terrain/formulaires/", {"territoire": "CD7201"})
    assert "/terrain/formulaires/listes/sites.csv?territoire=CD7201" in page.content.decode()
    assert (
        "codmine00001"
        in member.get("/terrain/formulaires/listes/sites.csv", {"territoire": "CD7201"}).content.decode()
    )
    other = member.get("/terrain/formulaires/listes/sites.csv", {"territoire": "CD7202"})
    assert other.content.decode().splitlines() == ["name,label,code,territory"]
    assert member.get("/terrain/formulaires/listes/sites.csv", {"territoire": "XX99"}).status_code == 404


def test_unknown_form_or_list_is_404(client, coordinator):
    member = client_for(coordinator, client)
    assert member.get("/terrain/formulaires/kinga_nothing.xlsx").status_code == 404
    assert member.get("/terrain/formulaires/listes/children.csv").status_code == 404


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.FOCAL_POINT, Role.VIEWER, Role.SITE_INSPECTOR])
def test_roles_without_the_permission_get_403(client, role):
    member = client_for(make_member(make_organisation(), role), client)
    for url in (
        "/terrain/formulaires/",
        "/terrain/formulaires/kinga_alert.xlsx",
        "/terrain/formulaires/listes/places.csv",
    ):
        assert member.get(url).status_code == 403, url


def test_anonymous_is_sent_to_the_login(client):
    response = client.get("/terrain/formulaires/")
    assert response.status_code == 302 and "/terrain/formulaires/" in response["Location"]


@pytest.mark.browser
def test_a_data_clerk_downloads_a_form_on_a_phone(page, login_as):
    clerk = make_member(make_organisation("Enfance Lualaba"), Role.DATA_CLERK)
    login_as(clerk)
    page.goto("/terrain/formulaires/")
    expect(page.locator("h1")).to_contain_text("Formulaires de terrain")
    assert_fits_phone(page)
    with page.expect_download() as download:
        page.click("#form-kinga_follow_up a.button")
    content = download.value.path().read_bytes()
    assert 'id="kinga_follow_up"' in builder.to_xform(content)
