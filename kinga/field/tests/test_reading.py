"""What an outside test of the old Kobo alert endpoint found, held for every form: choices by name and label,
repeats read, group paths never colliding, Kobo edits, the v2 envelope, ODK Central's OData, date-only values."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kinga.cases.models import Case
from kinga.cases.tests.conftest import register
from kinga.community.models import Activity, Alert, Urgency
from kinga.core.testing import client_for, shared_path
from kinga.field import reading
from kinga.field.models import State, Submission
from kinga.field.reading import Answers

from .test_push import post_kobo, post_odk

pytestmark = pytest.mark.django_db


def test_choices_are_read_by_name_and_by_label_as_a_form_author_writes_them():
    answers = Answers({"a": "creusage", "b": "elevee", "c": "Élevée", "d": "digging", "e": "Lavage"})
    assert answers.choice(Activity, "a") == Activity.DIGGING
    assert answers.choice(Urgency, "b") == Urgency.HIGH == answers.choice(Urgency, "c")
    assert answers.choice(Activity, "d") == Activity.DIGGING
    assert answers.choice(Activity, "e") == Activity.WASHING
    with pytest.raises(ValidationError) as error:
        Answers({"g/a": "nager"}).choice(Activity, "a")
    assert "g/a" in error.value.message_dict


def test_two_groups_with_the_same_question_never_collide_silently():
    answers = Answers({"signaleur/territoire": "Mutshatsha", "alerte/territoire": "Kolwezi"})
    with pytest.raises(ValidationError) as error:
        answers.text("territoire")
    assert (
        "alerte/territoire" in error.value.messages[0] and "signaleur/territoire" in error.value.messages[0]
    )
    assert answers.text("territoire", exclude_groups=("signaleur",)) == "Kolwezi"
    assert answers.text("alerte/territoire") == "Kolwezi"


def test_a_date_only_value_is_that_date_and_unknown_is_no_answer():
    answers = Answers({"d": "2026-02-20", "t": "2026-02-20T23:30:00+01:00", "b": "unknown", "y": "Oui"})
    assert answers.date("d") == datetime.date(2026, 2, 20)
    assert answers.date("t") == datetime.date(2026, 2, 20)  # the day the phone named, in its own offset
    assert answers.boolean("b") is None and answers.boolean("y") is True


def test_repeats_are_read_from_kobo_json_and_from_odk_xml():
    kobo = reading.parse_json_item(
        *next(
            reading.split_json(
                json.loads(shared_path("reference", "kobo", "kobo_rest_service_payload.json").read_text())
            )
        )
    )
    assert kobo.instance_id == "45ede11e-c80d-46ae-ab52-5072750a5bfe"
    assert kobo.root_id == kobo.instance_id and kobo.submitter == "enumerateur1"
    siblings = Answers(kobo.answers).rows("siblings")
    assert [row.text("sib_name") for row in siblings] == ["Amani", "Neema"]
    assert Answers(kobo.answers).text("territoire") == "Nyiragongo"  # identification/territoire
    xml = (
        b'<data id="kinga_identification"><caregivers><caregiver_name>A</caregiver_name></caregivers>'
        b"<caregivers><caregiver_name>B</caregiver_name></caregivers>"
        b"<meta><instanceID>uuid:abc</instanceID></meta></data>"
    )
    parsed = reading.from_xml(xml)
    assert parsed.form_id == "kinga_identification" and parsed.instance_id == "abc"
    assert [row.text("caregiver_name") for row in Answers(parsed.answers).rows("caregivers")] == ["A", "B"]


def test_odk_central_odata_export_is_read():
    document = json.loads(shared_path("reference", "odk", "odk_central_odata_submissions.json").read_text())
    [(shape, item)] = list(reading.split_json(document))
    parsed = reading.parse_json_item(shape, item)
    assert shape == "odata"
    assert parsed.instance_id == parsed.root_id == "85cb9aff-005e-4edd-9739-dc9c1a829c44"
    assert parsed.submitted_at == datetime.datetime(2025, 3, 1, 10, 22, 31, tzinfo=datetime.UTC)
    assert parsed.answers["gps"].startswith("-1.6792 29.2228")
    assert parsed.answers["child_age"] == 12 and "meta/instanceName" not in parsed.answers


def _alert_submission(**extra):
    payload = {
        "signaleur/territoire": "Mutshatsha",
        "signaleur/telephone": "+243990000009",
        "alerte/territoire": "CD7201",
        "alerte/observed_at": "2026-02-27",
        "alerte/activity": "creusage",
        "alerte/urgency": "elevee",
        "alerte/description": "Enfants au puits",
        "enfants": [
            {"enfants/sex": "fille", "enfants/age_band": "12-14", "enfants/count": "2"},
            {"enfants/sex": "Masculin", "enfants/age_band": "15-17", "enfants/count": "1"},
        ],
        "meta/instanceID": "uuid:aaaa0000-0000-4000-8000-000000000001",
        "meta/rootUuid": "uuid:aaaa0000-0000-4000-8000-000000000001",
        "_uuid": "aaaa0000-0000-4000-8000-000000000001",
    }
    payload.update(extra)
    return payload


def test_a_kobo_alert_with_french_labels_groups_and_a_repeat(team, keys, today, kolwezi):
    response = post_kobo("kinga_alert", keys["kinga_alert"], _alert_submission())
    assert response.status_code == 201
    submission = Submission.objects.get()
    assert submission.state == State.APPLIED, submission.reasons
    alert = Alert.objects.get()
    assert alert.place == kolwezi  # the alert's territory, not the reporter's
    assert alert.activity == Activity.DIGGING and alert.urgency == Urgency.HIGH
    assert alert.children_count == 3
    assert timezone.localdate(alert.observed_at) == datetime.date(2026, 2, 27)  # the day given, in Lualaba
    assert submission.record_type == "community.alert" and submission.record_uuid == alert.uuid


def test_an_alert_edit_is_not_a_second_alert_and_is_not_ignored(team, keys, today, kolwezi):
    post_kobo("kinga_alert", keys["kinga_alert"], _alert_submission())
    # Kobo keeps _uuid and rootUuid on an edit; the instance ID is new.
    edit = _alert_submission(**{"meta/instanceID": "uuid:aaaa0000-0000-4000-8000-000000000002"})
    assert post_kobo("kinga_alert", keys["kinga_alert"], edit).status_code == 201
    assert Alert.objects.count() == 1
    edited = Submission.objects.get(instance_id="aaaa0000-0000-4000-8000-000000000002")
    assert edited.root_id == "aaaa0000-0000-4000-8000-000000000001"
    assert edited.state == State.QUARANTINED  # visible to the data manager, with why
    assert "tri" in edited.reasons["submission"][0]


IDENTIFICATION = {
    "enfant/given_name": "Kaseya",
    "enfant/family_name": "Mwamba",
    "enfant/sex": "M",
    "enfant/estimated_age": "12",
    "identification/identification_date": "2026-02-28",
    "identification/identification_site": "codmine00001",
    "identification/work_activities": "creusage lavage",
    "caregivers": [
        {"caregivers/caregiver_name": "Mama Kaseya", "caregivers/caregiver_phone": "+243990000002"}
    ],
}


def test_a_kobo_edit_of_an_identification_updates_the_child(team, keys, today):
    first = dict(IDENTIFICATION, **{"meta/instanceID": "uuid:bbbb0000-0000-4000-8000-000000000001"})
    assert post_kobo("kinga_identification", keys["kinga_identification"], first).status_code == 201
    case = Case.objects.get()
    assert case.work_activities == ["digging", "washing"]
    edit = dict(
        first,
        **{
            "enfant/given_name": "Kasongo",
            "meta/instanceID": "uuid:bbbb0000-0000-4000-8000-000000000002",
            "meta/rootUuid": "uuid:bbbb0000-0000-4000-8000-000000000001",
        },
    )
    assert post_kobo("kinga_identification", keys["kinga_identification"], edit).status_code == 201
    assert Case.objects.count() == 1
    case.child.refresh_from_db()
    assert case.child.given_name == "Kasongo"
    states = dict(Submission.objects.values_list("instance_id", "state"))
    assert states == {
        "bbbb0000-0000-4000-8000-000000000001": State.REPLACED,
        "bbbb0000-0000-4000-8000-000000000002": State.APPLIED,
    }


def test_an_odk_edit_names_the_version_it_replaces(team, keys, today):
    def xml(instance, deprecated="", name="Kaseya"):
        meta = f"<instanceID>uuid:{instance}</instanceID>" + (
            f"<deprecatedID>uuid:{deprecated}</deprecatedID>" if deprecated else ""
        )
        return (
            f'<data id="kinga_identification"><enfant><given_name>{name}</given_name>'
            "<family_name>Mwamba</family_name><sex>M</sex><estimated_age>12</estimated_age></enfant>"
            "<identification_date>2026-02-28</identification_date><identification_site>codmine00001</identification_site>"
            f"<meta>{meta}</meta></data>"
        ).encode()

    key = keys["kinga_identification"]
    assert post_odk("kinga_identification", key, xml("c1")).status_code == 201
    assert (
        post_odk("kinga_identification", key, xml("c2", deprecated="c1", name="Kasongo")).status_code == 201
    )
    assert post_odk("kinga_identification", key, xml("c3", deprecated="c2", name="Kabila")).status_code == 201
    assert Case.objects.count() == 1
    assert Case.objects.get().child.given_name == "Kabila"
    assert set(Submission.objects.values_list("root_id", flat=True)) == {"c1"}


def test_a_child_who_may_be_registered_goes_to_review_not_to_a_silent_new_child(team, keys, today):
    known = register(team, given_name="Kaseya", family_name="Mwamba", date_of_birth=datetime.date(2014, 1, 1))
    payload = dict(IDENTIFICATION, **{"meta/instanceID": "uuid:dddd0000-0000-4000-8000-000000000001"})
    post_kobo("kinga_identification", keys["kinga_identification"], payload)
    submission = Submission.objects.get()
    assert submission.state == State.QUARANTINED and Case.objects.count() == 1
    assert "déjà enregistré" in submission.reasons["given_name"][0]
    # The supervisor sees the suggestion; "the same child" is refused by the service (that child's case is
    # open) and stays in quarantine with its reason; "a new child" registers one.
    supervisor = client_for(team.supervisor)
    page = supervisor.get(f"/terrain/quarantaine/{submission.pk}/").content.decode()
    assert "Cet enfant est peut-être déjà enregistré" in page and known.number in page
    supervisor.post(
        f"/terrain/quarantaine/{submission.pk}/rejouer/", {"c:kinga/same_child": str(known.child.uuid)}
    )
    submission.refresh_from_db()
    assert submission.state == State.QUARANTINED and "cas ouvert" in json.dumps(
        submission.reasons, ensure_ascii=False
    )
    supervisor.post(
        f"/terrain/quarantaine/{submission.pk}/rejouer/",
        {"c:kinga/confirm_new": "oui", "c:kinga/same_child": ""},
    )
    submission.refresh_from_db()
    assert submission.state == State.APPLIED, submission.reasons
    assert Case.objects.count() == 2
