"""Field submissions pushed by KoboToolbox's REST services and ODK Collect land on the right case through the
cases services: on its timeline, in the indicators; stored encrypted before processing; one record per instance."""

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kinga.cases.models import FollowUp
from kinga.core.indicators import IndicatorQuery, evaluate
from kinga.core.models import AuditEvent
from kinga.core.testing import assert_not_stored_in_clear, client_for
from kinga.field.models import State, Submission

pytestmark = pytest.mark.django_db
Y = IndicatorQuery(start=datetime.date(2026, 1, 1), end=datetime.date(2026, 12, 31))


def _indicator(code) -> int:
    return sum(v.value for v in evaluate(code, Y))


def kobo_follow_up(case, instance="45ede11e-c80d-46ae-ab52-5072750a5bfe", **extra):
    payload = {
        "_id": 18,
        "formhub/uuid": "0f1c4a5e9b2d4c7e8a6b3d2e1f0a9b8c",
        "__version__": "vWvkKzNE8xCtfApJvabfjG",
        "start": "2026-02-20T09:58:02.114+01:00",
        "visite/case": case.number,
        "visite/visit_date": "2026-02-20",
        "visite/child_seen": "oui",
        "situation/in_school_or_training": "yes",
        "situation/attending": "Oui",
        "situation/found_working": "non",
        "situation/notes": "Rencontré chez Mama Ngalula",
        "meta/instanceID": f"uuid:{instance}",
        "meta/rootUuid": f"uuid:{instance}",
        "_xform_id_string": "aTPPUDScaFZkvBzd8FyK4Q",
        "_uuid": instance,
        "_submission_time": "2026-02-20T10:22:31",
        "_submitted_by": "enumerateur1",
    }
    payload.update(extra)
    return payload


def odk_xml(form_id, case, body, instance="85cb9aff-005e-4edd-9739-dc9c1a829c44", deprecated=""):
    meta = f"<instanceID>uuid:{instance}</instanceID>"
    if deprecated:
        meta += f"<deprecatedID>uuid:{deprecated}</deprecatedID>"
    return (
        f'<?xml version="1.0"?><data xmlns:jr="http://openrosa.org/javarosa" id="{form_id}" version="2026010101">'
        f"<case>{case.number}</case>{body}"
        f'<meta xmlns="http://openrosa.org/xforms">{meta}</meta></data>'
    ).encode()


def post_kobo(form_id, key, payload):
    return Client().post(
        f"/terrain/reception/kobo/{form_id}/",
        json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {key}",
    )


def post_odk(form_id, key, xml):
    upload = SimpleUploadedFile("submission.xml", xml, content_type="text/xml")
    return Client().post(
        f"/terrain/reception/odk/{form_id}/submission?cle={key}",
        {"xml_submission_file": upload},
    )


def test_kobo_follow_up_lands_on_the_case_timeline_and_indicators(team, keys, followed_case):
    before = _indicator("CASES_CHILDREN_WITHDRAWN")
    response = post_kobo("kinga_follow_up", keys["kinga_follow_up"], kobo_follow_up(followed_case))
    assert response.status_code == 201
    submission = Submission.objects.get()
    assert submission.state == State.APPLIED, submission.reasons
    visit = FollowUp.objects.get(case=followed_case, visit_date=datetime.date(2026, 2, 20))
    assert (
        visit.child_seen and visit.in_school_or_training and visit.attending and visit.found_working is False
    )
    assert visit.recorded_by == team.worker.user  # applied as the key's account, through the service
    assert submission.record_type == "cases.followup" and submission.record_uuid == visit.uuid
    assert _indicator("CASES_CHILDREN_WITHDRAWN") == before + 1
    page = client_for(team.worker).get(f"/cases/{followed_case.uuid}/").content.decode()
    assert "Visite de suivi : enfant vu" in page
    assert_not_stored_in_clear("Rencontré chez Mama Ngalula")  # the raw submission is encrypted
    assert (
        AuditEvent.objects.filter(target_type="field.submission", target_id=str(submission.pk)).count() == 2
    )


