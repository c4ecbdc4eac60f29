import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kinga.core import audit, services
from kinga.core.actors import system_actor
from kinga.core.audit import PROTECTED_MARK
from kinga.core.models import AuditEvent, OrganisationType, User
from kinga.core.roles import Role
from kinga.core.testing import actor_of, client_for, make_member, make_organisation

pytestmark = pytest.mark.django_db


def test_update_through_a_service_is_audited_field_by_field():
    admin = actor_of(make_member(make_organisation(), Role.ADMIN))
    org = services.create_organisation(
        actor=admin, name="Bon Berger", type=OrganisationType.NGO, acronym="BB"
    )
    services.update_organisation(actor=admin, organisation=org, acronym="BBK", type=OrganisationType.PARTNER)
    event = AuditEvent.objects.filter(target_id=str(org.uuid), action="update").get()
    assert event.actor == admin.user
    assert event.organisation == admin.organisation
    # The old acronym stays an alias: older documents still name the organisation by it.
    assert event.changes == {
        "acronym": ["BB", "BBK"],
        "type": ["ngo", "partner"],
        "aliases": [["BB", "Bon Berger"], ["BB", "BBK", "Bon Berger"]],
    }


def test_bad_input_writes_nothing():
    admin = actor_of(make_member(make_organisation(), Role.ADMIN))
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.create_organisation(actor=admin, name="  ", type="gang")
    assert set(exc.value.message_dict) == {"name", "type"}
    assert AuditEvent.objects.count() == before


def test_the_trail_cannot_be_changed_or_deleted():
    event = AuditEvent.objects.create(action="other", target_type="x")
    event.note = "tampered"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(note="tampered")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


def test_the_api_offers_no_way_to_write_the_trail():
    admin = make_member(make_organisation(), Role.ADMIN)
    client = client_for(admin)
    event = AuditEvent.objects.create(action="other", target_type="x")
    url = f"/api/v1/audit/{event.uuid}/"
    assert client.get(url).status_code == 200
    assert client.delete(url).status_code == 405
    assert client.patch(url, {"note": "x"}, content_type="application/json").status_code == 405
    assert (
        client.post("/api/v1/audit/", {"action": "other"}, content_type="application/json").status_code == 405
    )


def test_protected_fields_are_recorded_as_changed_never_with_their_value():
    user = User.objects.create_user(email="p@test.cd", password="x" * 12)
    before = audit.snapshot(user)
    user.phone = "+243 970 000 111"
    user.save(update_fields=["phone"])
    event = audit.record_update(actor=system_actor(), obj=user, before=before)
    assert event.changes == {"phone": PROTECTED_MARK}
    assert "970" not in str(AuditEvent.objects.values_list("changes", flat=True)[0])


def test_only_administrators_and_coordinators_browse_the_trail():
    org = make_organisation()
    for role, expected in (
        (Role.ADMIN, 200),
        (Role.COORDINATOR, 200),
        (Role.CASEWORKER, 403),
        (Role.VIEWER, 403),
    ):
        assert client_for(make_member(org, role)).get("/audit/").status_code == expected, role


def _event_at(day: str, organisation, note: str):
    at = timezone.make_aware(datetime.datetime.fromisoformat(f"{day} 12:00"))
    return AuditEvent.objects.create(
        action="other", target_type="test.thing", organisation=organisation, note=note, at=at
    )


def test_the_trail_is_filtered_by_date_range_and_organisation():
    org_a, org_b = make_organisation(), make_organisation()
    _event_at("2026-03-01", org_a, "march-a")
    _event_at("2026-03-15", org_b, "mid-march-b")
    _event_at("2026-03-31", org_a, "end-march-a")
    _event_at("2026-04-02", org_a, "april-a")
    client = client_for(make_member(make_organisation(), Role.COORDINATOR))

    def notes(**params):
        response = client.get("/audit/", {"target_type": "test.thing", **params})
        assert response.status_code == 200
        body = response.content.decode()
        return {n for n in ("march-a", "mid-march-b", "end-march-a", "april-a") if f"<div>{n}</div>" in body}

    assert notes() == {"march-a", "mid-march-b", "end-march-a", "april-a"}
    assert notes(date_from="2026-03-15", date_to="2026-03-31") == {"mid-march-b", "end-march-a"}  # inclusive
    assert notes(organisation=str(org_a.uuid)) == {"march-a", "end-march-a", "april-a"}
    assert notes(organisation=str(org_a.uuid), date_to="2026-03-31") == {"march-a", "end-march-a"}
    assert notes(date_from="2026-04-01") == {"april-a"}


def test_bad_audit_filters_are_explained_not_ignored():
    client = client_for(make_member(make_organisation(), Role.ADMIN))
    response = client.get("/audit/", {"date_from": "31/03/2026", "organisation": "nope"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Date invalide" in body and "Organisation inconnue" in body


def test_the_pager_keeps_the_filters():
    org = make_organisation()
    for i in range(51):
        _event_at("2026-03-01", org, f"e{i}")
    client = client_for(make_member(make_organisation(), Role.ADMIN))
    body = client.get("/audit/", {"organisation": str(org.uuid)}).content.decode()
    assert f"organisation={org.uuid}" in body and "page=2" in body
