"""The quarantine review: a broken submission is corrected and replayed, or rejected; another organisation's is
a 404, a role without the permission gets 403; identities are masked for roles that do not see them."""

import datetime

import pytest

from kinga.cases.models import Case, FollowUp
from kinga.core.models import AuditEvent
from kinga.core.roles import Role
from kinga.core.testing import client_for, make_member
from kinga.field.models import State, Submission

from .test_push import kobo_follow_up, post_kobo

pytestmark = pytest.mark.django_db


@pytest.fixture
def broken(keys, followed_case):
    payload = kobo_follow_up(followed_case, **{"visite/case": "LUA-KZI-2026-999999"})
    post_kobo("kinga_follow_up", keys["kinga_follow_up"], payload)
    submission = Submission.objects.get()
    assert submission.state == State.QUARANTINED
    return submission


def test_a_data_clerk_corrects_and_replays(team, broken, followed_case):
    clerk = client_for(team.clerk)
    listing = clerk.get("/terrain/quarantaine/").content.decode()
    assert str(broken.pk) in listing and "Dossier inconnu" in listing
    page = clerk.get(f"/terrain/quarantaine/{broken.pk}/").content.decode()
    assert "Dossier inconnu" in page and "visite/case" in page
    response = clerk.post(
        f"/terrain/quarantaine/{broken.pk}/rejouer/", {"c:visite/case": followed_case.number}
    )
    assert response.status_code == 302
    broken.refresh_from_db()
    assert broken.state == State.APPLIED and broken.corrections == {"visite/case": followed_case.number}
    assert "LUA-KZI-2026-999999" in broken.raw  # the submission as received is kept
    visit = FollowUp.objects.get(case=followed_case, visit_date=datetime.date(2026, 2, 20))
    assert visit.recorded_by == team.worker.user  # replayed as the account that submitted it
    notes = list(
        AuditEvent.objects.filter(target_id=str(broken.pk)).order_by("pk").values_list("note", flat=True)
    )
    assert notes.count("replay") == 1 and len(notes) == 4  # received, quarantined, replay, applied


def test_a_rejection_needs_a_reason_and_is_audited(team, broken):
    clerk = client_for(team.clerk)
    clerk.post(f"/terrain/quarantaine/{broken.pk}/rejeter/", {"reason": ""})
    broken.refresh_from_db()
    assert broken.state == State.QUARANTINED
    clerk.post(
        f"/terrain/quarantaine/{broken.pk}/rejeter/", {"reason": "Doublon d'une visite saisie au bureau"}
    )
    broken.refresh_from_db()
    assert broken.state == State.REJECTED and broken.decided_by == team.clerk.user
    assert AuditEvent.objects.filter(target_id=str(broken.pk), note="rejected").exists()
    # A rejected submission is not replayed.
    client_for(team.clerk).post(f"/terrain/quarantaine/{broken.pk}/rejouer/", {})
    broken.refresh_from_db()
    assert broken.state == State.REJECTED


def test_another_organisation_gets_404_and_a_role_without_the_permission_403(team, broken):
    outsider = client_for(team.outsider)  # a supervisor of another organisation: has field.review
    assert outsider.get(f"/terrain/quarantaine/{broken.pk}/").status_code == 404
    assert outsider.post(f"/terrain/quarantaine/{broken.pk}/rejouer/", {}).status_code == 404
    assert outsider.post(f"/terrain/quarantaine/{broken.pk}/rejeter/", {"reason": "x"}).status_code == 404
    assert str(broken.pk) not in outsider.get("/terrain/quarantaine/").content.decode()
    worker = client_for(team.worker)  # a caseworker: no field.review
    assert worker.get("/terrain/quarantaine/").status_code == 403
    assert worker.get(f"/terrain/quarantaine/{broken.pk}/").status_code == 403
    assert worker.post(f"/terrain/quarantaine/{broken.pk}/rejeter/", {"reason": "x"}).status_code == 403
    broken.refresh_from_db()
    assert broken.state == State.QUARANTINED


def test_identities_are_masked_for_a_data_clerk(team, keys):
    payload = {
        "enfant/given_name": "Kaseya",
        "enfant/family_name": "Mwamba",
        "enfant/sex": "Masculin",
        "identification/identification_date": "2026-02-28",
        "identification/site": "site-inconnu",
        "meta/instanceID": "uuid:0b0b0b0b-0000-4000-8000-000000000001",
    }
    post_kobo("kinga_identification", keys["kinga_identification"], payload)
    submission = Submission.objects.get()
    assert submission.state == State.QUARANTINED and "identification/site" in submission.reasons
    clerk_page = client_for(team.clerk).get(f"/terrain/quarantaine/{submission.pk}/").content.decode()
    assert "Kaseya" not in clerk_page and "Mwamba" not in clerk_page
    manager = make_member(team.org, Role.ORG_MANAGER)
    assert "Kaseya" in client_for(manager).get(f"/terrain/quarantaine/{submission.pk}/").content.decode()
    assert not Case.objects.exists()


def test_the_api_lists_corrects_and_replays(team, broken, followed_case):
    clerk = client_for(team.clerk)
    listed = clerk.get("/api/v1/field/submissions/?state=quarantined").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [r["id"] for r in rows] == [str(broken.pk)]
    detail = clerk.get(f"/api/v1/field/submissions/{broken.pk}/").json()
    assert any(a["path"] == "visite/case" and a["reasons"] for a in detail["answers"])
    replay = clerk.post(
        f"/api/v1/field/submissions/{broken.pk}/replay/",
        {"corrections": {"visite/case": followed_case.number}},
        content_type="application/json",
    )
    assert replay.status_code == 200 and replay.json()["state"] == State.APPLIED
    again = clerk.post(
        f"/api/v1/field/submissions/{broken.pk}/reject/", {"reason": "x"}, content_type="application/json"
    )
    assert again.status_code == 400 and "state" in again.json()
    assert client_for(team.outsider).get(f"/api/v1/field/submissions/{broken.pk}/").status_code == 404
    assert client_for(team.worker).get("/api/v1/field/submissions/").status_code == 403


def test_a_repeat_is_not_replaced_by_a_correction(team, keys, today):
    payload = {
        "alerte/site": "inconnu",
        "enfants": [{"enfants/sex": "F", "enfants/age_band": "12-14", "enfants/count": "2"}],
        "meta/instanceID": "uuid:cccc0000-0000-4000-8000-000000000001",
    }
    post_kobo("kinga_alert", keys["kinga_alert"], payload)
    submission = Submission.objects.get()
    assert submission.state == State.QUARANTINED
    clerk = client_for(team.clerk)
    page = clerk.get(f"/terrain/quarantaine/{submission.pk}/").content.decode()
    assert 'name="c:enfants"' not in page and 'name="c:alerte/site"' in page
    refused = clerk.post(
        f"/api/v1/field/submissions/{submission.pk}/replay/",
        {"corrections": {"enfants": "3"}},
        content_type="application/json",
    )
    assert refused.status_code == 400
    submission.refresh_from_db()
    assert submission.corrections == {} and submission.state == State.QUARANTINED