def test_kobo_redelivery_is_one_record(keys, followed_case):
    payload = kobo_follow_up(followed_case)
    assert post_kobo("kinga_follow_up", keys["kinga_follow_up"], payload).status_code == 201
    again = post_kobo("kinga_follow_up", keys["kinga_follow_up"], payload)
    assert again.status_code == 200 and again.json()["soumissions"][0]["nouvelle"] is False
    assert Submission.objects.count() == 1
    assert FollowUp.objects.filter(case=followed_case, visit_date__isnull=False).count() == 1


def test_odk_follow_up_xml_posted_twice_is_one_record(team, keys, followed_case):
    body = (
        "<visite><visit_date>2026-02-21</visit_date><child_seen>yes</child_seen></visite>"
        "<situation><in_school_or_training>no</in_school_or_training><found_working>yes</found_working></situation>"
    )
    xml = odk_xml("kinga_follow_up", followed_case, body)
    first = post_odk("kinga_follow_up", keys["kinga_follow_up"], xml)
    assert first.status_code == 201 and first["X-OpenRosa-Version"] == "1.0"
    assert post_odk("kinga_follow_up", keys["kinga_follow_up"], xml).status_code == 202
    assert Submission.objects.get().state == State.APPLIED
    visit = FollowUp.objects.get(case=followed_case, visit_date=datetime.date(2026, 2, 21))
    assert visit.found_working is True
    followed_case.refresh_from_db()
    assert followed_case.relapse_count == 1  # found working: a relapse, as on the web form
    page = client_for(team.worker).get(f"/cases/{followed_case.uuid}/").content.decode()
    assert "Visite de suivi : enfant vu" in page


def test_retention_check_from_odk_xml_and_from_kobo_json(team, keys, exited_case):
    before = _indicator("CASES_CHILDREN_RETAINED_3M")
    body = "<months_after>3</months_after><date>2026-08-14</date><found_working>non</found_working>"
    xml = odk_xml("kinga_retention_check", exited_case, body)
    assert post_odk("kinga_retention_check", keys["kinga_retention_check"], xml).status_code == 201
    assert Submission.objects.get().state == State.APPLIED
    assert _indicator("CASES_CHILDREN_RETAINED_3M") == before + 1
    check = exited_case.retention_checks.get(months_after=3)
    assert check.done_on == datetime.date(2026, 8, 14) and check.found_working is False

    # The six-month check, due in November, recorded early from Kobo (the service allows it).
    payload = kobo_follow_up(exited_case, instance="11111111-2222-4333-8444-555555555555")
    for key in [k for k in payload if k.startswith(("visite/", "situation/"))]:
        payload.pop(key)
    payload.update(
        {
            "controle/case": exited_case.number,
            "controle/months_after": "6",
            "controle/date": "2026-09-01",
            "controle/found_working": "Non",
            "controle/in_school_or_training": "Oui",
        }
    )
    assert post_kobo("kinga_retention_check", keys["kinga_retention_check"], payload).status_code == 201
    assert Submission.objects.filter(state=State.APPLIED).count() == 2
    assert _indicator("CASES_CHILDREN_RETAINED_6M") >= 1
    page = client_for(team.worker).get(f"/cases/{exited_case.uuid}/").content.decode()
    assert "Vérification de maintien à 3 mois : enfant hors des mines" in page
    assert "Vérification de maintien à 6 mois : enfant hors des mines" in page


def test_a_key_opens_its_own_form_only(keys, followed_case):
    payload = kobo_follow_up(followed_case)
    assert post_kobo("kinga_follow_up", "", payload).status_code == 403
    assert post_kobo("kinga_follow_up", keys["kinga_alert"], payload).status_code == 403
    assert post_kobo("kinga_follow_up", "kf_invented", payload).status_code == 403
    assert Submission.objects.count() == 0


