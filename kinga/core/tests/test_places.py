import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kinga.core import services
from kinga.core.models import AuditEvent, Place
from kinga.core.reference import load_places
from kinga.core.roles import Role
from kinga.core.testing import actor_of, client_for, make_member, make_organisation

pytestmark = pytest.mark.django_db


def test_reference_places_hold_lualaba_and_its_territories(reference_places):
    lualaba = Place.objects.get(pcode="CD72")
    assert sorted(lualaba.children.values_list("pcode", flat=True)) == [f"CD720{i}" for i in range(1, 8)]
    kolwezi = Place.objects.get(pcode="CD7201")
    assert kolwezi.short_code == "KZI"
    assert set(kolwezi.children.values_list("name", flat=True)) == {"Dilala", "Manika"}
    assert Place.objects.filter(level=1).count() == 26


def test_loading_twice_changes_nothing(reference_places):
    count = Place.objects.count()
    assert load_places() == 0
    assert Place.objects.count() == count


def test_a_caseworker_adds_a_village_under_a_commune(kolwezi):
    actor = actor_of(make_member(make_organisation(), Role.CASEWORKER))
    dilala = kolwezi.children.get(name="Dilala")
    village = services.create_place(actor=actor, name="Kasulo", parent=dilala, level=5)
    assert village.path.startswith(dilala.path)
    assert village.territory == kolwezi
    assert AuditEvent.objects.filter(target_id=str(village.uuid), action="create").exists()


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"name": ""}, "name"),
        ({"latitude": 10}, "latitude"),
        ({"latitude": 95, "longitude": 20}, "latitude"),
        ({"level": 1}, "level"),
    ],
)
def test_bad_place_input_is_refused_and_writes_nothing(kolwezi, kwargs, field):
    actor = actor_of(make_member(make_organisation(), Role.CASEWORKER))
    count = Place.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.create_place(actor=actor, **{"name": "Kanina", "parent": kolwezi, **kwargs})
    assert field in exc.value.message_dict
    assert Place.objects.count() == count


def test_viewer_cannot_add_places(kolwezi):
    with pytest.raises(PermissionDenied):
        services.create_place(
            actor=actor_of(make_member(make_organisation(), Role.VIEWER)), name="X", parent=kolwezi
        )


def test_add_place_form_shows_french_errors(kolwezi):
    client = client_for(make_member(make_organisation(), Role.CASEWORKER))
    response = client.post("/lieux/ajouter/", {"name": "", "parent": kolwezi.pk, "level": 3})
    assert response.status_code == 400
    assert "Ce champ est obligatoire." in response.content.decode()


def test_api_unknown_pcode_is_a_field_error(reference_places):
    client = client_for(make_member(make_organisation(), Role.CASEWORKER))
    response = client.post(
        "/api/v1/places/",
        {"name": "Kasulo", "level": 5, "parent_pcode": "CD9999"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "pcode" in response.json()


def test_api_wrong_json_types_are_field_errors(kolwezi):
    client = client_for(make_member(make_organisation(), Role.CASEWORKER))
    response = client.post(
        "/api/v1/places/",
        {"name": ["not", "a", "string"], "level": "five", "parent_pcode": "CD7201"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert {"name", "level"} <= set(response.json())
