"""The audit trail's page says in words what changed on what: the kind of record and each field by their names,
a choice by its label, a related record by its label, a date the French way — never a uuid, an id or a
`app.model` code (the stored changes keep the raw values for exports)."""

import pytest

from kinga.core import audit
from kinga.core.audit_display import describe
from kinga.core.models import AuditEvent, OrganisationType
from kinga.core.roles import Role
from kinga.core.testing import actor_of, client_for, make_member, make_organisation

pytestmark = pytest.mark.django_db


def test_the_audit_page_describes_changes_in_words():
    admin = make_member(make_organisation(), Role.ADMIN)
    org = make_organisation("Mwana Lualaba", type=OrganisationType.NGO)
    before = audit.snapshot(org)
    org.type = OrganisationType.COMPANY
    org.save(update_fields=["type"])
    audit.record_update(actor=actor_of(admin), obj=org, before=before)
    member = make_member(org, Role.CASEWORKER)
    audit.record_create(actor=actor_of(admin), obj=member)
    stored = AuditEvent.objects.get(target_type="core.membership").changes
    assert stored["organisation"] == [None, org.pk] and "uuid" in stored  # the trail itself keeps raw values
    AuditEvent.objects.create(
        action="update",
        target_type="core.organisation",
        target_id=str(org.uuid),
        changes={
            "created_at": ["2026-01-02T10:00:00+00:00", "2026-03-04T08:30:00+00:00"],
            "is_active": [True, False],
        },
    )

    page = client_for(admin).get("/audit/").content.decode()
    assert "<b>Type</b> : ONG → Entreprise" in page
    assert "<b>Organisation</b> : " in page and "Mwana Lualaba" in page
    assert "<b>Rôle</b> : Travailleur social" in page
    assert "<b>Actif</b> : oui → non" in page
    for raw in (
        "core.membership",
        "core.organisation",
        str(member.uuid),
        "[None",
        "ngo",
        "company",
        "created_at",
    ):
        assert raw not in page.split("<table", 1)[1], raw
    assert "Appartenance" in page and "Organisation — " in page


def test_ids_are_left_out_and_notes_translated():
    org = make_organisation()
    event = AuditEvent.objects.create(
        action="update",
        target_type="core.organisation",
        target_id=str(org.uuid),
        changes={"uuid": [None, "301a"], "id": [None, 5], "name": ["A", "B"]},
        note="plan file reloaded",
    )
    (described,) = describe([event])
    assert described["changes"] == [("Nom", "A", "B")]
    assert described["note"] == "fichier du plan rechargé"