def test_the_kobo_data_envelope_is_split(keys, followed_case):
    first = kobo_follow_up(followed_case)
    second = kobo_follow_up(followed_case, instance="aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee")
    second["visite/visit_date"] = "2026-02-25"
    envelope = {"count": 2, "next": None, "previous": None, "results": [first, second]}
    response = post_kobo("kinga_follow_up", keys["kinga_follow_up"], envelope)
    assert response.status_code == 201 and len(response.json()["soumissions"]) == 2
    assert Submission.objects.filter(state=State.APPLIED).count() == 2


def test_an_unknown_case_is_quarantined_with_a_french_reason(keys, followed_case):
    payload = kobo_follow_up(followed_case, **{"visite/case": "LUA-KZI-2026-999999"})
    assert post_kobo("kinga_follow_up", keys["kinga_follow_up"], payload).status_code == 201
    submission = Submission.objects.get()
    assert submission.state == State.QUARANTINED
    assert "Dossier inconnu" in submission.reasons["visite/case"][0]
    assert FollowUp.objects.filter(visit_date__isnull=False).count() == 0


def test_with_the_production_task_backend_the_push_stores_and_queues(keys, followed_case, settings):
    """The answer comes once the raw submission is stored and its processing queued; the worker applies it."""
    from django_tasks_db.models import DBTaskResult  # noqa: PLC0415

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    response = post_kobo("kinga_follow_up", keys["kinga_follow_up"], kobo_follow_up(followed_case))
    assert response.status_code == 201
    submission = Submission.objects.get()
    assert submission.state == State.RECEIVED  # nothing applied in the request
    assert not FollowUp.objects.filter(case=followed_case, visit_date=datetime.date(2026, 2, 20)).exists()
    task = DBTaskResult.objects.get()
    assert task.task_path == "kinga.field.tasks.process_submission_task"
    assert task.args_kwargs["kwargs"] == {"submission_id": str(submission.pk)}  # an id, never the answers
    # Posted again before the worker ran: the same submission, nothing queued twice.
    again = post_kobo("kinga_follow_up", keys["kinga_follow_up"], kobo_follow_up(followed_case))
    assert again.status_code == 200 and DBTaskResult.objects.count() == 1
    assert task.task.call(**task.args_kwargs["kwargs"]) == State.APPLIED
    assert FollowUp.objects.filter(case=followed_case, visit_date=datetime.date(2026, 2, 20)).count() == 1


def test_an_edit_queued_before_its_first_version_waits_for_it(keys, followed_case, settings):
    """Workers may run tasks in any order: an edit applied first would find nothing to update."""
    from django_tasks_db.models import DBTaskResult  # noqa: PLC0415

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    first = kobo_follow_up(followed_case)
    edit = kobo_follow_up(
        followed_case,
        instance="45ede11e-c80d-46ae-ab52-5072750a5bff",
        **{"meta/rootUuid": first["meta/rootUuid"], "situation/notes": "Corrigé"},
    )
    for payload in (first, edit):
        assert post_kobo("kinga_follow_up", keys["kinga_follow_up"], payload).status_code == 201
    for task in DBTaskResult.objects.order_by("-enqueued_at"):  # the edit's task first
        task.task.call(**task.args_kwargs["kwargs"])
    # The first version applied first; the edit then finds the visit it edits (a visit's edit goes to the data
    # manager, as the guide says) instead of recording a second visit.
    assert dict(Submission.objects.values_list("instance_id", "state")) == {
        "45ede11e-c80d-46ae-ab52-5072750a5bfe": State.APPLIED,
        "45ede11e-c80d-46ae-ab52-5072750a5bff": State.QUARANTINED,
    }
    assert FollowUp.objects.filter(case=followed_case, visit_date=datetime.date(2026, 2, 20)).count() == 1
