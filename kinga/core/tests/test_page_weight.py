"""Slow links: a list page of 50 rows stays under 30 KB once compressed (the budget of every list page)."""

import gzip

import pytest

from kinga.core.models import AuditEvent, Organisation, OrganisationAlias, Place, PlaceLevel
from kinga.core.roles import Role
from kinga.core.testing import client_for, make_member, make_organisation

pytestmark = pytest.mark.django_db
BUDGET = 30 * 1024


def _compressed_size(client, url) -> int:
    response = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.get("Content-Encoding") == "gzip"  # the server compresses: the budget is on the wire
    return len(response.content)


def test_organisations_list_of_50_rows_is_under_budget():
    for i in range(60):
        org = Organisation.objects.create(
            name=f"Organisation non gouvernementale de protection de l'enfance numéro {i}",
            acronym=f"ONGPE{i}",
            type="ngo",
        )
        OrganisationAlias.objects.create(organisation=org, alias=f"ONG PE {i}", normalised=f"ongpe{i}x")
    client = client_for(make_member(make_organisation(), Role.ADMIN))
    size = _compressed_size(client, "/organisations/")
    body = gzip.decompress(
        client.get("/organisations/", headers={"Accept-Encoding": "gzip"}).content
    ).decode()
    assert body.count("<tr>") >= 51  # header + 50 rows
    assert size < BUDGET, f"{size} bytes"


def test_places_list_of_50_rows_is_under_budget(kolwezi):
    for i in range(60):
        place = Place.objects.create(
            name=f"Quartier {i:02d} de Kolwezi", level=PlaceLevel.COMMUNE, parent=kolwezi
        )
        Place.objects.filter(pk=place.pk).update(path=f"{kolwezi.path}{place.pk}/")
    client = client_for(make_member(make_organisation(), Role.CASEWORKER))
    assert _compressed_size(client, f"/lieux/?parent={kolwezi.uuid}") < BUDGET


def test_audit_trail_page_of_50_rows_is_under_budget():
    org = make_organisation()
    for i in range(60):
        AuditEvent.objects.create(
            action="update",
            target_type="core.organisation",
            target_id=f"id-{i}",
            target_label=f"Organisation {i}",
            organisation=org,
            changes={"name": [f"Ancien nom {i}", f"Nouveau nom {i}"], "acronym": ["A", "B"]},
        )
    client = client_for(make_member(make_organisation(), Role.COORDINATOR))
    assert _compressed_size(client, "/audit/") < BUDGET
