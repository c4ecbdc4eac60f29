"""Agreements between buyers and their suppliers with child-labour clauses, their verification visits and
breaches (what followed), the companies' commitments (cahier des charges), and both on the due-diligence report;
who records and who reads (403 without the permission, 404 outside the scope), the API and the synth."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from kinga.core import clock
from kinga.core.models import AuditEvent
from kinga.core.synth import SynthContext
from kinga.core.testing import actor_of, client_for
from kinga.supply import services, synth_partners
from kinga.supply.models import Breach, SocialCommitment, SourcingAgreement, VerificationVisit
from kinga.supply.report import due_diligence

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%%EOF\n"


def _days(n):
    return clock.today() - datetime.timedelta(days=n)


def _agreement(world, member=None, **kw):
    return services.record_agreement(
        actor=actor_of(member or world.officer),
        buyer=kw.pop("buyer", world.buyer),
        reference=kw.pop("reference", "ACC-1"),
        signed_on=kw.pop("signed_on", _days(90)),
        starts_on=kw.pop("starts_on", _days(80)),
        clauses=kw.pop("clauses", ["no_child_labour", "access", "suspension"]),
        cooperative=kw.pop("cooperative", world.coop),
        sites=kw.pop("sites", [world.site]),
        **kw,
    )


def test_an_agreement_its_visit_and_a_breach_that_suspends_purchases(world):
    a = _agreement(world, other_clauses="Réunion trimestrielle")
    assert a.clauses == ["no_child_labour", "access", "suspension"] and list(a.sites.all()) == [world.site]
    assert AuditEvent.objects.filter(target_id=str(a.uuid), action="create").exists()
    visit = services.record_visit(
        actor=actor_of(world.inspector),
        agreement=a,
        date=_days(10),
        finding="breach",
        children_found=3,
        site=world.site,
    )
    assert visit.visited_by == world.state
    breach = services.record_breach(
        actor=actor_of(world.officer),
        agreement=a,
        noticed_on=_days(10),
        clause="no_child_labour",
        description="Trois enfants au lavage",
        children_involved=3,
        response="purchases_suspended",
        response_on=_days(8),
        visit=visit,
    )
    a.refresh_from_db()
    assert a.status == "suspended"
    services.resolve_breach(actor=actor_of(world.coordinator), breach=breach, resolved_on=_days(1))
    breach.refresh_from_db()
    assert breach.resolved_on == _days(1)


@pytest.mark.parametrize(
    "kw,field",
    [
        ({"cooperative": None, "sites": []}, "cooperative"),
        ({"clauses": []}, "clauses"),
        ({"clauses": ["bribes"]}, "clauses"),
        ({"starts_on": _days(100)}, "starts_on"),
        ({"ends_on": _days(85)}, "ends_on"),
    ],
)
def test_refused_agreements_name_their_field(world, kw, field):
    with pytest.raises(ValidationError) as refused:
        _agreement(world, **kw)
    assert field in refused.value.message_dict and not SourcingAgreement.objects.exists()


def test_visits_and_breaches_check_what_they_say(world):
    a = _agreement(world)
    with pytest.raises(ValidationError) as refused:
        services.record_visit(
            actor=actor_of(world.inspector), agreement=a, date=_days(5), finding="compliant", children_found=2
        )
    assert "finding" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.record_visit(
            actor=actor_of(world.inspector),
            agreement=a,
            date=_days(5),
            finding="minor",
            site=world.other_site,
        )
    assert "site" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.record_breach(
            actor=actor_of(world.officer),
            agreement=a,
            noticed_on=_days(5),
            description="x",
            response="warning",
        )
    assert "response_on" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.record_breach(
            actor=actor_of(world.officer),
            agreement=a,
            noticed_on=_days(5),
            description="x",
            response="none_yet",
            clause="schooling",
        )
    assert "clause" in refused.value.message_dict


def test_a_company_records_only_its_own(world):
    with pytest.raises(PermissionDenied):
        _agreement(world, world.other_officer)
    with pytest.raises(PermissionDenied):
        _agreement(world, world.coop_manager)  # no permission to record agreements
    _agreement(world, world.coordinator, reference="ACC-COORD")
    with pytest.raises(PermissionDenied):
        services.record_commitment(
            actor=actor_of(world.other_officer),
            company=world.buyer,
            commitment="Écoles",
            theme="schooling",
            child_protection="Places à l'école",
            deadline=_days(-30),
        )


def test_a_commitment_done_needs_its_date_and_evidence(world, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    line = services.record_commitment(
        actor=actor_of(world.officer),
        company=world.buyer,
        commitment="Six salles de classe",
        theme="schooling",
        child_protection="Des places à l'école pour les enfants retirés",
        deadline=_days(30),
        amount_usd=Decimal("120000"),
    )
    with pytest.raises(ValidationError) as refused:
        services.update_commitment(
            actor=actor_of(world.officer), commitment=line, status="done", done_on=_days(2)
        )
    assert "evidence" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.update_commitment(
            actor=actor_of(world.officer),
            commitment=line,
            status="done",
            done_on=_days(2),
            evidence=SimpleUploadedFile("x.pdf", b"not a pdf"),
        )
    assert "evidence" in refused.value.message_dict
    services.update_commitment(
        actor=actor_of(world.officer),
        commitment=line,
        status="done",
        done_on=_days(2),
        evidence=SimpleUploadedFile("pv.pdf", PDF),
    )
    line.refresh_from_db()
    assert line.status == "done" and line.evidence.name.endswith("pv.pdf")
    download = client_for(world.officer).get(f"/supply/engagements/{line.uuid}/preuve/")
    assert download.status_code == 200 and download["Cache-Control"] == "private, no-store"
    assert client_for(world.other_officer).get(f"/supply/engagements/{line.uuid}/preuve/").status_code == 404


def test_pages_by_role(world):
    a = _agreement(world)
    url = f"/supply/accords/{a.uuid}/"
    for member in (world.officer, world.coop_manager, world.coordinator, world.inspector):
        assert client_for(member).get(url).status_code == 200, member.role
    assert client_for(world.other_officer).get(url).status_code == 404  # another company's agreement
    assert client_for(world.caseworker).get(url).status_code == 403  # no supply permission
    assert client_for(world.coop_manager).get("/supply/accords/nouveau/").status_code == 403
    assert client_for(world.other_officer).post(f"/supply/accords/{a.uuid}/visites/", {}).status_code == 404
    assert client_for(world.coop_manager).post(f"/supply/accords/{a.uuid}/visites/", {}).status_code == 403
    form = client_for(world.officer).post(
        "/supply/accords/nouveau/",
        {
            "buyer": world.buyer.pk,
            "reference": "ACC-2",
            "cooperative": world.coop.pk,
            "signed_on": _days(30).isoformat(),
            "starts_on": _days(30).isoformat(),
        },
    )
    assert form.status_code == 400 and "au moins une clause" in form.content.decode()
    visit = client_for(world.inspector).post(
        f"/supply/accords/{a.uuid}/visites/",
        {"date": _days(3).isoformat(), "finding": "minor", "children_found": "0", "site": world.site.pk},
    )
    assert visit.status_code == 302 and VerificationVisit.objects.count() == 1
    assert client_for(world.officer).get("/supply/engagements/").status_code == 200


def test_the_due_diligence_report_shows_agreements_breaches_and_commitments(world):
    a = _agreement(world)
    services.record_visit(
        actor=actor_of(world.inspector), agreement=a, date=_days(10), finding="breach", children_found=2
    )
    services.record_breach(
        actor=actor_of(world.officer),
        agreement=a,
        noticed_on=_days(10),
        description="Deux enfants au tri",
        children_involved=2,
        response="children_referred",
        response_on=_days(9),
    )
    services.record_commitment(
        actor=actor_of(world.officer),
        company=world.buyer,
        commitment="Centre de transit",
        theme="child_protection",
        child_protection="Accueil des enfants retirés",
        deadline=_days(5),
    )
    _agreement(world, world.coordinator, buyer=world.other_buyer, reference="ACC-OTHER")
    report = due_diligence(actor_of(world.officer), buyer=world.buyer, start=_days(365), end=clock.today())
    (row,) = report.partners.agreements
    assert (row.visits, row.children_found, row.breaches, row.open_breaches) == (1, 2, 1, 1)
    assert report.partners.commitments_late == 1
    body = client_for(world.officer).get("/supply/diligence/").content.decode()
    assert "ACC-1" in body and "Enfants orientés vers la protection" in body
    assert "Centre de transit" in body and "En retard" in body and "ACC-OTHER" not in body
    pdf = client_for(world.officer).get("/supply/diligence/?format=pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def _sheets(content: bytes) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return {sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)] for sheet in book}


def test_the_due_diligence_spreadsheet_lists_agreements_visits_breaches_and_commitments(world):
    a = _agreement(world, other_clauses="Réunion trimestrielle")
    services.record_visit(
        actor=actor_of(world.inspector),
        agreement=a,
        date=_days(10),
        finding="breach",
        children_found=2,
        site=world.site,
        notes="Deux enfants au tri",
    )
    services.record_visit(  # before the period asked for: not in the sheet
        actor=actor_of(world.inspector), agreement=a, date=_days(70), finding="compliant"
    )
    services.record_breach(
        actor=actor_of(world.officer),
        agreement=a,
        noticed_on=_days(10),
        clause="no_child_labour",
        description="Deux enfants au tri",
        children_involved=2,
        response="children_referred",
        response_on=_days(9),
    )
    services.record_commitment(
        actor=actor_of(world.officer),
        company=world.buyer,
        commitment="Centre de transit",
        theme="child_protection",
        child_protection="Accueil des enfants retirés",
        amount_usd=Decimal("25000"),
        deadline=_days(5),
    )
    other = _agreement(world, world.coordinator, buyer=world.other_buyer, reference="ACC-OTHER")
    services.record_visit(actor=actor_of(world.inspector), agreement=other, date=_days(3), finding="minor")
    services.record_commitment(
        actor=actor_of(world.other_officer),
        company=world.other_buyer,
        commitment="Écoles de l'autre acheteur",
        theme="schooling",
        child_protection="Places",
        deadline=_days(-30),
    )
    period = {"start": _days(30).isoformat(), "end": clock.today().isoformat(), "format": "xlsx"}
    response = client_for(world.officer).get("/supply/diligence/", period)
    assert response.status_code == 200
    sheets = _sheets(response.content)
    accords, visits, breaches, lines = (
        sheets["Accords"],
        sheets["Visites de vérification"],
        sheets["Manquements"],
        sheets["Cahier des charges"],
    )
    assert accords[0][:2] == ("Accord", "Coopérative") and len(accords) == 2
    assert accords[1][0] == "ACC-1" and accords[1][1] == world.coop.name and accords[1][2] == "En vigueur"
    assert "Aucun enfant de moins de 18 ans" in accords[1][6] and accords[1][7] == "Réunion trimestrielle"
    assert accords[1][8:] == (1, _dt(_days(10)), 2, 1, 1)
    assert visits[0] == (
        "Date",
        "Accord",
        "Site visité",
        "Organisation visiteuse",
        "Constat",
        "Enfants trouvés au travail",
        "Ce qui a été vu",
    )
    assert visits[1:] == [
        (_dt(_days(10)), "ACC-1", "Kasulo", world.state.name, "Clause violée", 2, "Deux enfants au tri")
    ]
    assert breaches[0][0] == "Constaté le" and len(breaches) == 2
    assert breaches[1][1:6] == (
        "ACC-1",
        "Aucun enfant de moins de 18 ans ne travaille sur le site ni ne manipule les minerais",
        "Deux enfants au tri",
        2,
        "Enfants orientés vers la protection de l'enfance",
    )
    assert lines[0][:2] == ("Engagement", "Thème") and len(lines) == 2
    assert lines[1][0] == "Centre de transit" and lines[1][4] == 25000 and lines[1][7] == "Oui"
    # The coordination reads the same company's report whole; another company's officer cannot ask for it.
    coordinator = client_for(world.coordinator).get(
        "/supply/diligence/", {**period, "buyer": world.buyer.uuid}
    )
    assert _sheets(coordinator.content)["Accords"][1:] == accords[1:]
    other_officer = client_for(world.other_officer)
    assert other_officer.get("/supply/diligence/", {**period, "buyer": world.buyer.uuid}).status_code == 404
    assert client_for(world.caseworker).get("/supply/diligence/", period).status_code == 403
    theirs = _sheets(other_officer.get("/supply/diligence/", period).content)
    assert [r[0] for r in theirs["Accords"][1:]] == ["ACC-OTHER"] and len(theirs["Manquements"]) == 1
    assert [r[0] for r in theirs["Cahier des charges"][1:]] == ["Écoles de l'autre acheteur"]
    # Every reading is in the audit trail (the officer's, the coordinator's, the other officer's own); the one
    # refused leaves nothing.
    exports = AuditEvent.objects.filter(
        action="export", target_type="supply.due_diligence", changes__filters__format="xlsx"
    )
    assert exports.count() == 3


def _dt(day):
    return datetime.datetime.combine(day, datetime.time())


def test_the_api_scopes(world):
    a = _agreement(world)
    services.record_commitment(
        actor=actor_of(world.officer),
        company=world.buyer,
        commitment="Écoles",
        theme="schooling",
        child_protection="Places",
        deadline=_days(-30),
    )
    for path in ("agreements", "commitments"):
        assert client_for(world.officer).get(f"/api/v1/supply/{path}/").json()["count"] == 1, path
        assert client_for(world.other_officer).get(f"/api/v1/supply/{path}/").json()["count"] == 0, path
        assert client_for(world.caseworker).get(f"/api/v1/supply/{path}/").status_code == 403, path
    assert (
        client_for(world.coop_manager).get(f"/api/v1/supply/agreements/{a.uuid}/").json()["reference"]
        == "ACC-1"
    )
    assert client_for(world.other_officer).get(f"/api/v1/supply/agreements/{a.uuid}/").status_code == 404


def test_synth(world):
    ctx = SynthContext(scale="demo", seed=4)
    synth_partners.generate(ctx)
    synth_partners.generate(ctx)
    assert SourcingAgreement.objects.count() == ctx.counts["supply_sourcingagreement"] >= 2
    assert VerificationVisit.objects.count() >= 4
    assert SocialCommitment.objects.count() == 6 * 2
    assert not Breach.objects.exclude(response="none_yet").filter(response_on__isnull=True).exists()
    assert not SocialCommitment.objects.filter(status="done", done_on__isnull=True).exists()
