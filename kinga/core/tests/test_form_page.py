"""The one form page (kinga.core.forms.form_page, core/form_page.html), seen through the core screens using it."""

import pytest

from kinga.core.models import Place
from kinga.core.roles import Role
from kinga.core.testing import client_for, make_member, make_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def caseworker():
    return client_for(make_member(make_organisation(), Role.CASEWORKER))


def test_the_page_shows_its_french_title_fields_and_button(caseworker, kolwezi):
    page = caseworker.get("/lieux/ajouter/").content.decode()
    assert "<h1>Ajouter un lieu</h1>" in page
    assert 'name="name"' in page and 'name="parent"' in page
    assert ">Enregistrer</button>" in page
    assert "novalidate" in page


def test_a_service_refusal_lands_on_its_field_and_keeps_what_was_typed(caseworker, kolwezi):
    dilala = kolwezi.children.get(name="Dilala")
    response = caseworker.post("/lieux/ajouter/", {"name": "Manika", "parent": kolwezi.pk, "level": 3})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Un lieu de ce nom existe déjà sous Kolwezi." in page
    assert 'value="Manika"' in page
    assert not Place.objects.filter(parent=dilala, name="Manika").exists()


def test_success_flashes_and_redirects_where_the_view_says(caseworker, kolwezi):
    dilala = kolwezi.children.get(name="Dilala")
    response = caseworker.post(
        "/lieux/ajouter/", {"name": "Kasulo", "parent": dilala.pk, "level": 5}, follow=True
    )
    assert response.redirect_chain == [(f"/lieux/?parent={dilala.uuid}", 302)]
    assert "Lieu « Kasulo » ajouté." in response.content.decode()
    assert Place.objects.filter(parent=dilala, name="Kasulo").exists()


def test_the_organisation_page_offers_cancel_back_to_the_list():
    admin = client_for(make_member(make_organisation(), Role.ADMIN))
    page = admin.get("/organisations/ajouter/").content.decode()
    assert "<h1>Nouvelle organisation</h1>" in page
    assert 'href="/organisations/">Annuler</a>' in page
