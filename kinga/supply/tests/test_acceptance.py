"""Issue 8's acceptance, end to end on the real mine-sites status engine:

an inspection finding two children at a green site turns it red; an evacuation authorisation for a lot from it is
then refused with that reason; an override needs a second person of another role and a written reason; after the
site turns green again authorisations resume; the buyer's due-diligence report for the period shows the lots, the
statuses at the time, the red flag and the children's cases opened (counts only).
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kinga.cases import services as case_services
from kinga.core import clock
from kinga.core.models import AuditEvent
from kinga.core.roles import Role
from kinga.core.testing import client_for, make_member, make_organisation
from kinga.sites.selectors import child_labour_status
from kinga.supply import services
from kinga.supply.decision import reason_text
from kinga.supply.models import LotStatus, Outcome
from kinga.supply.report import add_months, due_diligence
from kinga.supply.tests.conftest import inspect

pytestmark = pytest.mark.django_db


def test_issue_8_acceptance(world):
    today = clock.today()
    d0, d1 = add_months(today, -8), add_months(today, -7)
    inspector, coordinator = world.actor(world.inspector), world.actor(world.coordinator)
    world.give_documents(issued=add_months(today, -10), valid_until=add_months(today, 6))

    # A green site: its lot is authorised and keeps "green".
    inspect(world, world.site, d0)
    assert child_labour_status(world.site, at=today).status == "green"
    lot_a = world.lot(date=d0 + datetime.timedelta(days=5))
    assert services.decide_evacuation(actor=inspector, lot=lot_a).outcome == Outcome.AUTHORISED

    # An inspection finds two children: the site turns red; two children's cases are opened there.
    inspect(world, world.site, d1, boys_under_15=1, girls_under_15=1, children_tasks="lavage du minerai")
    caseworker = world.actor(make_member(make_organisation("Enfance Lualaba"), Role.CASEWORKER))
    for given, sex, born in (("Trésor", "M", 2013), ("Grâce", "F", 2014)):
        case_services.register_case(
            actor=caseworker,
            given_name=given,
            family_name="Ilunga",
            sex=sex,
            date_of_birth=datetime.date(born, 5, 4),
            identification_method="site_inspection",
            identification_date=d1,
            identification_site=world.site,
            work_activities=["washing"],
            caregivers=[{"name": "Mama Ngalula", "relationship": "mère"}],
        )
    assert child_labour_status(world.site, at=today).status == "red"

    # Its next lot is refused, with the reason.
    lot_b = world.lot(date=d1 + datetime.timedelta(days=3))
    refusal = services.decide_evacuation(actor=inspector, lot=lot_b)
    assert refusal.outcome == Outcome.REFUSED
    assert [r["code"] for r in refusal.reasons] == ["site_red"]
    text = reason_text(refusal.reasons[0])
    assert "Kasulo" in text and "ROUGE" in text and refusal.site_status_reason in text

    # The override: asked in writing by one person, granted in writing by another person of another role.
    services.request_override(
        actor=inspector, authorisation=refusal, reason="Lot extrait et pesé avant la visite."
    )
    with pytest.raises(PermissionDenied):  # same role, another person
        services.decide_override(
            actor=world.actor(world.second_inspector),
            authorisation=refusal,
            approve=True,
            reason="Je confirme.",
        )
    with pytest.raises(ValidationError):  # no written reason
        services.decide_override(actor=coordinator, authorisation=refusal, approve=True, reason=" ")
    services.decide_override(
        actor=coordinator,
        authorisation=refusal,
        approve=True,
        reason="Pesée vérifiée avec la division des mines.",
    )
    lot_b.refresh_from_db()
    assert lot_b.status == LotStatus.OVERRIDDEN and lot_b.site_status == "red"
    assert AuditEvent.objects.filter(target_id=str(refusal.uuid), actor=world.inspector.user).count() == 2
    assert AuditEvent.objects.filter(target_id=str(refusal.uuid), actor=world.coordinator.user).count() == 1

    # While red, lots stay refused; a re-inspection 7 months after the finding clears it and they resume.
    lot_c = world.lot(date=today)
    assert services.decide_evacuation(actor=inspector, lot=lot_c).outcome == Outcome.REFUSED
    inspect(world, world.site, today)
    assert child_labour_status(world.site, at=today).status == "green"
    assert services.decide_evacuation(actor=inspector, lot=lot_c).outcome == Outcome.AUTHORISED
    lot_c.refresh_from_db()
    assert lot_c.status == LotStatus.AUTHORISED and lot_c.site_status == "green"

    # The buyer's due-diligence report for the period.
    report = due_diligence(world.actor(world.officer), buyer=world.buyer, start=d0, end=today)
    [row] = report.sites
    assert row.lots == 3
    assert row.by_snapshot == {"green": 2, "red": 1}
    assert row.red_at_time == 1  # lot B
    assert row.turned_red_after == 1 and row.red_onsets == [d1]  # lot A: the site turned red a month later
    assert row.cases_opened == 2 and row.children_identified == 2 and row.children_observed == 2
    assert {"red_at_time", "turned_red_after", "children"} <= set(row.flags)
    assert {(f.reference, f.flag) for f in report.flagged_lots} == {
        (lot_a.reference, "turned_red_after"),
        (lot_b.reference, "red_at_time"),
    }

    # The same on the company officer's screen, PDF and spreadsheet; counts only.
    client = client_for(world.officer)
    page = client.get("/supply/diligence/", {"start": d0.isoformat(), "end": today.isoformat()})
    body = page.content.decode()
    assert page.status_code == 200
    assert lot_a.reference in body and lot_b.reference in body
    assert "Site devenu rouge dans les 6 mois après le lot" in body
    assert (
        "Site rouge lors de l'autorisation du lot" in body
        or "Site rouge lors de l&#x27;autorisation du lot" in body
    )
    assert "lavage du minerai" not in body  # what the children did stays in the inspection
    pdf = client.get(
        "/supply/diligence/", {"start": d0.isoformat(), "end": today.isoformat(), "format": "pdf"}
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = client.get(
        "/supply/diligence/", {"start": d0.isoformat(), "end": today.isoformat(), "format": "xlsx"}
    )
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert AuditEvent.objects.filter(action="export", target_type="supply.due_diligence").count() == 3
    assert "Ilunga" not in body and "Trésor" not in body  # no identity, only counts
