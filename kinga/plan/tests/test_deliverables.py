"""An activity's deliverables: filed by an implementer (the file checked by its content), validated or sent back by
another person of the coordination; awaiting validation, read only by its organisation and the coordination;
the plan's tree shows which activities delivered; the file is served only through the access check."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from kinga.core.actors import system_actor
from kinga.core.models import AuditEvent, OrganisationType
from kinga.core.roles import Role
from kinga.core.synth import SynthContext
from kinga.core.testing import actor_of, client_for, make_member, make_organisation
from kinga.plan import services, synth_deliverables
from kinga.plan.models import Activity, Deliverable, Party, PartyRole
from kinga.plan.synth_deliverables import PDF

pytestmark = pytest.mark.django_db


def _pdf(name="plan.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def w(plan, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)

    class W:
        activity = Activity.objects.get(action__axis__number=1, action__number=4, position=1)
        ngo = make_organisation("ONG de communication", type=OrganisationType.NGO)
        other = make_organisation("Autre ONG", type=OrganisationType.NGO)
        manager = make_member(ngo, Role.ORG_MANAGER)
        other_manager = make_member(other, Role.ORG_MANAGER)
        idak = make_organisation(type=OrganisationType.IDAK)
        coordinator = make_member(idak, Role.COORDINATOR)
        second_coordinator = make_member(idak, Role.COORDINATOR)
        caseworker = make_member(ngo, Role.CASEWORKER)

    Party.objects.create(role=PartyRole.IMPLEMENTER, activity=W.activity, organisation=W.ngo)
    return W


def _file(w, member=None, **kw):
    return services.submit_deliverable(
        actor=actor_of(member or w.manager),
        activity=w.activity,
        kind=kw.pop("kind", "communication_plan"),
        title=kw.pop("title", "Plan de communication"),
        file=kw.pop("file", _pdf()),
        **kw,
    )


def test_an_implementer_files_and_another_coordinator_validates(w):
    d = _file(w)
    assert d.status == "submitted" and d.organisation == w.ngo
    assert AuditEvent.objects.filter(target_id=str(d.uuid), action="create").exists()
    with pytest.raises(PermissionDenied):
        _file(w, w.other_manager)  # not an implementer of the activity
    with pytest.raises(PermissionDenied):
        services.review_deliverable(actor=actor_of(w.manager), deliverable=d, validated=True)
    with pytest.raises(ValidationError) as refused:
        services.review_deliverable(actor=actor_of(w.coordinator), deliverable=d, validated=False)
    assert "note" in refused.value.message_dict
    services.review_deliverable(actor=actor_of(w.coordinator), deliverable=d, validated=True)
    d.refresh_from_db()
    assert d.status == "validated" and d.reviewed_on is not None
    with pytest.raises(ValidationError):
        services.review_deliverable(
            actor=actor_of(w.second_coordinator), deliverable=d, validated=False, note="x"
        )


def test_whoever_filed_it_does_not_validate_it(w):
    d = services.submit_deliverable(
        actor=actor_of(w.coordinator), activity=w.activity, kind="study", title="Étude", file=_pdf()
    )
    with pytest.raises(PermissionDenied):
        services.review_deliverable(actor=actor_of(w.coordinator), deliverable=d, validated=True)
    services.review_deliverable(
        actor=actor_of(w.second_coordinator), deliverable=d, validated=False, note="Incomplet"
    )
    d.refresh_from_db()
    assert d.status == "rejected" and d.review_note == "Incomplet"


def test_a_file_that_is_not_a_document_is_refused_on_its_field(w):
    with pytest.raises(ValidationError) as refused:
        _file(w, file=SimpleUploadedFile("plan.pdf", b"MZ\x90\x00 not a pdf"))
    assert "file" in refused.value.message_dict and not Deliverable.objects.exists()


def test_pages_and_download_by_role(w):
    d = _file(w)
    url = f"/plan/livrables/{d.uuid}/"
    assert client_for(w.manager).get(url).status_code == 200
    assert client_for(w.coordinator).get(url).status_code == 200
    assert client_for(w.other_manager).get(url).status_code == 404  # not validated, another organisation's
    download = client_for(w.manager).get(url + "fichier/")
    assert download.status_code == 200 and download["Cache-Control"] == "private, no-store"
    assert client_for(w.other_manager).get(url + "fichier/").status_code == 404
    assert client_for(w.caseworker).post(url + "decision/", {"validated": "1"}).status_code == 403
    assert client_for(w.caseworker).get(f"/plan/activites/{w.activity.uuid}/livrables/").status_code == 403
    tree = client_for(w.coordinator).get("/plan/").content.decode()
    assert "1 document à valider" in tree
    review = client_for(w.coordinator).post(url + "decision/", {"validated": "1"})
    assert review.status_code == 302
    assert client_for(w.other_manager).get(url).status_code == 200  # the plan's, once validated
    tree = client_for(w.other_manager).get("/plan/").content.decode()
    assert "1 document livré" in tree
    queue = client_for(w.coordinator).get("/plan/livrables/").content.decode()
    assert "Plan de communication" in queue


def test_filing_through_the_form(w):
    client = client_for(w.manager)
    url = f"/plan/activites/{w.activity.uuid}/livrables/"
    bad = client.post(
        url, {"kind": "communication_plan", "title": "Plan", "file": SimpleUploadedFile("a.pdf", b"xx")}
    )
    assert bad.status_code == 400 and "PDF" in bad.content.decode()
    good = client.post(url, {"kind": "communication_plan", "title": "Plan", "file": _pdf()})
    assert good.status_code == 302 and Deliverable.objects.get().title == "Plan"
    activity_page = client.get(f"/plan/activites/{w.activity.uuid}/").content.decode()
    assert "En attente de validation" in activity_page


def test_the_api_shows_what_each_may_read(w):
    d = _file(w)
    assert client_for(w.manager).get("/api/v1/plan/deliverables/").json()["count"] == 1
    assert client_for(w.other_manager).get("/api/v1/plan/deliverables/").json()["count"] == 0
    assert client_for(w.other_manager).get(f"/api/v1/plan/deliverables/{d.uuid}/").status_code == 404
    services.review_deliverable(actor=actor_of(w.coordinator), deliverable=d, validated=True)
    body = client_for(w.other_manager).get(f"/api/v1/plan/deliverables/{d.uuid}/").json()
    assert body["status"] == "validated" and body["activity_code"] == "1.4.1"


def test_synth_files_the_communication_plan_validated(w):
    ctx = SynthContext(scale="demo", seed=5)
    synth_deliverables.generate(ctx)
    synth_deliverables.generate(ctx)
    comm = Deliverable.objects.get(kind="communication_plan")
    assert comm.status == "validated" and comm.activity == w.activity and comm.file.read().startswith(b"%PDF")
    assert Deliverable.objects.count() == ctx.counts["plan_deliverable"] > 1
    assert system_actor() is not None
